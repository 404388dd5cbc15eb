#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

#include "protocol/apns_request.hpp"
#include "protocol/base64url.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(HERALD_SAMPLES_DIR) + "/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing sample " << name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const system_clock::time_point now = sys_days{year{2024} / 3 / 1} + 12h;
const std::int64_t now_s = duration_cast<seconds>(now.time_since_epoch()).count();
const std::string token(64, 'a');

intent ring() {
  intent in;
  in.kind = intent_kind::ring;
  in.recipient = "8:acs:callee";
  in.event_id = "ev-1";
  in.call.call_id = "6ba4ab8f-6f5c-4e6b-8c1f-1d1c2a2b7e10";
  in.call.caller_raw_id = "8:acs:caller";
  in.call.incoming_call_context =
      base64url_encode("{}") + "." + base64url_encode(R"({"cc":"QUJD"})") + ".sig";
  return in;
}

intent chat(std::string body) {
  intent in;
  in.kind = intent_kind::chat_alert;
  in.event_id = "ev-2";
  in.event_type = "Microsoft.Communication.ChatMessageReceived";
  in.chat.sender_display_name = "Ada";
  in.chat.message_body = std::move(body);
  in.chat.thread_id = "19:t";
  in.chat.message_id = "1700000000000";
  return in;
}

registration reg(platform p) {
  registration r;
  r.app = "app";
  r.device_id = "phone-1";
  r.channel = p;
  r.token = token;
  return r;
}

apns_settings settings() {
  apns_settings s;
  s.bundle_id = "com.example.app";
  return s;
}

provider_response response(int status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  return provider_response{status, std::move(headers), std::move(body)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(apns_request)

BOOST_AUTO_TEST_CASE(ring_on_voip_token_is_a_voip_push) {
  const auto uut = encode_apns(ring(), reg(platform::apns_voip), settings(), now);
  BOOST_REQUIRE(uut.has_value());
  const auto& req = uut.value();
  BOOST_TEST(req.method == "POST");
  BOOST_TEST(req.path == "/3/device/" + token);
  BOOST_TEST(req.header("apns-push-type") == "voip");
  BOOST_TEST(req.header("apns-topic") == "com.example.app.voip");
  BOOST_TEST(req.header("apns-priority") == "10");
  BOOST_TEST(req.header("apns-expiration") == std::to_string(now_s + 30));
  BOOST_TEST(req.header("apns-collapse-id") == ring().call.call_id);
  BOOST_TEST(req.header("authorization").empty());
  BOOST_TEST(req.header("content-type") == "application/json");
  rapidjson::Document doc;
  doc.Parse(req.body.c_str());
  BOOST_TEST(doc["data"]["eventId"].GetInt() == 107);
  BOOST_TEST(doc["data"]["cp"].GetString() == std::string("QUJD"));
}

BOOST_AUTO_TEST_CASE(apns_id_is_a_stable_v5_uuid_per_notification) {
  const auto a = encode_apns(ring(), reg(platform::apns_voip), settings(), now).value();
  const auto b = encode_apns(ring(), reg(platform::apns_voip), settings(), now + 5s).value();
  auto other = reg(platform::apns_voip);
  other.device_id = "phone-2";
  const auto c = encode_apns(ring(), other, settings(), now).value();
  const auto& id = a.header("apns-id");
  BOOST_TEST(id.size() == 36u);
  BOOST_TEST(id[14] == '5');
  BOOST_TEST((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));
  BOOST_TEST(id == b.header("apns-id"));
  BOOST_TEST(id != c.header("apns-id"));
}

BOOST_AUTO_TEST_CASE(apns_id_is_sha1_of_event_device_kind_and_channel) {
  // Known answers: SHA-1 of "<event id>\n<device id>\nring\napns-voip" with the version and
  // variant bits set (computed independently), also for ids longer than the join buffer.
  const auto id_for = [](std::string event_id, std::string device_id) {
    auto in = ring();
    in.event_id = std::move(event_id);
    auto r = reg(platform::apns_voip);
    r.device_id = std::move(device_id);
    return std::string{encode_apns(in, r, settings(), now).value().header("apns-id")};
  };
  BOOST_TEST(id_for("ev-1", "phone-1") == "e9f591ba-3067-567c-9a42-facdf681aa28");
  BOOST_TEST(id_for("ev-1", std::string(300, 'd')) == "b31b1113-ab7b-5e0d-ac1a-90b917de0727");
  BOOST_TEST(id_for(std::string(250, 'e'), "phone-1") == "ed353540-effd-5f62-b5c0-b83e5d72ee23");
}

BOOST_AUTO_TEST_CASE(cancel_ring_on_voip_token_sends_stop_ringing) {
  auto in = ring();
  in.kind = intent_kind::cancel_ring;
  const auto uut = encode_apns(in, reg(platform::apns_voip), settings(), now);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().header("apns-push-type") == "voip");
  BOOST_TEST(uut.value().header("apns-collapse-id") == in.call.call_id);
  rapidjson::Document doc;
  doc.Parse(uut.value().body.c_str());
  BOOST_TEST(doc["data"]["eventId"].GetInt() == 110);
}

BOOST_AUTO_TEST_CASE(call_on_alert_token_is_a_background_push) {
  const auto uut = encode_apns(ring(), reg(platform::apns), settings(), now);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().header("apns-push-type") == "background");
  BOOST_TEST(uut.value().header("apns-priority") == "5");
  BOOST_TEST(uut.value().header("apns-topic") == "com.example.app");
  rapidjson::Document doc;
  doc.Parse(uut.value().body.c_str());
  BOOST_TEST(doc["aps"]["content-available"].GetInt() == 1);
}

BOOST_AUTO_TEST_CASE(chat_alert_uses_template_and_alert_headers) {
  auto s = settings();
  s.templates.set("Microsoft.Communication.ChatMessageReceived",
                  {"{senderdisplayname} says", "{messagebody}"});
  const auto uut = encode_apns(chat("hi"), reg(platform::apns), s, now);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().header("apns-push-type") == "alert");
  BOOST_TEST(uut.value().header("apns-priority") == "10");
  BOOST_TEST(uut.value().header("apns-expiration") == std::to_string(now_s + 86400));
  BOOST_TEST(uut.value().header("apns-collapse-id") == "1700000000000");
  rapidjson::Document doc;
  doc.Parse(uut.value().body.c_str());
  BOOST_TEST(doc["aps"]["alert"]["title"].GetString() == std::string("Ada says"));
  BOOST_TEST(doc["aps"]["alert"]["body"].GetString() == std::string("hi"));
  BOOST_TEST(doc["aps"]["thread-id"].GetString() == std::string("19:t"));
}

BOOST_AUTO_TEST_CASE(zero_alert_ttl_means_deliver_once) {
  auto s = settings();
  s.alert_ttl = seconds{0};
  BOOST_TEST(
      encode_apns(chat("x"), reg(platform::apns), s, now).value().header("apns-expiration") == "0");
}

BOOST_AUTO_TEST_CASE(chat_body_exactly_at_limit_is_kept_and_one_more_byte_is_truncated) {
  const auto base = encode_apns(chat(""), reg(platform::apns), settings(), now).value().body.size();
  const std::string fits(apns_max_payload - base, 'x');
  const auto exact = encode_apns(chat(fits), reg(platform::apns), settings(), now).value();
  BOOST_TEST(exact.body.size() == apns_max_payload);
  BOOST_TEST(exact.body.find("\xE2\x80\xA6") == std::string::npos);
  const auto over = encode_apns(chat(fits + "x"), reg(platform::apns), settings(), now).value();
  BOOST_TEST(over.body.size() == apns_max_payload);
  BOOST_TEST(over.body.find("\xE2\x80\xA6") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(multibyte_and_escaped_bodies_are_truncated_within_limit) {
  std::string body;
  for (int i = 0; i < 3000; ++i) {
    body += "\xF0\x9F\x98\x80\"\n"; // 4-byte emoji, and characters JSON must escape
  }
  const auto uut = encode_apns(chat(body), reg(platform::apns), settings(), now);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().body.size() <= apns_max_payload);
  rapidjson::Document doc;
  doc.Parse(uut.value().body.c_str());
  BOOST_REQUIRE(!doc.HasParseError());
  const std::string text = doc["aps"]["alert"]["body"].GetString();
  BOOST_REQUIRE(text.size() > 1000u);
  BOOST_TEST(text.substr(text.size() - 3) == "\xE2\x80\xA6");
}

BOOST_AUTO_TEST_CASE(checks_every_digit_of_the_device_token) {
  // The check runs 16 characters per step, then one by one: a bad character is found in every
  // position, including the characters next to the digit and letter ranges.
  auto r = reg(platform::apns_voip);
  r.token = "0123456789abcdefABCDEF" + std::string(42, '9');
  BOOST_TEST(encode_apns(ring(), r, settings(), now).has_value());
  for (const std::size_t size : {64u, 70u}) {
    for (std::size_t at = 0; at < size; ++at) {
      for (const char bad : {'/', ':', '@', 'G', '`', 'g', '\x10', '\x80', '\xC1'}) {
        r.token = std::string(size, 'c');
        r.token[at] = bad;
        const auto uut = encode_apns(ring(), r, settings(), now);
        BOOST_TEST_REQUIRE(!uut.has_value(), "accepted " << int(bad) << " at " << at);
        BOOST_TEST(uut.error().field == "token");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_bad_inputs) {
  auto r = reg(platform::apns);
  r.token = "zz";
  BOOST_TEST(encode_apns(chat("x"), r, settings(), now).error().field == "token");
  r.token.clear();
  BOOST_TEST((encode_apns(chat("x"), r, settings(), now).error().code == errc::missing_field));
  BOOST_TEST((encode_apns(chat("x"), reg(platform::apns_voip), settings(), now).error().code ==
              errc::unsupported));
  BOOST_TEST((encode_apns(chat("x"), reg(platform::fcm), settings(), now).error().code ==
              errc::unsupported));
  BOOST_TEST(encode_apns(chat("x"), reg(platform::apns), apns_settings{}, now).error().field ==
             "bundle_id");
  auto bad_ring = ring();
  bad_ring.call.incoming_call_context = "{incoming-call-contextValue}";
  BOOST_TEST(encode_apns(bad_ring, reg(platform::apns_voip), settings(), now).error().field ==
             "data.incomingCallContext");
}

BOOST_AUTO_TEST_CASE(long_call_id_is_not_used_as_collapse_id) {
  auto in = ring();
  in.call.call_id = std::string(65, 'c');
  BOOST_TEST(encode_apns(in, reg(platform::apns_voip), settings(), now)
                 .value()
                 .header("apns-collapse-id")
                 .empty());
}

BOOST_AUTO_TEST_CASE(authorization_helper_and_hosts) {
  BOOST_TEST(apns_authorization("abc") == "bearer abc");
  BOOST_TEST(apns_host(environment::sandbox) == "api.sandbox.push.apple.com");
  BOOST_TEST(apns_host(environment::production) == "api.push.apple.com");
}

// --- classify_apns ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_apns_sample_gets_its_verdict) {
  struct expectation {
    const char* file;
    int status;
    const char* reason;
    bool dead;
  };
  // Statuses from samples/SOURCES.md (DeviceTokenNotForTopic-2 and MissingDeviceToken are
  // 400 in Apple's table).
  const expectation cases[] = {
      {"apns-error-BadDeviceToken.json", 400, "BadDeviceToken", true},
      {"apns-error-DeviceTokenNotForTopic.json", 400, "DeviceTokenNotForTopic", true},
      {"apns-error-DeviceTokenNotForTopic-2.json", 400, "DeviceTokenNotForTopic", true},
      {"apns-error-MissingDeviceToken.json", 400, "MissingDeviceToken", false},
      {"apns-error-Unregistered.json", 410, "Unregistered", true},
  };
  for (const auto& c : cases) {
    const auto uut = classify_apns(response(c.status, sample(c.file)), now);
    BOOST_TEST_CONTEXT(c.file) {
      BOOST_TEST(to_string(uut.kind) == to_string(verdict_kind::rejected));
      BOOST_TEST(uut.reason == c.reason);
      BOOST_TEST(uut.token_dead == c.dead);
      BOOST_TEST(uut.status == c.status);
    }
  }
}

BOOST_AUTO_TEST_CASE(unregistered_timestamp_is_milliseconds) {
  const auto uut = classify_apns(response(410, sample("apns-error-Unregistered.json")), now);
  BOOST_REQUIRE(uut.token_dead_since.has_value());
  // 1637679125000 ms = 2021-11-23T14:52:05Z.
  BOOST_TEST(duration_cast<milliseconds>(uut.token_dead_since->time_since_epoch()).count() ==
             1637679125000);
  const auto expired = classify_apns(response(410, R"({"reason":"ExpiredToken"})"), now);
  BOOST_TEST(expired.token_dead);
  BOOST_TEST(!expired.token_dead_since.has_value());
}

BOOST_AUTO_TEST_CASE(ignores_a_timestamp_that_is_no_time) {
  // Found by fuzzing: 1e300 (float cast) and INT64_MAX (ms to ns) overflowed.
  for (const std::string ts : {"1e300", "9223372036854775807", "-9223372036854775807", "-1",
                               "7258118400000", "253402300799999", "\"1637679125000\""}) {
    BOOST_TEST_CONTEXT(ts) {
      const auto uut =
          classify_apns(response(410, R"({"reason":"Unregistered","timestamp":)" + ts + "}"), now);
      BOOST_TEST(uut.token_dead);
      BOOST_TEST(!uut.token_dead_since.has_value());
    }
  }
  const auto last = classify_apns(response(410, R"({"timestamp":7258118399999.0})"), now);
  BOOST_REQUIRE(last.token_dead_since.has_value());
  BOOST_TEST(duration_cast<milliseconds>(last.token_dead_since->time_since_epoch()).count() ==
             7258118399999);
}

BOOST_AUTO_TEST_CASE(success_is_accepted_with_apns_id) {
  const auto uut =
      classify_apns(response(200, "", {{"apns-id", "EC1BF194-B3B2-424A-89A9-5A918A6E6B5D"}}), now);
  BOOST_TEST(to_string(uut.kind) == "accepted");
  BOOST_TEST(uut.provider_id == "EC1BF194-B3B2-424A-89A9-5A918A6E6B5D");
  BOOST_TEST(!uut.token_dead);
}

BOOST_AUTO_TEST_CASE(every_documented_reason_maps_to_its_class) {
  struct expectation {
    int status;
    const char* reason;
    verdict_kind kind;
    bool dead;
  };
  using vk = verdict_kind;
  const expectation cases[] = {
      {400, "BadCollapseId", vk::rejected, false},
      {400, "BadDeviceToken", vk::rejected, true},
      {400, "BadExpirationDate", vk::rejected, false},
      {400, "BadMessageId", vk::rejected, false},
      {400, "BadPriority", vk::rejected, false},
      {400, "BadTopic", vk::rejected, false},
      {400, "DeviceTokenNotForTopic", vk::rejected, true},
      {400, "DuplicateHeaders", vk::rejected, false},
      {400, "IdleTimeout", vk::failed, false},
      {400, "InvalidPushType", vk::rejected, false},
      {400, "MissingDeviceToken", vk::rejected, false},
      {400, "MissingTopic", vk::rejected, false},
      {400, "PayloadEmpty", vk::rejected, false},
      {400, "TopicDisallowed", vk::rejected, false},
      {403, "BadCertificate", vk::unauthorized, false},
      {403, "BadCertificateEnvironment", vk::unauthorized, false},
      {403, "ExpiredProviderToken", vk::unauthorized, false},
      {403, "Forbidden", vk::unauthorized, false},
      {403, "InvalidProviderToken", vk::unauthorized, false},
      {403, "MissingProviderToken", vk::unauthorized, false},
      {403, "BadEnvironmentKeyInToken", vk::unauthorized, false},
      {403, "BadEnvironmentKeyIdInToken", vk::unauthorized, false},
      {403, "UnrelatedKeyIdInToken", vk::unauthorized, false},
      {404, "BadPath", vk::rejected, false},
      {405, "MethodNotAllowed", vk::rejected, false},
      {410, "ExpiredToken", vk::rejected, true},
      {410, "Unregistered", vk::rejected, true},
      {413, "PayloadTooLarge", vk::rejected, false},
      {429, "TooManyProviderTokenUpdates", vk::failed, false},
      {429, "TooManyRequests", vk::failed, false},
      {500, "InternalServerError", vk::failed, false},
      {503, "ServiceUnavailable", vk::failed, false},
      {503, "Shutdown", vk::failed, false},
  };
  for (const auto& c : cases) {
    const auto body = std::string(R"({"reason":")") + c.reason + "\"}";
    const auto uut = classify_apns(response(c.status, body), now);
    BOOST_TEST_CONTEXT(c.status << " " << c.reason) {
      BOOST_TEST(to_string(uut.kind) == to_string(c.kind));
      BOOST_TEST(uut.token_dead == c.dead);
      BOOST_TEST(uut.reason == c.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(retry_after_is_read_in_seconds_or_http_date) {
  const auto secs =
      classify_apns(response(429, R"({"reason":"TooManyRequests"})", {{"retry-after", "7"}}), now);
  BOOST_REQUIRE(secs.retry_after.has_value());
  BOOST_TEST(secs.retry_after->count() == 7);
  const auto date =
      classify_apns(response(503, "", {{"retry-after", "Fri, 01 Mar 2024 12:01:00 GMT"}}), now);
  BOOST_REQUIRE(date.retry_after.has_value());
  BOOST_TEST(date.retry_after->count() == 60);
}

BOOST_AUTO_TEST_CASE(unknown_statuses_and_reasons_get_safe_defaults) {
  BOOST_TEST(to_string(classify_apns(response(400, R"({"reason":"SomethingNew"})"), now).kind) ==
             "rejected");
  BOOST_TEST(to_string(classify_apns(response(418, ""), now).kind) == "rejected");
  BOOST_TEST(to_string(classify_apns(response(502, ""), now).kind) == "failed");
  BOOST_TEST(to_string(classify_apns(response(302, ""), now).kind) == "failed");
  BOOST_TEST(to_string(classify_apns(response(0, ""), now).kind) == "failed");
  BOOST_TEST(!classify_apns(response(400, R"({"reason":"SomethingNew"})"), now).token_dead);
}

BOOST_AUTO_TEST_CASE(non_json_body_still_gets_a_verdict) {
  const auto uut = classify_apns(response(503, "<html>busy</html>"), now);
  BOOST_TEST(to_string(uut.kind) == "failed");
  BOOST_TEST(uut.reason.empty());
  const auto gone = classify_apns(response(410, "not json"), now);
  BOOST_TEST(gone.token_dead);
  BOOST_TEST(!gone.token_dead_since.has_value());
  BOOST_TEST(to_string(classify_apns(response(400, R"({"reason":12})"), now).kind) == "rejected");
}

BOOST_AUTO_TEST_SUITE_END()
