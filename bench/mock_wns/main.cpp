// herald-mock-wns: a mock Windows Push Notification Services (channel URIs and the OAuth2 token
// endpoint) for tests and benchmarks. See bench/README.md for the endpoints and options.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include "bench/mock_wns/wns_judge.hpp"
#include "bench/support/admin_server.hpp"
#include "bench/support/message_log.hpp"
#include "bench/support/ports_file.hpp"
#include "transports/h2_server.hpp"
#include "transports/tls_context.hpp"

using namespace herald;

namespace {

int fail(const std::string& message) {
  std::cerr << "herald-mock-wns: " << message << "\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mock WNS (notifications + OAuth2 token endpoint) for Herald tests and benchmarks"};
  std::string listen = "127.0.0.1:0", admin = "127.0.0.1:0", cert, key, ports_file;
  bool h2c = false;
  bench::wns_mock_config config;
  std::vector<std::string> expired, invalid;
  std::uint32_t max_streams = 100, latency_ms = 0;
  std::int64_t token_ttl = config.token_ttl.count();
  app.add_option("--listen", listen, "HTTP/2 address host:port (port 0 = any)")
      ->capture_default_str();
  app.add_option("--admin", admin, "HTTP/1.1 stats address host:port")->capture_default_str();
  app.add_option("--tls-cert", cert, "PEM certificate chain (TLS with ALPN h2)");
  app.add_option("--tls-key", key, "PEM private key of --tls-cert");
  app.add_flag("--h2c", h2c, "Cleartext HTTP/2 with prior knowledge instead of TLS");
  app.add_option("--client-id", config.client_id, "Expected client_id (Package SID)")->required();
  app.add_option("--client-secret", config.client_secret, "Expected client_secret")->required();
  app.add_option("--token-path", config.token_path, "Path of the token endpoint")
      ->capture_default_str();
  app.add_option("--token-ttl", token_ttl, "expires_in of issued access tokens, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--max-concurrent-streams", max_streams, "Advertised SETTINGS value")
      ->capture_default_str();
  app.add_option("--fail-rate", config.fail_rate,
                 "Share of valid sends failed, evenly spread (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", config.fail_status, "Status of injected failures")
      ->capture_default_str()
      ->check(CLI::IsMember({406, 429, 500, 503}));
  app.add_option("--retry-after", config.retry_after_s, "retry-after seconds on failures");
  app.add_option("--latency-ms", latency_ms, "Delay before each answer");
  app.add_option("--expired-channel", expired,
                 "Channel (its token= value, else its path) answered 410 (repeatable)");
  app.add_option("--invalid-channel", invalid, "Channel answered 404 (repeatable)");
  app.add_option("--ports-file", ports_file,
                 "Write {\"listen\":P,\"admin\":P} here (atomically) once bound");
  CLI11_PARSE(app, argc, argv);
  config.token_ttl = std::chrono::seconds(token_ttl);
  config.expired_channels.insert(expired.begin(), expired.end());
  config.invalid_channels.insert(invalid.begin(), invalid.end());

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
  options.response_delay = std::chrono::milliseconds(latency_ms);

  boost::asio::io_context io(1);
  auto log = std::make_shared<bench::message_log>();
  auto judge = std::make_shared<bench::wns_judge>(config);
  auto server = transports::h2_server::create(
      io, options,
      [log, judge](transports::h2_server_request request, transports::h2_responder responder) {
        auto answer = judge->judge(request, std::chrono::system_clock::now());
        if (answer.what == bench::wns_answer::kind::token) {
          log->token_request(answer.status == 200);
        } else if (answer.status == 200) {
          log->accept(answer.channel, answer.msg_id, request);
        } else {
          log->reject(answer.status);
        }
        responder.respond(answer.status, bench::wns_judge::headers(answer), std::move(answer.body));
      });
  auto bound = server->listen();
  if (!bound) {
    return fail("listen on " + listen + ": " + bound.error().message());
  }
  auto admin_server = std::make_shared<bench::admin_server>(
      io, [log, judge](const std::string& method, const std::string& target) -> bench::admin_reply {
        auto path = target.substr(0, target.find('?'));
        if (method == "GET" && path == "/stats") {
          return {200, "application/json", log->stats_json()};
        }
        if (method == "GET" && path == "/notifications") {
          return {200, "application/json",
                  log->notifications_json(bench::query_param(target, "channel"))};
        }
        if (method == "DELETE" && path == "/notifications") {
          log->clear();
          return {204, "application/json", ""};
        }
        if (method == "DELETE" && path == "/tokens") {
          // Same io thread as the HTTP/2 sessions: the judge needs no lock.
          judge->revoke_tokens();
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
  std::cout << "herald-mock-wns listening on " << options.host << ":" << bound.value()
            << (h2c ? " (h2c)" : " (TLS h2)") << ", admin on " << admin_host << ":" << admin_bound
            << std::endl;

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    server->abort();
    admin_server->stop();
    io.stop();
  });
  io.run();
  std::cout << "herald-mock-wns stopped: " << log->stats_json() << std::endl;
  return 0;
}
