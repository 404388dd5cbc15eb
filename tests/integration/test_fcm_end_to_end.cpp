// FCM end to end, every part real: herald serve + a mock FCM (HTTP v1 + OAuth2 token
// endpoint) over TLS HTTP/2, an Event Grid batch in, data messages out.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/mock_fcm_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

const std::string android_token = "fcm-token-" + std::string(140, 'x');
const std::string dead_token = "fcm-dead-" + std::string(140, 'd');

/// A mock FCM and a Herald whose app `android` sends through it (app `demo` keeps APNs).
struct fcm_setup {
  explicit fcm_setup(const std::vector<std::string>& mock_args = {})
      : fcm(mock_args), node(options_for(fcm)) {}

  static herald_fixture_options options_for(const mock_fcm_fixture& mock) {
    herald_fixture_options options;
    options.extra_config = mock.herald_config("android");
    return options;
  }

  http_reply register_android(const std::string& device, const std::string& token) {
    return http_request("PUT", "127.0.0.1", node.http_port, "/v1/apps/android/devices/" + device,
                        {{"content-type", "application/json"}},
                        R"({"identity":")" + test_identity + R"(","platform":"fcm","token":")" +
                            token + R"("})");
  }

  mock_fcm_fixture fcm;
  herald_fixture node;
};

} // namespace

BOOST_AUTO_TEST_SUITE(fcm_end_to_end)

BOOST_AUTO_TEST_CASE(an_incoming_call_sends_one_string_only_data_message) {
  fcm_setup s;
  auto reg = s.register_android("pixel-1", android_token);
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body << "\n" << s.node.herald->stderr_text());

  auto posted = s.node.post_events(numbered_incoming_call(1));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 1, 15s), s.node.herald->stderr_text());
  std::this_thread::sleep_for(500ms); // A duplicate would show up by now.
  BOOST_TEST(s.fcm.accepted_for(android_token) == 1);
  BOOST_TEST(s.fcm.stat("token_requests") >= 1);
  BOOST_TEST(s.fcm.stat("duplicates") == 0);

  auto seen = json_of(s.fcm.notifications(android_token));
  BOOST_TEST_REQUIRE(seen.IsArray());
  BOOST_TEST_REQUIRE(seen.Size() == 1u);
  auto body = json_of(seen[0]["body"].GetString());
  const auto& message = body["message"];
  BOOST_TEST(std::string(message["token"].GetString()) == android_token);
  const auto& data = message["data"];
  BOOST_TEST_REQUIRE(data.IsObject());
  for (const auto& field : data.GetObject()) {
    BOOST_TEST(field.value.IsString(), "data." << field.name.GetString() << " is not a string");
  }
  BOOST_TEST(std::string(data["eventId"].GetString()) == "107");
  BOOST_TEST(std::string(data["callId"].GetString()) == "d732db64-4803-462d-be9c-100000000001");
  BOOST_TEST(std::string(message["android"]["priority"].GetString()) == "high");
  BOOST_TEST(s.node.metric(R"(herald_notifications_total{outcome="accepted",provider="fcm"})") ==
             1.0);
}

BOOST_AUTO_TEST_CASE(an_unregistered_token_is_pruned_and_not_sent_again) {
  fcm_setup s({"--unregistered-token", dead_token});
  BOOST_TEST_REQUIRE(s.register_android("pixel-dead", dead_token).status == 200);
  BOOST_TEST_REQUIRE(s.register_android("pixel-live", android_token).status == 200);

  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.node.wait_metric(R"(herald_pruned_tokens_total{provider="fcm"})", 1.0, 15s),
                     s.node.herald->stderr_text());
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 1, 15s));
  BOOST_TEST(s.fcm.stat("rejected") == 1);

  // The second event reaches the live device only: no new request for the pruned token.
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 2, 15s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(s.fcm.stat("rejected") == 1);
  BOOST_TEST(s.node.metric(R"(herald_pruned_tokens_total{provider="fcm"})") == 1.0);
}

BOOST_AUTO_TEST_CASE(injected_503s_are_retried_until_every_event_arrives) {
  fcm_setup s({"--fail-rate", "0.5", "--fail-status", "503", "--retry-after", "0"});
  BOOST_TEST_REQUIRE(s.register_android("pixel-1", android_token).status == 200);
  constexpr int events = 6;
  for (int i = 1; i <= events; ++i) {
    BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(i)).status == 200);
  }
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, events, 25s),
                     "accepted " << s.fcm.accepted_for(android_token));
  BOOST_TEST(s.fcm.stat("rejected") >= 1); // The faults did happen.
  BOOST_TEST(s.fcm.stat("duplicates") == 0);
  BOOST_TEST(s.node.metric(R"(herald_notification_retries_total{provider="fcm"})") >= 1.0);
}

BOOST_AUTO_TEST_CASE(a_short_lived_access_token_is_refreshed_before_it_expires) {
  fcm_setup s({"--token-ttl", "2"});
  BOOST_TEST_REQUIRE(s.register_android("pixel-1", android_token).status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 1, 15s));
  // Refreshed at half its life (1 s) without any traffic; a send after the first token's
  // expiry still goes through without a 401.
  std::this_thread::sleep_for(2500ms);
  BOOST_TEST(s.fcm.stat("token_requests") >= 2);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 2, 15s));
  BOOST_TEST(s.fcm.stat("rejected") == 0);
}

BOOST_AUTO_TEST_CASE(a_revoked_access_token_is_refreshed_once_and_the_message_resent) {
  fcm_setup s;
  BOOST_TEST_REQUIRE(s.register_android("pixel-1", android_token).status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 1, 15s));
  BOOST_TEST(s.fcm.stat("token_requests") == 1);

  auto revoked = http_request("DELETE", "127.0.0.1", s.fcm.admin_port, "/tokens");
  BOOST_TEST_REQUIRE(revoked.status == 204);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.fcm.wait_accepted(android_token, 2, 15s), s.node.herald->stderr_text());
  BOOST_TEST(s.fcm.stat("rejected") == 1); // The one 401.
  BOOST_TEST(s.fcm.stat("token_requests") == 2);
  BOOST_TEST(s.node.metric(
                 R"(herald_credential_refreshes_total{provider="fcm",result="refused"})") == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
