// herald-mock-wns: a mock Windows Push Notification Services (channel URIs and the OAuth2 token
// endpoint) for tests and benchmarks. See bench/README.md for the endpoints and options.
#include <CLI/CLI.hpp>

#include "bench/mock_wns/wns_judge.hpp"
#include "bench/support/logged_mock.hpp"

using namespace herald;

int main(int argc, char** argv) {
  CLI::App app{"Mock WNS (notifications + OAuth2 token endpoint) for Herald tests and benchmarks"};
  bench::mock_listener_options listener;
  listener.name = "herald-mock-wns";
  listener.notifications_filter = "channel";
  bench::add_listener_options(app, listener);
  bench::wns_mock_config config;
  std::vector<std::string> expired, invalid;
  std::int64_t token_ttl = config.token_ttl.count();
  app.add_option("--client-id", config.client_id, "Expected client_id (Package SID)")->required();
  app.add_option("--client-secret", config.client_secret, "Expected client_secret")->required();
  app.add_option("--token-path", config.token_path, "Path of the token endpoint")
      ->capture_default_str();
  app.add_option("--token-ttl", token_ttl, "expires_in of issued access tokens, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--fail-rate", config.fail_rate,
                 "Share of valid sends failed, evenly spread (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", config.fail_status, "Status of injected failures")
      ->capture_default_str()
      ->check(CLI::IsMember({406, 429, 500, 503}));
  app.add_option("--retry-after", config.retry_after_s, "retry-after seconds on failures");
  app.add_option("--expired-channel", expired,
                 "Channel (its token= value, else its path) answered 410 (repeatable)");
  app.add_option("--invalid-channel", invalid, "Channel answered 404 (repeatable)");
  CLI11_PARSE(app, argc, argv);
  config.token_ttl = std::chrono::seconds(token_ttl);
  config.expired_channels.insert(expired.begin(), expired.end());
  config.invalid_channels.insert(invalid.begin(), invalid.end());

  auto log = std::make_shared<bench::message_log>();
  auto judge = std::make_shared<bench::wns_judge>(config);
  return bench::run_logged_mock(
      listener, log, [judge] { judge->revoke_tokens(); },
      [log, judge](transports::h2_server_request request, transports::h2_responder responder) {
        auto answer = judge->judge(request, std::chrono::system_clock::now());
        if (answer.what == bench::wns_answer::kind::token) {
          log->token_request(answer.status == 200);
        } else if (answer.status == 200) {
          log->accept(answer.channel, answer.msg_id, request, {}, request.body);
        } else {
          log->reject(answer.status);
        }
        responder.respond(answer.status, bench::wns_judge::headers(answer), std::move(answer.body));
      });
}
