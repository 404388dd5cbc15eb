#include "bench/support/logged_mock.hpp"

#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/support/admin_server.hpp"
#include "bench/support/ports_file.hpp"
#include "bench/support/spike_schedule.hpp"
#include "transports/tls_context.hpp"

namespace herald::bench {

void add_listener_options(CLI::App& app, mock_listener_options& o) {
  app.add_option("--listen", o.listen, "HTTP/2 address host:port (port 0 = any)")
      ->capture_default_str();
  app.add_option("--admin", o.admin, "HTTP/1.1 stats address host:port")->capture_default_str();
  app.add_option("--tls-cert", o.cert, "PEM certificate chain (TLS with ALPN h2)");
  app.add_option("--tls-key", o.key, "PEM private key of --tls-cert");
  app.add_flag("--h2c", o.h2c, "Cleartext HTTP/2 with prior knowledge instead of TLS");
  app.add_option("--max-concurrent-streams", o.max_streams, "Advertised SETTINGS value")
      ->capture_default_str();
  app.add_option("--latency-ms", o.latency_ms, "Delay before each answer");
  app.add_option("--goaway-after", o.goaway_after, "GOAWAY after N requests per connection");
  app.add_option("--spike-every-ms", o.spike_every_ms,
                 "Latency spikes: one every N ms from the start (with --spike-ms)");
  app.add_option("--spike-ms", o.spike_ms,
                 "Requests arriving in the first M ms of each spike period wait M ms");
  app.add_flag("--no-bodies", o.no_bodies,
               "Record only ids and arrival times, not headers and payloads (benchmarks)");
  app.add_option("--ports-file", o.ports_file,
                 "Write {\"listen\":P,\"admin\":P} here (atomically) once bound");
}

int run_logged_mock(const mock_listener_options& o, std::shared_ptr<message_log> log,
                    std::function<void()> revoke_tokens, transports::h2_request_handler handler) {
  auto fail = [&o](const std::string& message) {
    std::cerr << o.name << ": " << message << "\n";
    return 2;
  };
  if ((o.spike_every_ms == 0) != (o.spike_ms == 0) || o.spike_ms > o.spike_every_ms) {
    return fail("--spike-every-ms N and --spike-ms M go together, with M <= N");
  }
  transports::h2_server_options options;
  if (!split_host_port(o.listen, options.host, options.port)) {
    return fail("--listen must be host:port, got " + o.listen);
  }
  std::string admin_host;
  std::uint16_t admin_port = 0;
  if (!split_host_port(o.admin, admin_host, admin_port)) {
    return fail("--admin must be host:port, got " + o.admin);
  }
  if (!o.h2c) {
    if (o.cert.empty() || o.key.empty()) {
      return fail("TLS needs --tls-cert and --tls-key (or use --h2c)");
    }
    auto tls = transports::tls_context::make_server({o.cert, o.key, {"h2"}});
    if (!tls) {
      return fail(tls.error().detail);
    }
    options.tls = tls.value();
  }
  options.max_concurrent_streams = o.max_streams;
  options.response_delay = std::chrono::milliseconds(o.latency_ms);
  options.goaway_after_streams = o.goaway_after;

  boost::asio::io_context io(1);
  if (o.spike_every_ms > 0) {
    // The request keeps its arrival time; only the judging and the answer wait.
    handler = [inner = std::move(handler), spikes = spike_schedule(o.spike_every_ms, o.spike_ms),
               &io](transports::h2_server_request request, transports::h2_responder responder) {
      const auto delay = spikes.delay(std::chrono::steady_clock::now());
      if (delay.count() == 0) {
        inner(std::move(request), std::move(responder));
        return;
      }
      auto timer = std::make_shared<boost::asio::steady_timer>(io, delay);
      timer->async_wait([timer, &inner, request = std::move(request),
                         responder](boost::system::error_code) mutable {
        inner(std::move(request), std::move(responder));
      });
    };
  }
  auto server = transports::h2_server::create(io, options, std::move(handler));
  auto bound = server->listen();
  if (!bound) {
    return fail("listen on " + o.listen + ": " + bound.error().message());
  }
  auto admin_server = std::make_shared<bench::admin_server>(
      io,
      [log, revoke = std::move(revoke_tokens), filter = o.notifications_filter](
          const std::string& method, const std::string& target) -> admin_reply {
        auto path = target.substr(0, target.find('?'));
        if (method == "GET" && path == "/stats") {
          return {200, "application/json", log->stats_json(query_param(target, "brief").empty())};
        }
        if (method == "GET" && path == "/arrivals") {
          return {200, "text/plain", log->arrivals_text()};
        }
        if (method == "GET" && path == "/notifications") {
          return {200, "application/json", log->notifications_json(query_param(target, filter))};
        }
        if (method == "DELETE" && path == "/notifications") {
          log->clear();
          return {204, "application/json", ""};
        }
        if (method == "DELETE" && path == "/tokens") {
          revoke(); // Same io thread as the HTTP/2 sessions: the judge needs no lock.
          return {204, "application/json", ""};
        }
        if (method == "GET" && path == "/healthz") {
          return {200, "text/plain", "ok\n"};
        }
        return {404, "application/json", "{\"error\":\"not found\"}"};
      });
  std::string error;
  auto admin_bound = admin_server->listen(admin_host, admin_port, error);
  if (admin_bound == 0) {
    return fail(error);
  }
  if (!o.ports_file.empty()) {
    if (auto problem =
            write_ports_file(o.ports_file, {{"listen", bound.value()}, {"admin", admin_bound}})) {
      return fail(*problem);
    }
  }
  std::cout << o.name << " listening on " << options.host << ":" << bound.value()
            << (o.h2c ? " (h2c)" : " (TLS h2)") << ", admin on " << admin_host << ":" << admin_bound
            << std::endl;

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    server->abort();
    admin_server->stop();
    io.stop();
  });
  io.run();
  std::cout << o.name << " stopped: " << log->stats_json() << std::endl;
  return 0;
}

} // namespace herald::bench
