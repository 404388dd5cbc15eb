// herald-mock-apns: a mock Apple Push Notification service for tests and benchmarks.
// See bench/README.md for the endpoints and options.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <CLI/CLI.hpp>

#include "bench/mock_apns/apns_judge.hpp"
#include "bench/support/admin_server.hpp"
#include "bench/support/message_log.hpp"
#include "bench/support/ports_file.hpp"
#include "bench/support/spike_schedule.hpp"
#include "transports/h2_server.hpp"
#include "transports/tls_context.hpp"

using namespace herald;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int fail(const std::string& message) {
  std::cerr << "herald-mock-apns: " << message << "\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mock APNs (HTTP/2 provider API) for Herald tests and benchmarks"};
  std::string listen = "127.0.0.1:0", admin = "127.0.0.1:0", cert, key, public_key_file, ports_file;
  bool h2c = false, no_bodies = false;
  bench::apns_mock_config config;
  std::uint32_t max_streams = 1000, goaway_after = 0, latency_ms = 0, spike_every_ms = 0,
                spike_ms = 0, connection_window = 0;
  app.add_option("--listen", listen, "HTTP/2 address host:port (port 0 = any)")
      ->capture_default_str();
  app.add_option("--admin", admin, "HTTP/1.1 stats address host:port")->capture_default_str();
  app.add_option("--tls-cert", cert, "PEM certificate chain (TLS with ALPN h2)");
  app.add_option("--tls-key", key, "PEM private key of --tls-cert");
  app.add_flag("--h2c", h2c, "Cleartext HTTP/2 with prior knowledge instead of TLS");
  app.add_option("--bundle-id", config.bundle_id, "Expected apns-topic (.voip for VoIP)");
  app.add_option("--team-id", config.team_id, "Expected JWT iss");
  app.add_option("--key-id", config.key_id, "Expected JWT kid");
  app.add_option("--public-key", public_key_file,
                 "PEM public key verifying provider tokens (none: tokens not checked)");
  app.add_option("--max-concurrent-streams", max_streams, "Advertised SETTINGS value")
      ->capture_default_str();
  app.add_option("--connection-window", connection_window,
                 "Connection receive window in bytes (0 = HTTP/2's initial 65535)")
      ->capture_default_str();
  app.add_option("--fail-rate", config.fail_rate, "Share of valid requests failed (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", config.fail_status, "Status of injected failures")
      ->capture_default_str();
  app.add_option("--retry-after", config.retry_after_s, "retry-after seconds on failures");
  app.add_option("--latency-ms", latency_ms, "Delay before each answer");
  app.add_option("--goaway-after", goaway_after, "GOAWAY after N requests per connection");
  app.add_option("--spike-every-ms", spike_every_ms,
                 "Latency spikes: one every N ms from the start (with --spike-ms)");
  app.add_option("--spike-ms", spike_ms,
                 "Requests arriving in the first M ms of each spike period wait M ms");
  app.add_option("--unregistered-token", config.unregistered,
                 "Token answered 410 Unregistered (repeatable)");
  app.add_flag("--no-bodies", no_bodies,
               "Record only ids and arrival times, not headers and payloads (benchmarks)");
  app.add_option("--ports-file", ports_file,
                 "Write {\"listen\":P,\"admin\":P} here (atomically) once bound");
  CLI11_PARSE(app, argc, argv);

  if ((spike_every_ms == 0) != (spike_ms == 0) || spike_ms > spike_every_ms) {
    return fail("--spike-every-ms N and --spike-ms M go together, with M <= N");
  }
  if (!public_key_file.empty()) {
    auto pem = read_file(public_key_file);
    if (!pem) {
      return fail("cannot read --public-key " + public_key_file);
    }
    config.public_key = *pem;
    if (auto problem = bench::apns_judge::check_config(config)) {
      return fail(*problem);
    }
  }
  transports::h2_server_options options;
  if (!bench::split_host_port(listen, options.host, options.port)) {
    return fail("--listen must be host:port, got " + listen);
  }
  std::string admin_host;
  std::uint16_t admin_port = 0;
  if (!bench::split_host_port(admin, admin_host, admin_port)) {
    return fail("--admin must be host:port, got " + admin);
  }
  if (!h2c) {
    if (cert.empty() || key.empty()) {
      return fail("TLS needs --tls-cert and --tls-key (or use --h2c)");
    }
    auto tls = transports::tls_context::make_server({cert, key, {"h2"}});
    if (!tls) {
      return fail(tls.error().detail);
    }
    options.tls = tls.value();
  }
  options.max_concurrent_streams = max_streams;
  options.goaway_after_streams = goaway_after;
  options.response_delay = std::chrono::milliseconds(latency_ms);
  options.connection_window = connection_window;

  boost::asio::io_context io(1);
  auto log = std::make_shared<bench::message_log>("apns_id", !no_bodies);
  auto judge = std::make_shared<bench::apns_judge>(config);
  const bench::spike_schedule spikes(spike_every_ms, spike_ms);
  auto server = transports::h2_server::create(
      io, options,
      [log, judge, spikes, &io](transports::h2_server_request request,
                                transports::h2_responder responder) {
        auto answer = judge->judge(request, std::chrono::system_clock::now());
        if (answer.status == 200) {
          // A duplicate is the same client-chosen apns-id accepted twice (a replayed push).
          log->accept(answer.token, answer.apns_id, request, request.header("apns-collapse-id"),
                      request.header("apns-id").empty() ? std::string() : answer.apns_id);
        } else {
          log->reject(answer.status);
        }
        transports::h2_headers headers;
        std::string body;
        bench::apns_judge::encode(answer, headers, body);
        const auto delay = spikes.delay(std::chrono::steady_clock::now());
        if (delay.count() == 0) {
          responder.respond(answer.status, std::move(headers), std::move(body));
          return;
        }
        auto timer = std::make_shared<boost::asio::steady_timer>(io, delay);
        timer->async_wait([timer, responder, status = answer.status, headers = std::move(headers),
                           body = std::move(body)](boost::system::error_code) mutable {
          responder.respond(status, std::move(headers), std::move(body));
        });
      });
  auto bound = server->listen();
  if (!bound) {
    return fail("listen on " + listen + ": " + bound.error().message());
  }
  auto admin_server = std::make_shared<bench::admin_server>(
      io, [log](const std::string& method, const std::string& target) -> bench::admin_reply {
        auto path = target.substr(0, target.find('?'));
        if (method == "GET" && path == "/stats") {
          return {200, "application/json",
                  log->stats_json(bench::query_param(target, "brief").empty())};
        }
        if (method == "GET" && path == "/notifications") {
          return {200, "application/json",
                  log->notifications_json(bench::query_param(target, "token"))};
        }
        if (method == "GET" && path == "/arrivals") {
          return {200, "text/plain", log->arrivals_text()};
        }
        if (method == "DELETE" && path == "/notifications") {
          log->clear();
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
  if (!ports_file.empty()) {
    if (auto problem = bench::write_ports_file(
            ports_file, {{"listen", bound.value()}, {"admin", admin_bound}})) {
      return fail(*problem);
    }
  }
  std::cout << "herald-mock-apns listening on " << options.host << ":" << bound.value()
            << (h2c ? " (h2c)" : " (TLS h2)") << ", admin on " << admin_host << ":" << admin_bound
            << std::endl;

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    server->abort();
    admin_server->stop();
    io.stop();
  });
  io.run();
  std::cout << "herald-mock-apns stopped: " << log->stats_json() << std::endl;
  return 0;
}
