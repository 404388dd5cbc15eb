// The first vertical slice, every part real: herald serve + a mock APNs over TLS HTTP/2, an
// Event Grid batch in, a VoIP push out.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <thread>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(end_to_end, herald_fixture)

BOOST_AUTO_TEST_CASE(an_incoming_call_rings_the_registered_voip_device_exactly_once) {
  auto reg = register_device("iphone-1", registration_body(test_identity, "apns-voip", test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);

  auto posted = post_events(incoming_call_for(test_identity, false));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);

  BOOST_TEST_REQUIRE(wait_accepted(test_token, 1, 15s), herald->stderr_text());
  // Give a duplicate time to show up before asserting "exactly one".
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(accepted_at_mock(test_token) == 1);

  auto seen = http_get("127.0.0.1", mock_admin_port, "/notifications?token=" + test_token);
  auto doc = json_of(seen);
  BOOST_TEST_REQUIRE(doc.IsArray());
  BOOST_TEST_REQUIRE(doc.Size() == 1u);
  const auto& push = doc[0];
  const auto& headers = push["headers"];
  BOOST_TEST(std::string(headers["apns-push-type"].GetString()) == "voip");
  BOOST_TEST(std::string(headers["apns-topic"].GetString()) == test_bundle + ".voip");
  auto body = json_of(push["body"].GetString());
  BOOST_TEST(body["data"]["eventId"].GetInt() == 107);
  BOOST_TEST(std::string(body["data"]["recipientId"].GetString()) == test_identity);
  BOOST_TEST(std::string(body["data"]["callId"].GetString()) ==
             "d732db64-4803-462d-be9c-518943ea2b7a");
  BOOST_TEST(std::string(body["data"]["displayName"].GetString()) == "John Doe");

  BOOST_TEST(metric("herald_events_received_total") == 1.0);
  BOOST_TEST(metric(R"(herald_notifications_total{outcome="accepted",provider="apns"})") == 1.0);
}

BOOST_AUTO_TEST_CASE(the_samples_corrupted_call_context_is_counted_not_pushed) {
  auto reg = register_device("iphone-1", registration_body(test_identity, "apns-voip", test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);

  // The docs' sample as published: its incomingCallContext does not decode, so no ring can be
  // answered; Herald acknowledges the batch (Event Grid must not retry it) and counts it.
  auto posted = post_events(incoming_call_for(test_identity, true));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  auto until = std::chrono::steady_clock::now() + 10s;
  while (metric(R"(herald_notifications_total{outcome="invalid",provider="apns"})") < 1.0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(metric(R"(herald_notifications_total{outcome="invalid",provider="apns"})") == 1.0);
  BOOST_TEST(accepted_at_mock(test_token) == 0);
  BOOST_TEST(herald->running());
}

BOOST_AUTO_TEST_CASE(answers_the_event_grid_validation_handshake) {
  auto posted = post_events(read_sample("validation-eventgrid-1.json"));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  auto got = json_of(posted.body);
  auto want = json_of(read_sample("validation-response-1.json"));
  BOOST_TEST((got == want));
}

BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_client_error_and_never_a_crash) {
  auto not_json = post_events("this is not json");
  BOOST_TEST(not_json.status == 400);
  BOOST_TEST(not_json.header("content-type") == "application/problem+json");
  BOOST_TEST(json_of(not_json.body).HasMember("detail"));

  auto wrong_shape = post_events(R"([{"id":"1","eventType":"x"},{"eventType":"y","data":{}}])");
  BOOST_TEST(wrong_shape.status == 400);
  BOOST_TEST(wrong_shape.body.find("event 1") != std::string::npos, wrong_shape.body);
  BOOST_TEST(std::string(json_of(wrong_shape.body)["field"].GetString()) == "id");

  BOOST_TEST(post_events("[]", "text/plain").status == 415);
  BOOST_TEST(post_events(std::string(2 * 1024 * 1024, '[')).status == 413);

  auto bad_platform = register_device("d1", registration_body(test_identity, "nokia", test_token));
  BOOST_TEST(bad_platform.status == 400);
  BOOST_TEST(std::string(json_of(bad_platform.body)["field"].GetString()) == "platform");

  auto bad_token = register_device("d1", registration_body(test_identity, "apns", "xyz"));
  BOOST_TEST(bad_token.status == 400);
  BOOST_TEST(std::string(json_of(bad_token.body)["field"].GetString()) == "token");

  auto unknown_app = http_request("PUT", "127.0.0.1", http_port, "/v1/apps/nope/devices/d1",
                                  {{"content-type", "application/json"}},
                                  registration_body(test_identity, "apns", test_token));
  BOOST_TEST(unknown_app.status == 404);

  BOOST_TEST(http_request("GET", "127.0.0.1", http_port, "/nowhere").status == 404);
  BOOST_TEST(http_get("127.0.0.1", http_port, "/healthz").find("ok") != std::string::npos);
  BOOST_TEST(herald->running());
}

BOOST_AUTO_TEST_CASE(sigterm_shuts_down_cleanly) {
  BOOST_TEST(herald->stop(10s) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
