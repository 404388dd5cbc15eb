#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/fcm_message.hpp"

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

intent ring() {
  intent in;
  in.kind = intent_kind::ring;
  in.recipient = "8:acs:callee";
  in.event_id = "ev-1";
  in.call.call_id = "call-1";
  in.call.caller_raw_id = "8:acs:caller";
  in.call.caller_display_name = "Ada";
  in.call.incoming_call_context =
      base64url_encode("{}") + "." + base64url_encode(R"({"cc":"QUJD"})") + ".sig";
  return in;
}

intent chat(std::string body) {
  intent in;
  in.kind = intent_kind::chat_alert;
  in.event_type = "Microsoft.Communication.ChatMessageReceived";
  in.chat.sender_display_name = "Ada";
  in.chat.message_body = std::move(body);
  in.chat.thread_id = "19:t";
  in.chat.message_id = "m1";
  return in;
}

registration reg() {
  registration r;
  r.channel = platform::fcm;
  r.token = "fcm-token:APA91b";
  return r;
}

fcm_settings settings() {
  fcm_settings s;
  s.project_id = "demo-project";
  return s;
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  BOOST_REQUIRE(!doc.HasParseError());
  return doc;
}

provider_response response(int status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  return provider_response{status, std::move(headers), std::move(body)};
}

std::size_t payload_size(const rapidjson::Value& msg) {
  std::size_t n = 0;
  for (const char* obj : {"data", "notification"}) {
    if (msg.HasMember(obj)) {
      for (const auto& m : msg[obj].GetObject()) {
        n += m.name.GetStringLength() + m.value.GetStringLength();
      }
    }
  }
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(fcm_message)

BOOST_AUTO_TEST_CASE(ring_is_a_high_priority_data_message_with_string_values) {
  const auto uut = encode_fcm(ring(), reg(), settings());
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().path == "/v1/projects/demo-project/messages:send");
  BOOST_TEST(uut.value().header("content-type") == "application/json");
  BOOST_TEST(uut.value().header("authorization").empty());
  const auto doc = parse(uut.value().body);
  const auto& msg = doc["message"];
  BOOST_TEST(msg["token"].GetString() == std::string("fcm-token:APA91b"));
  for (const auto& m : msg["data"].GetObject()) {
    BOOST_TEST(m.value.IsString(), m.name.GetString());
  }
  BOOST_TEST(msg["data"]["eventId"].GetString() == std::string("107"));
  BOOST_TEST(msg["data"]["cp"].GetString() == std::string("QUJD"));
  BOOST_TEST(msg["data"]["callId"].GetString() == std::string("call-1"));
  BOOST_TEST(msg["android"]["priority"].GetString() == std::string("high"));
  BOOST_TEST(msg["android"]["ttl"].GetString() == std::string("30s"));
  BOOST_TEST(msg["apns"]["headers"]["apns-push-type"].GetString() == std::string("background"));
  BOOST_TEST(!msg.HasMember("notification"));
}

BOOST_AUTO_TEST_CASE(cancel_ring_carries_stop_ringing) {
  auto in = ring();
  in.kind = intent_kind::cancel_ring;
  const auto doc = parse(encode_fcm(in, reg(), settings()).value().body);
  BOOST_TEST(doc["message"]["data"]["eventId"].GetString() == std::string("110"));
}

BOOST_AUTO_TEST_CASE(chat_alert_has_notification_from_template) {
  auto s = settings();
  s.templates.set("Microsoft.Communication.ChatMessageReceived",
                  {"From {senderdisplayname}", "{messagebody}"});
  const auto doc = parse(encode_fcm(chat("hello"), reg(), s).value().body);
  BOOST_TEST(doc["message"]["notification"]["title"].GetString() == std::string("From Ada"));
  BOOST_TEST(doc["message"]["notification"]["body"].GetString() == std::string("hello"));
  BOOST_TEST(doc["message"]["data"]["threadId"].GetString() == std::string("19:t"));
  BOOST_TEST(doc["message"]["android"]["ttl"].GetString() == std::string("86400s"));
}

BOOST_AUTO_TEST_CASE(chat_payload_fits_4096_bytes_exactly_at_the_boundary) {
  const auto base =
      payload_size(parse(encode_fcm(chat(""), reg(), settings()).value().body)["message"]);
  const std::string fits(fcm_max_payload - base, 'x');
  const auto exact = parse(encode_fcm(chat(fits), reg(), settings()).value().body);
  BOOST_TEST(payload_size(exact["message"]) == fcm_max_payload);
  BOOST_TEST(exact["message"]["notification"]["body"].GetString() == fits);
  const auto over = parse(encode_fcm(chat(fits + "\xC3\xA9"), reg(), settings()).value().body);
  BOOST_TEST(payload_size(over["message"]) <= fcm_max_payload);
  const std::string body = over["message"]["notification"]["body"].GetString();
  BOOST_TEST(body.substr(body.size() - 3) == "\xE2\x80\xA6");
}

BOOST_AUTO_TEST_CASE(refuses_bad_inputs) {
  auto r = reg();
  r.channel = platform::apns;
  BOOST_TEST((encode_fcm(ring(), r, settings()).error().code == errc::unsupported));
  r = reg();
  r.token.clear();
  BOOST_TEST(encode_fcm(ring(), r, settings()).error().field == "token");
  BOOST_TEST(encode_fcm(ring(), reg(), fcm_settings{}).error().field == "project_id");
  BOOST_TEST(fcm_authorization("ya29.x") == "Bearer ya29.x");
}

BOOST_AUTO_TEST_CASE(every_fcm_sample_gets_its_verdict) {
  struct expectation {
    const char* file;
    int status; // from samples/SOURCES.md; synthetic bodies use Firebase's documented status
    verdict_kind kind;
    const char* reason;
    bool dead;
  };
  using vk = verdict_kind;
  const expectation cases[] = {
      {"fcm-success-1.json", 200, vk::accepted, "", false},
      {"fcm-error-INTERNAL.json", 500, vk::failed, "INTERNAL", false},
      {"fcm-error-INVALID_ARGUMENT-data-value.json", 400, vk::rejected, "INVALID_ARGUMENT", false},
      {"fcm-error-INVALID_ARGUMENT-missing-token.json", 400, vk::rejected, "INVALID_ARGUMENT",
       false},
      {"fcm-error-INVALID_ARGUMENT.json", 400, vk::rejected, "INVALID_ARGUMENT", true},
      {"fcm-error-QUOTA_EXCEEDED.json", 429, vk::failed, "QUOTA_EXCEEDED", false},
      {"fcm-error-SENDER_ID_MISMATCH.json", 403, vk::rejected, "SENDER_ID_MISMATCH", true},
      {"fcm-error-THIRD_PARTY_AUTH_ERROR.json", 401, vk::rejected, "THIRD_PARTY_AUTH_ERROR", false},
      {"fcm-error-UNAVAILABLE.json", 503, vk::failed, "UNAVAILABLE", false},
      {"fcm-error-UNREGISTERED.json", 404, vk::rejected, "UNREGISTERED", true},
      {"fcm-error-payload-too-large.json", 400, vk::rejected, "INVALID_ARGUMENT", false},
  };
  for (const auto& c : cases) {
    const auto uut = classify_fcm(response(c.status, sample(c.file)), now);
    BOOST_TEST_CONTEXT(c.file) {
      BOOST_TEST(to_string(uut.kind) == to_string(c.kind));
      BOOST_TEST(uut.reason == c.reason);
      BOOST_TEST(uut.token_dead == c.dead);
    }
  }
  BOOST_TEST(classify_fcm(response(200, sample("fcm-success-1.json")), now).provider_id ==
             "projects/foo/messages/fake_message_id");
}

BOOST_AUTO_TEST_CASE(transient_errors_carry_retry_after) {
  const auto uut = classify_fcm(
      response(429, sample("fcm-error-QUOTA_EXCEEDED.json"), {{"retry-after", "42"}}), now);
  BOOST_REQUIRE(uut.retry_after.has_value());
  BOOST_TEST(uut.retry_after->count() == 42);
}

BOOST_AUTO_TEST_CASE(auth_failures_and_unknowns_get_safe_defaults) {
  BOOST_TEST(to_string(classify_fcm(response(401, R"({"error":{"status":"UNAUTHENTICATED"}})"), now)
                           .kind) == "unauthorized");
  BOOST_TEST(to_string(classify_fcm(response(401, "<html/>"), now).kind) == "unauthorized");
  BOOST_TEST(
      to_string(
          classify_fcm(response(403, R"({"error":{"status":"PERMISSION_DENIED"}})"), now).kind) ==
      "unauthorized");
  BOOST_TEST(to_string(classify_fcm(response(502, "bad gateway"), now).kind) == "failed");
  BOOST_TEST(
      to_string(classify_fcm(response(409, R"({"error":{"status":"NEW_THING"}})"), now).kind) ==
      "rejected");
  BOOST_TEST(!classify_fcm(response(404, "{}"), now).token_dead); // bare 404: do not prune
  BOOST_TEST(to_string(classify_fcm(response(0, ""), now).kind) == "failed");
}

BOOST_AUTO_TEST_SUITE_END()
