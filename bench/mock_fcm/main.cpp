// herald-mock-fcm: a mock Firebase Cloud Messaging HTTP v1 API with its OAuth2 token endpoint,
// for tests and benchmarks. See bench/mock_fcm/README.md for the endpoints and options.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/mock_fcm/fcm_judge.hpp"
#include "bench/support/logged_mock.hpp"
#include "protocol/oauth.hpp"

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
  bench::mock_listener_options listener;
  listener.name = "herald-mock-fcm";
  bench::add_listener_options(app, listener);
  std::string account_file, public_key_file;
  bench::fcm_mock_config config;
  std::int64_t token_ttl = 3600;
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
  app.add_option("--fail-rate", config.fail_rate,
                 "Share of valid sends failed, evenly spread (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", config.fail_status, "Status of injected failures (429/5xx)")
      ->capture_default_str();
  app.add_option("--retry-after", config.retry_after_s, "retry-after seconds on failures");
  app.add_option("--unregistered-token", config.unregistered,
                 "Device token answered 404 UNREGISTERED (repeatable)");
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
  auto log = std::make_shared<bench::message_log>("name", !listener.no_bodies);
  auto judge = std::make_shared<bench::fcm_judge>(config);
  return bench::run_logged_mock(
      listener, log, [judge] { judge->revoke_tokens(); },
      [log, judge, no_bodies = listener.no_bodies](transports::h2_server_request request,
                                                   transports::h2_responder responder) {
        auto answer = judge->judge(request, std::chrono::system_clock::now());
        if (answer.what == bench::fcm_answer::kind::token) {
          log->token_request(answer.status == 200);
        } else if (answer.status == 200) {
          // A duplicate is the same message accepted twice for one device; without bodies, the
          // same call announced twice.
          log->accept(answer.token, answer.name, request, answer.call_id,
                      no_bodies ? answer.call_id : request.body);
        } else {
          log->reject(answer.status);
        }
        responder.respond(answer.status, bench::fcm_judge::headers(answer), std::move(answer.body));
      });
}
