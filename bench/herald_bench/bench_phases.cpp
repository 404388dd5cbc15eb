#include "bench/herald_bench/bench_phases.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <rapidjson/document.h>

#include "bench/herald_bench/admin_client.hpp"
#include "bench/herald_bench/ceiling_run.hpp"
#include "bench/herald_bench/cpu_budget.hpp"
#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/event_phase.hpp"
#include "bench/herald_bench/fcm_ceiling.hpp"
#include "bench/herald_bench/load_run.hpp"
#include "bench/herald_bench/plot_writer.hpp"
#include "bench/herald_bench/population.hpp"
#include "bench/herald_bench/proc_sampler.hpp"
#include "bench/herald_bench/registration_phase.hpp"
#include "bench/herald_bench/spawned_stack.hpp"
#include "bench/herald_bench/time_series.hpp"

namespace herald::bench {

namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

/// A mock provider's admin port.
struct mock_admin {
  std::string host;
  std::uint16_t port = 0;
};

/// `accepted` and `duplicates` summed over the mocks' brief /stats, or nullopt.
std::optional<std::pair<std::uint64_t, std::uint64_t>>
mock_counts(const std::vector<mock_admin>& mocks) {
  std::pair<std::uint64_t, std::uint64_t> sum{0, 0};
  for (const auto& m : mocks) {
    auto text = admin_get(m.host, m.port, "/stats?brief=1", 5);
    if (!text) {
      return std::nullopt;
    }
    rapidjson::Document doc;
    doc.Parse(text->c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("accepted") ||
        !doc.HasMember("duplicates")) {
      return std::nullopt;
    }
    sum.first += doc["accepted"].GetUint64();
    sum.second += doc["duplicates"].GetUint64();
  }
  return sum;
}

} // namespace

int run_bench(const bench_options& o, std::uint32_t run_tag, const std::filesystem::path& self,
              bench_results& results) {
  std::unique_ptr<spawned_stack> stack;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::vector<mock_admin> mocks(1, mock_admin{"127.0.0.1", 0});
  pid_t herald_pid = static_cast<pid_t>(o.herald_pid);
  results.mode = o.spawn ? "spawn" : "target";
  if (o.spawn) {
    stack = std::make_unique<spawned_stack>(o, self);
    if (auto problem = stack->start()) {
      std::cerr << "herald-bench: " << *problem << "\n";
      return 2;
    }
    port = stack->http_port();
    mocks[0].port = stack->mock_admin_port();
    if (stack->fcm_admin_port() != 0) {
      mocks.push_back({"127.0.0.1", stack->fcm_admin_port()});
    }
    herald_pid = stack->herald_pid();
  } else {
    if (!o.fcm_mock_admin.empty()) {
      mocks.emplace_back();
    }
    if (!parse_host_port(o.target, host, port) ||
        !parse_host_port(o.mock_admin, mocks[0].host, mocks[0].port) ||
        (mocks.size() > 1 && !parse_host_port(o.fcm_mock_admin, mocks[1].host, mocks[1].port))) {
      std::cerr << "herald-bench: --target / --mock-admin / --fcm-mock-admin must be "
                   "[http://]HOST:PORT\n";
      return 2;
    }
  }
  const auto baseline = mock_counts(mocks);
  if (!baseline) {
    std::cerr << "herald-bench: no /stats from the mock(s)\n";
    return 2;
  }

  boost::asio::io_context io(1);
  const auto people = register_population(io, o, run_tag, host, port, results);

  // Event phase, with a once-a-second progress line and RSS / CPU sample.
  event_factory events(people, o.seed);
  load_run run(o, people, events);
  std::optional<proc_sampler> sampler;
  if (herald_pid > 0) {
    sampler.emplace(herald_pid);
    sampler->sample();
  }
  // Herald's own pid also in target mode (--herald-pid); the mocks only when spawned.
  cpu_window cpu({herald_pid, stack ? stack->mock_pid() : 0, stack ? stack->fcm_mock_pid() : 0});
  if (drive_events(o, io, stack.get(), host, port, run, events, people, sampler, results) != 0) {
    return 2;
  }
  results.load = run.counters();
  results.load_s = run.elapsed_s();
  if (!o.quiet) {
    std::fprintf(stderr, "\n");
  }

  // Drain: wait (bounded) until the mock has accepted every expected push.
  const auto drain_start = clock::now();
  const auto expected = run.counters().pushes_expected;
  std::uint64_t accepted = 0, duplicates = 0;
  auto last_sample = drain_start;
  while (seconds_since(drain_start) < o.drain_timeout_s) {
    if (auto now = mock_counts(mocks)) {
      accepted = now->first - baseline->first;
      duplicates = now->second - baseline->second;
      // The mock's `accepted` counts a resent apns-id again; only distinct pushes drain.
      if (accepted >= expected + duplicates) {
        results.drained = true;
        break;
      }
    }
    if (sampler && seconds_since(last_sample) >= 1.0) {
      sampler->sample();
      last_sample = clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  results.drain_s = seconds_since(drain_start);
  cpu.stop();
  results.cpu_herald_s = cpu.seconds(0);
  results.cpu_bench_s = cpu.self();
  if (cpu.seconds(1) >= 0) {
    results.cpu_mocks_s = cpu.seconds(1) + std::max(0.0, cpu.seconds(2));
  }
  // A late duplicate (a resend after a lost ack) would show up just after; give it a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (auto now = mock_counts(mocks)) {
    duplicates = now->second - baseline->second;
  }
  results.mock_duplicates = duplicates;
  if (stack) {
    auto herald = herald_metrics(stack->metrics_port());
    results.amqp_settled = herald.settled_accepted.value_or(-1);
    results.dispatch = herald.dispatch;
  }
  if (sampler) {
    sampler->sample();
    results.herald_proc = sampler->samples();
  }
  std::string arrivals;
  for (const auto& m : mocks) {
    auto text = admin_get(m.host, m.port, "/arrivals", 120);
    if (!text) {
      std::cerr << "herald-bench: cannot read /arrivals from the mock at " << m.host << ":"
                << m.port << "\n";
      return 2;
    }
    arrivals += *text;
  }
  results.seen = check_delivery(arrivals, events, run);
  arrivals.clear();
  // Before `summarize` sorts e2e_us, which must stay parallel to arrival_us here.
  results.series = build_series(run.per_second(), results.seen.arrival_us, results.seen.e2e_us,
                                run.start_us(), results.herald_proc);
  results.rss = rss_flatness(results.herald_proc);
  if (!o.plot_dir.empty()) {
    auto [pngs, problem] = write_plots(o.plot_dir, results.series, o.label);
    results.plots = std::move(pngs);
    results.plot_error = std::move(problem);
    if (!results.plot_error.empty()) {
      std::cerr << "herald-bench: --plot: " << results.plot_error << "\n";
    }
  }
  auto ack = run.ack_us();
  results.ack = summarize(ack);
  results.e2e = summarize(results.seen.e2e_us);
  results.load_average = load_average();

  if (o.h2load && o.platforms != "fcm") {
    run_ceiling(o, stack.get(), events, results);
  }
  if (o.h2load && o.platforms != "apns") {
    if (stack) {
      run_fcm_ceiling(o, *stack, events, people, results);
    } else {
      results.h2load_fcm_error = "--h2load needs --spawn";
    }
  }
  if (stack && stack->stop() != 0) {
    std::cerr << "herald-bench: herald did not shut down cleanly\n";
  }
  const bool clean = results.amqp_error.empty() && results.seen.lost == 0 &&
                     results.registration_failures == 0 && results.load.events_failed == 0 &&
                     results.drained;
  return clean ? 0 : 1;
}

} // namespace herald::bench
