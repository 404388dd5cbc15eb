// Direct sends (POST /v1/apps/{app}/notifications) through a real `herald serve` to the mock
// APNs and mock FCM, and their per-device outcomes read back with GET.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <array>
#include <fstream>
#include <thread>

#include "protocol/api_key.hpp"
#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/mock_fcm_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

const std::string pixel_token = "fcm-token-" + std::string(60, 'p');
const std::string dead_token = "fcm-dead-" + std::string(60, 'd');
const std::string voip_token(64, 'b');

/// App `demo` with APNs (the fixture's mock) and FCM (a second mock that answers
/// UNREGISTERED for `dead_token`), and a template `greeting`.
struct direct_fixture {
  direct_fixture() : fcm({"--unregistered-token", dead_token}) {
    auto section = fcm.herald_config("demo");
    std::ofstream cfg(node.dir / "herald.toml", std::ios::app);
    cfg << section.substr(section.find("[apps.fcm]"))
        << "[[apps.templates]]\nname = \"greeting\"\ntitle = \"Hello {name}\"\n"
        << "body = \"You have {count} new messages\"\n";
    cfg.close();
    node.start_herald();
  }

  http_reply post(const std::string& body) {
    return http_request("POST", "127.0.0.1", node.http_port, "/v1/apps/demo/notifications",
                        {{"content-type", "application/json"}}, body);
  }

  /// GETs the send until no device is pending (or 20 s pass); returns the last answer.
  rapidjson::Document outcome(const std::string& id) {
    http_reply r;
    for (int i = 0; i < 200; ++i) {
      r = http_request("GET", "127.0.0.1", node.http_port, "/v1/apps/demo/notifications/" + id);
      BOOST_TEST_REQUIRE(r.status == 200, r.body);
      if (json_of(r.body)["complete"].GetBool()) {
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
    return json_of(r.body);
  }

  /// `state` (and `reason`) of the outcome of `platform` in a GET answer.
  static std::string state_of(const rapidjson::Document& doc, const std::string& platform,
                              std::string* reason = nullptr) {
    for (const auto& o : doc["outcomes"].GetArray()) {
      if (platform == o["platform"].GetString()) {
        if (reason != nullptr) {
          *reason = o["reason"].GetString();
        }
        return o["state"].GetString();
      }
    }
    return "absent";
  }

  /// The one notification the mock APNs recorded for `token`.
  rapidjson::Document apns_received(const std::string& token) {
    auto doc =
        json_of(http_get("127.0.0.1", node.mock_admin_port, "/notifications?token=" + token));
    BOOST_TEST_REQUIRE(doc.Size() == 1u);
    rapidjson::Document one;
    one.CopyFrom(doc[0], one.GetAllocator());
    return one;
  }

  mock_fcm_fixture fcm;
  herald_fixture node;
};

std::string header_of(const rapidjson::Value& notification, const char* name) {
  const auto& h = notification["headers"];
  return h.HasMember(name) ? h[name].GetString() : std::string{};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(direct_send, direct_fixture)

BOOST_AUTO_TEST_CASE(a_template_send_to_an_identity_reaches_its_ios_and_android_devices) {
  for (const auto& [device, platform, token] :
       {std::array<std::string, 3>{"iphone-1", "apns", test_token},
        std::array<std::string, 3>{"iphone-1", "apns-voip", voip_token},
        std::array<std::string, 3>{"pixel-1", "fcm", pixel_token}}) {
    auto r = node.register_device(device, registration_body(test_identity, platform, token));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
  }
  const auto before = std::chrono::system_clock::now();
  auto sent = post(R"({"to":{"identity":")" + test_identity +
                   R"("},"template":"greeting","data":{"Name":"Ann","count":3},)" +
                   R"("lane":"bulk","ttl":600})");
  BOOST_TEST_REQUIRE(sent.status == 202, sent.body << node.herald->stderr_text());
  auto accepted = json_of(sent.body);
  const std::string id = accepted["id"].GetString();
  BOOST_TEST(accepted["devices"].GetInt() == 2); // Never the PushKit VoIP token.
  BOOST_TEST(sent.header("location") == "/v1/apps/demo/notifications/" + id);

  auto done = outcome(id);
  BOOST_TEST_REQUIRE(done["complete"].GetBool(), "still pending");
  BOOST_TEST(state_of(done, "apns") == "accepted");
  BOOST_TEST(state_of(done, "fcm") == "accepted");
  BOOST_TEST(std::string(done["lane"].GetString()) == "bulk");

  auto ios = apns_received(test_token);
  BOOST_TEST(header_of(ios, "apns-priority") == "5"); // bulk lane
  BOOST_TEST(header_of(ios, "apns-push-type") == "alert");
  const auto expiration = std::stoll(header_of(ios, "apns-expiration"));
  const auto expected =
      std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() + 600;
  BOOST_TEST(std::llabs(expiration - expected) <= 5);
  auto ios_body = json_of(ios["body"].GetString());
  BOOST_TEST(std::string(ios_body["aps"]["alert"]["title"].GetString()) == "Hello Ann");
  BOOST_TEST(std::string(ios_body["aps"]["alert"]["body"].GetString()) ==
             "You have 3 new messages");
  BOOST_TEST(std::string(ios_body["data"]["name"].GetString()) == "Ann");
  BOOST_TEST(
      json_of(http_get("127.0.0.1", node.mock_admin_port, "/notifications?token=" + voip_token))
          .Size() == 0u);

  BOOST_TEST_REQUIRE(fcm.wait_accepted(pixel_token, 1, 5s));
  auto android = json_of(fcm.notifications(pixel_token));
  BOOST_TEST_REQUIRE(android.Size() == 1u);
  auto message = json_of(android[0]["body"].GetString());
  const auto& m = message["message"];
  BOOST_TEST(std::string(m["token"].GetString()) == pixel_token);
  BOOST_TEST(std::string(m["notification"]["title"].GetString()) == "Hello Ann");
  BOOST_TEST(std::string(m["data"]["count"].GetString()) == "3");
  BOOST_TEST(std::string(m["android"]["priority"].GetString()) == "normal");
  BOOST_TEST(std::string(m["android"]["ttl"].GetString()) == "600s");
}

BOOST_AUTO_TEST_CASE(explicit_payloads_follow_lane_and_ttl_and_a_dead_token_is_rejected) {
  auto r = node.register_device("iphone-1", registration_body(test_identity, "apns", test_token));
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  auto to_device = post(R"({"to":{"deviceId":"iphone-1"},"lane":"call","ttl":0,)"
                        R"("payload":{"apns":{"aps":{"alert":"Now"},"k":1}}})");
  BOOST_TEST_REQUIRE(to_device.status == 202, to_device.body);
  auto device_done = outcome(json_of(to_device.body)["id"].GetString());
  BOOST_TEST(state_of(device_done, "apns") == "accepted");
  auto ios = apns_received(test_token);
  BOOST_TEST(header_of(ios, "apns-priority") == "10");
  BOOST_TEST(header_of(ios, "apns-expiration") == "0");
  BOOST_TEST(json_of(ios["body"].GetString())["k"].GetInt() == 1);

  auto to_dead = post(R"({"to":{"token":")" + dead_token +
                      R"(","platform":"fcm"},"payload":{"fcm":{"data":{"x":"1"}}}})");
  BOOST_TEST_REQUIRE(to_dead.status == 202, to_dead.body);
  auto dead_done = outcome(json_of(to_dead.body)["id"].GetString());
  std::string reason;
  BOOST_TEST(state_of(dead_done, "fcm", &reason) == "rejected");
  BOOST_TEST(reason == "UNREGISTERED");
  BOOST_TEST(std::string(dead_done["outcomes"][0]["token"].GetString()).find(dead_token) ==
             std::string::npos); // Answers carry redacted tokens only.
}

BOOST_AUTO_TEST_CASE(bad_sends_get_a_4xx_naming_the_field) {
  auto field = [](const http_reply& reply) {
    auto doc = json_of(reply.body);
    return doc.HasMember("field") ? std::string(doc["field"].GetString()) : std::string{};
  };
  const std::string identity_to = R"({"to":{"identity":")" + test_identity + R"("},)";
  struct bad_case {
    std::string body;
    int status;
    std::string field;
  };
  const std::vector<bad_case> cases{
      {R"({"template":"greeting"})", 400, "to"},
      {R"({"to":{"identity":"4:+15555550100"},"template":"greeting"})", 400, "to.identity"},
      {R"({"to":{"token":"abc","platform":"apns"},"template":"greeting"})", 400, "to.token"},
      {R"({"to":{"token":")" + pixel_token + R"(","platform":"web"},"template":"greeting"})", 400,
       "to.platform"},
      // An FCM token is no WNS channel URI.
      {R"({"to":{"token":")" + pixel_token + R"(","platform":"wns"},"template":"greeting"})", 400,
       "to.token"},
      {identity_to + R"("template":"greeting","lane":"fast"})", 400, "lane"},
      {identity_to + R"("template":"greeting","ttl":-1})", 400, "ttl"},
      {identity_to + R"("payload":{"apns":{"alert":"no aps"}}})", 400, "payload.apns"},
      {identity_to + R"("template":"greeting","payload":{"fcm":{}}})", 400, "template"},
      {identity_to + R"("template":"farewell"})", 404, "template"},
      {identity_to + R"("template":"greeting"})", 404, "to.identity"},
      {R"({"to":{"deviceId":"never-seen"},"template":"greeting"})", 404, "to.deviceId"},
  };
  for (const auto& c : cases) {
    auto reply = post(c.body);
    BOOST_TEST(reply.status == c.status, c.body << " → " << reply.body);
    BOOST_TEST(field(reply) == c.field, c.body);
  }
  // An iPhone with only a VoIP token cannot take a direct send.
  BOOST_TEST_REQUIRE(
      node.register_device("iphone-9", registration_body(test_identity, "apns-voip", voip_token))
          .status == 200);
  auto unreachable = post(R"({"to":{"deviceId":"iphone-9"},"template":"greeting"})");
  BOOST_TEST(unreachable.status == 422, unreachable.body);
  auto unknown = http_request("GET", "127.0.0.1", node.http_port,
                              "/v1/apps/demo/notifications/0123456789abcdef");
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(field(unknown) == "id");
  BOOST_TEST(node.herald->running());
}

BOOST_AUTO_TEST_CASE(sending_and_reading_outcomes_need_the_send_scope) {
  const std::string send_key = "send-key-0b7d3e";
  const std::string register_key = "reg-key-4f9a21";
  {
    std::ofstream cfg(node.dir / "herald.toml", std::ios::app);
    for (const auto& [id, key, scope] :
         {std::array<std::string, 3>{"sender", send_key, "send"},
          std::array<std::string, 3>{"registrar", register_key, "register"}}) {
      cfg << "[[apps.api_keys]]\nid = \"" << id << "\"\nsha256 = \""
          << herald::protocol::to_hex(herald::protocol::sha256(key)) << "\"\nscopes = [\"" << scope
          << "\"]\n";
    }
  }
  node.start_herald();
  auto with = [&](const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = {}) {
    std::vector<std::pair<std::string, std::string>> headers{{"content-type", "application/json"}};
    if (!key.empty()) {
      headers.emplace_back("x-api-key", key);
    }
    return http_request(method, "127.0.0.1", node.http_port, target, headers, body);
  };
  const std::string body =
      R"({"to":{"token":")" + test_token + R"(","platform":"apns"},"template":"greeting"})";
  BOOST_TEST(with("POST", "/v1/apps/demo/notifications", "", body).status == 401);
  BOOST_TEST(with("POST", "/v1/apps/demo/notifications", register_key, body).status == 403);
  auto sent = with("POST", "/v1/apps/demo/notifications", send_key, body);
  BOOST_TEST_REQUIRE(sent.status == 202, sent.body);
  const auto target = sent.header("location");
  BOOST_TEST(with("GET", target, register_key).status == 403);
  auto read = with("GET", target, send_key);
  BOOST_TEST(read.status == 200, read.body);
  BOOST_TEST(json_of(read.body)["outcomes"].Size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
