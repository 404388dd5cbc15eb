// herald-mock-fcm: a mock Firebase Cloud Messaging HTTP v1 API with its OAuth2 token endpoint,
// for tests and benchmarks. See bench/mock_fcm/README.md for the endpoints and options.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include "bench/mock_fcm/fcm_judge.hpp"
#include "bench/support/admin_server.hpp"
#include "bench/support/message_log.hpp"
#include "bench/support/ports_file.hpp"
#include "protocol/oauth.hpp"
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
  std::cerr << "herald-mock-fcm: " << message << "\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mock FCM HTTP v1 + OAuth2 token endpoint for Herald tests and benchmarks"};
  std::string listen = "127.0.0.1:0", admin = "127.0.0.1:0", cert, key, ports_file;
  std::string account_file, public_key_file;
  bool h2c = false;
  bench::fcm_mock_config config;
  std::uint32_t max_streams = 100, latency_ms = 0;
  std::int64_t token_ttl = 3600;
  app.add_option("--listen", listen, "HTTP/2 address host:port (port 0 = any)")
      ->capture_default_str();
  app.add_option("--admin", admin, "HTTP/1.1 stats address host:port")->capture_default_str();
  app.add_option("--tls-cert", cert, "PEM certificate chain (TLS with ALPN h2)");
  app.add_option("--tls-key", key, "PEM private key of --tls-cert");
  app.add_flag("--h2c", h2c, "Cleartext HTTP/2 with prior knowledge instead of TLS");
  app.add_option("--service-account", account_file,
                 "Service-account JSON: key, client_email and project_id to expect");
  app.add_option("--service-account-public-key", public_key_file,
                 "PEM RSA public key verifying token assertions");
  app.add_option("--client-email", config.client_email, "Expected assertion iss");
  app.add_option("--project", config.project_id, "Expected project id (empty: any)");
  app.add_option("--audience", config.audience,
                 "Expected assertion aud (default: https://<authority>/token as requested)");
  app.add_option("--token-ttl", token_ttl, "expires_in of issued access tokens, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--max-concurrent-streams", max_streams, "Advertised SETTINGS value")
      ->capture_default_str();
  app.add_option("--fail-rate", config.fail_rate,
                 "Share of valid sends failed, evenly spread (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", config.fail_status, "Status of injected failures (429/5xx)")
      ->capture_default_str();
  app.add_option("--retry-after", config.retry_after_s, "retry-after seconds on failures");
  app.add_option("--latency-ms", latency_ms, "Delay before each answer");
  app.add_option("--unregistered-token", config.unregistered,
                 "Device token answered 404 UNREGISTERED (repeatable)");
  app.add_option("--ports-file", ports_file,
                 "Write {\"listen\":P,\"admin\":P} here (atomically) once bound");
  CLI11_PARSE(app, argc, argv);
  config.token_ttl = std::chrono::seconds(token_ttl);

  if (!account_file.empty()) {
    auto text = read_file(account_file);
    if (!text) {
      return fail("cannot read --service-account " + account_file);
    }
    auto account = protocol::parse_google_service_account(*text);
    if (!account) {
      return fail("--service-account: " + account.error().describe());
    }
    config.public_key = account.value().private_key; // Its public half verifies.
    if (config.client_email.empty()) {
      config.client_email = account.value().client_email;
    }
    if (config.project_id.empty()) {
      config.project_id = account.value().project_id;
    }
  }
  if (!public_key_file.empty()) {
    auto pem = read_file(public_key_file);
    if (!pem) {
      return fail("cannot read --service-account-public-key " + public_key_file);
    }
    config.public_key = *pem;
  }
  if (auto problem = bench::fcm_judge::check_config(config)) {
    return fail(*problem + " (give --service-account or --service-account-public-key)");
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
  options.response_delay = std::chrono::milliseconds(latency_ms);

  boost::asio::io_context io(1);
  auto log = std::make_shared<bench::message_log>();
  auto judge = std::make_shared<bench::fcm_judge>(config);
  auto server = transports::h2_server::create(
      io, options,
      [log, judge](transports::h2_server_request request, transports::h2_responder responder) {
        auto answer = judge->judge(request, std::chrono::system_clock::now());
        if (answer.what == bench::fcm_answer::kind::token) {
          log->token_request(answer.status == 200);
        } else if (answer.status == 200) {
          log->accept(answer.token, answer.name, request);
        } else {
          log->reject(answer.status);
        }
        responder.respond(answer.status, bench::fcm_judge::headers(answer), std::move(answer.body));
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
                  log->notifications_json(bench::query_param(target, "token"))};
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
  std::cout << "herald-mock-fcm listening on " << options.host << ":" << bound.value()
            << (h2c ? " (h2c)" : " (TLS h2)") << ", admin on " << admin_host << ":" << admin_bound
            << std::endl;

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    server->abort();
    admin_server->stop();
    io.stop();
  });
  io.run();
  std::cout << "herald-mock-fcm stopped: " << log->stats_json() << std::endl;
  return 0;
}
