#include "bench/herald_bench/event_phase.hpp"

#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "bench/herald_bench/admin_client.hpp"
#include "bench/herald_bench/amqp_driver.hpp"
#include "bench/herald_bench/direct_pushes.hpp"
#include "bench/herald_bench/h2_driver.hpp"
#include "bench/herald_bench/http_driver.hpp"

namespace herald::bench {

namespace {

/// The once-a-second RSS / CPU sample and (unless quiet) progress line on stderr.
void progress(const bench_options& o, const load_run& run, std::optional<proc_sampler>& sampler) {
  if (sampler) {
    sampler->sample();
  }
  if (o.quiet) {
    return;
  }
  const auto& c = run.counters();
  const auto& s =
      sampler && !sampler->samples().empty() ? sampler->samples().back() : proc_sample{};
  std::fprintf(stderr,
               "\r%6.1fs sent %llu acked %llu refused %llu failed %llu | herald rss "
               "%llu MB cpu %.0f%%   ",
               run.elapsed_s(), static_cast<unsigned long long>(c.events_sent),
               static_cast<unsigned long long>(c.events_acked),
               static_cast<unsigned long long>(c.events_refused),
               static_cast<unsigned long long>(c.events_failed),
               static_cast<unsigned long long>(s.rss_kb / 1024), s.cpu_percent);
}

/// Runs `io` with `driver` started until `run` is finished (or every connection gave up),
/// with a progress tick a second.
template <typename Driver>
void drive(const bench_options& o, boost::asio::io_context& io, Driver& driver, load_run& run,
           std::optional<proc_sampler>& sampler) {
  bool loading = true;
  boost::asio::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    ticker.expires_after(std::chrono::seconds(1));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (ec || !loading) {
        return;
      }
      progress(o, run, sampler);
      tick();
    });
  };
  tick();
  driver->start();
  // The connections end by themselves when the run is finished; the ticker must be stopped
  // for io.run() to return.
  boost::asio::steady_timer done_check(io);
  std::function<void()> check = [&] {
    done_check.expires_after(std::chrono::milliseconds(20));
    done_check.async_wait([&](boost::system::error_code) {
      if (run.finished() || driver->active() == 0) {
        loading = false;
        ticker.cancel();
        return;
      }
      check();
    });
  };
  check();
  io.run();
  io.restart();
}

/// The event phase over HTTP/1.1 webhook connections.
void drive_webhook(const bench_options& o, boost::asio::io_context& io, const std::string& host,
                   std::uint16_t port, load_run& run, std::optional<proc_sampler>& sampler) {
  auto driver = std::make_shared<http_driver>(
      io, host, port, o.connections, [&] { return run.next(); },
      [&](const http_job& job, const http_outcome& outcome) { run.done(job, outcome); });
  drive(o, io, driver, run, sampler);
}

/// The event phase over HTTP/2: h2c webhook streams, or (`ca_file`) TLS to the mock APNs.
void drive_h2(const bench_options& o, boost::asio::io_context& io, const std::string& host,
              std::uint16_t port, std::uint32_t connections, std::uint32_t streams,
              std::string ca_file, http_driver::next_fn next, http_driver::done_fn done,
              load_run& run, std::optional<proc_sampler>& sampler) {
  auto driver = std::make_shared<h2_driver>(io, host, port, connections, streams, std::move(next),
                                            std::move(done), std::move(ca_file));
  drive(o, io, driver, run, sampler);
}

} // namespace

int drive_events(const bench_options& o, boost::asio::io_context& io, const spawned_stack* stack,
                 const std::string& host, std::uint16_t port, load_run& run,
                 const event_factory& events, const population& people,
                 std::optional<proc_sampler>& sampler, bench_results& results) {
  if (o.via == "amqp") {
    const auto url = stack != nullptr ? stack->amqp_url() : o.amqp_url;
    const auto queue = stack != nullptr ? spawned_stack::amqp_queue() : o.amqp_queue;
    amqp_driver driver(
        url, queue, o.amqp_window, [&] { return run.next(); },
        [&](const http_job& job, const http_outcome& outcome) { run.done(job, outcome); },
        [&] { progress(o, run, sampler); });
    results.amqp_error = driver.run();
    if (!results.amqp_error.empty()) {
      std::cerr << "\nherald-bench: AMQP publisher: " << results.amqp_error << "\n";
    }
    run.abandon(); // what the broker never answered (after a failed connection) is failed
  } else if (o.via == "direct") {
    std::string error;
    auto token = bench_provider_token(*stack, error);
    if (!token) {
      std::cerr << "herald-bench: " << error << "\n";
      return 2;
    }
    direct_pushes pushes(run, events, people, *token);
    drive_h2(
        o, io, "127.0.0.1", stack->apns_port(), o.apns_connections, 1000,
        stack->pki().ca_cert.string(), [&] { return pushes.next(); },
        [&](const http_job& job, const http_outcome& outcome) { pushes.done(job, outcome); }, run,
        sampler);
  } else if (o.http2_streams > 0) {
    drive_h2(
        o, io, host, port, o.connections, o.http2_streams, {}, [&] { return run.next(); },
        [&](const http_job& job, const http_outcome& outcome) { run.done(job, outcome); }, run,
        sampler);
  } else {
    drive_webhook(o, io, host, port, run, sampler);
  }
  return 0;
}

herald_side herald_metrics(std::uint16_t metrics_port) {
  herald_side out;
  auto text = admin_get("127.0.0.1", metrics_port, "/metrics", 10);
  if (!text) {
    return out;
  }
  out.settled_accepted = 0;
  std::vector<std::pair<double, double>> buckets; // (le in seconds, cumulative count)
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto value = line.substr(line.rfind(' ') + 1);
    if (line.rfind("herald_amqp_messages_settled_total{", 0) == 0 &&
        line.find("outcome=\"accepted\"") != std::string::npos) {
      *out.settled_accepted += std::stod(value);
    } else if (line.rfind("herald_event_dispatch_seconds_bucket{le=\"", 0) == 0) {
      const auto from = line.find('"') + 1;
      const auto le = line.substr(from, line.find('"', from) - from);
      buckets.emplace_back(le == "+Inf" ? 1e9 : std::stod(le), std::stod(value));
    }
  }
  if (!buckets.empty() && buckets.back().second > 0) {
    herald_dispatch d;
    d.count = static_cast<std::uint64_t>(buckets.back().second);
    auto bound = [&](double share) {
      for (const auto& [le, n] : buckets) {
        if (n >= share * buckets.back().second) {
          return le * 1000;
        }
      }
      return buckets.back().first * 1000;
    };
    d.p50_le_ms = bound(0.5);
    d.p90_le_ms = bound(0.9);
    d.p99_le_ms = bound(0.99);
    out.dispatch = d;
  }
  return out;
}

} // namespace herald::bench
