// Direct sends: request validation and the APNs / FCM requests they become.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "protocol/direct_push.hpp"
#include "protocol/direct_send.hpp"

using namespace herald::protocol;
using namespace std::chrono_literals;

namespace {

const std::string identity = "8:acs:11111111-2222-3333-4444-555555555555_00000001-0000-0000-0000";
const auto now = std::chrono::system_clock::time_point{1'800'000'000s};

direct_send parsed(const std::string& body) {
  auto uut = parse_direct_send_json(body);
  BOOST_TEST_REQUIRE(uut.has_value(),
                     body << ": " << (uut ? std::string{} : uut.error().describe()));
  return std::move(uut).value();
}

registration device(platform p, std::string token) {
  registration r;
  r.app = "demo";
  r.device_id = "d1";
  r.identity = identity;
  r.channel = p;
  r.token = std::move(token);
  return r;
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), text);
  return doc;
}

} // namespace

BOOST_AUTO_TEST_SUITE(direct_send_request)

BOOST_AUTO_TEST_CASE(a_template_send_to_an_identity_takes_defaults) {
  auto uut = parsed(R"({"to":{"identity":")" + identity +
                    R"("},"template":"t","data":{"Who":"Ann","n":2,"ok":true}})");
  BOOST_TEST((uut.target == send_target::identity));
  BOOST_TEST(uut.identity == identity);
  BOOST_TEST(uut.template_name == "t");
  BOOST_TEST(uut.data.at("who") == "Ann");
  BOOST_TEST(uut.data.at("n") == "2");
  BOOST_TEST(uut.data.at("ok") == "true");
  BOOST_TEST((uut.priority == lane::chat));
  BOOST_TEST((uut.ttl == direct_send_default_ttl));
}

BOOST_AUTO_TEST_CASE(token_and_device_targets_and_explicit_payloads_parse) {
  auto token =
      parsed(R"({"to":{"token":")" + std::string(64, 'a') +
             R"(","platform":"apns","environment":"sandbox"},)"
             R"("payload":{"apns":{"aps":{"content-available":1}}},"lane":"call","ttl":0})");
  BOOST_TEST((token.target == send_target::token));
  BOOST_TEST((token.env == environment::sandbox));
  BOOST_TEST(token.apns_background);
  BOOST_TEST(token.fcm_message.empty());
  BOOST_TEST((token.priority == lane::call));
  BOOST_TEST(token.ttl.count() == 0);
  auto dev = parsed(R"({"to":{"deviceId":"pixel-1"},"payload":{"fcm":{"data":{"a":"b"}}}})");
  BOOST_TEST((dev.target == send_target::device));
  BOOST_TEST(dev.device_id == "pixel-1");
  BOOST_TEST(json(dev.fcm_message)["data"]["a"].GetString() == std::string("b"));
  auto pc = parsed(R"({"to":{"token":"https://db5.notify.windows.com/?token=AwYAAAB",)"
                   R"("platform":"wns"},"payload":{"wns":{"type":"wns/toast",)"
                   R"("body":"<toast><visual/></toast>"}}})");
  BOOST_TEST((pc.channel == platform::wns));
  BOOST_TEST(pc.wns_type == "wns/toast");
  BOOST_TEST(pc.wns_body == "<toast><visual/></toast>");
  BOOST_TEST(pc.apns_payload.empty());
}

BOOST_AUTO_TEST_CASE(each_fault_names_its_field) {
  const std::string to = R"("to":{"identity":")" + identity + R"("})";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"[]", ""},
      {R"({"template":"t"})", "to"},
      {R"({"to":{},"template":"t"})", "to"},
      {R"({"to":{"identity":"x","deviceId":"y"},"template":"t"})", "to"},
      {R"({"to":{"deviceId":"a b"},"template":"t"})", "to.deviceId"},
      {R"({"to":{"token":"zz","platform":"fcm"},"template":"t"})", "to.token"},
      {R"({"to":{"token":"zz"},"template":"t"})", "to.platform"},
      {"{" + to + "}", "template"},
      {"{" + to + R"(,"template":""})", "template"},
      {"{" + to + R"(,"template":"t","data":{"x":[1]}})", "data"},
      {"{" + to + R"(,"payload":{}})", "payload"},
      {"{" + to + R"(,"payload":{"fcm":{"token":"x"}}})", "payload.fcm"},
      {"{" + to + R"(,"payload":{"fcm":{"data":{"n":1}}}})", "payload.fcm"},
      {"{" + to + R"(,"payload":{"apns":{"aps":{"alert":")" + std::string(5000, 'x') + "\"}}}}",
       "payload.apns"},
      {"{" + to + R"(,"payload":{"wns":"<toast/>"}})", "payload.wns"},
      {"{" + to + R"(,"payload":{"wns":{"type":"wns/tile"}}})", "payload.wns"},
      {"{" + to + R"(,"payload":{"wns":{"type":"toast","body":"x"}}})", "payload.wns.type"},
      {"{" + to + R"(,"payload":{"wns":{"type":"wns/raw","body":""}}})", "payload.wns.body"},
      {"{" + to + R"(,"payload":{"wns":{"type":"wns/raw","body":")" + std::string(5001, 'x') +
           "\"}}}",
       "payload.wns.body"},
      {R"({"to":{"token":"http://db5.notify.windows.com/x","platform":"wns"},"template":"t"})",
       "to.token"},
      {"{" + to + R"(,"template":"t","lane":"urgent"})", "lane"},
      {"{" + to + R"(,"template":"t","ttl":2419201})", "ttl"},
      {"{" + to + R"(,"template":"t","ttl":"1h"})", "ttl"},
  };
  for (const auto& [body, field] : cases) {
    auto uut = parse_direct_send_json(body);
    BOOST_TEST_REQUIRE(!uut.has_value(), body);
    BOOST_TEST(uut.error().field == field, body);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_push)

BOOST_AUTO_TEST_CASE(an_apns_template_alert_carries_lane_priority_and_ttl_expiration) {
  apns_settings settings;
  settings.bundle_id = "com.example.app";
  auto send = parsed(R"({"to":{"identity":")" + identity +
                     R"("},"template":"t","data":{"who":"Ann"},"lane":"bulk","ttl":60})");
  auto alert = render_direct({"Hi {who}", "from {nobody}"}, send);
  BOOST_TEST(alert.title == "Hi Ann");
  BOOST_TEST(alert.body == "from ");
  auto uut =
      encode_direct_apns(send, &alert, device(platform::apns, std::string(64, 'a')), settings, now);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? std::string{} : uut.error().describe()));
  const auto& req = uut.value();
  BOOST_TEST(req.path == "/3/device/" + std::string(64, 'a'));
  BOOST_TEST(req.header("apns-push-type") == "alert");
  BOOST_TEST(req.header("apns-priority") == "5");
  BOOST_TEST(req.header("apns-topic") == "com.example.app");
  BOOST_TEST(req.header("apns-expiration") == "1800000060");
  auto body = json(req.body);
  BOOST_TEST(body["aps"]["alert"]["title"].GetString() == std::string("Hi Ann"));
  BOOST_TEST(body["data"]["who"].GetString() == std::string("Ann"));

  send.priority = lane::chat;
  send.ttl = 0s;
  auto chat =
      encode_direct_apns(send, &alert, device(platform::apns, std::string(64, 'a')), settings, now);
  BOOST_TEST(chat.value().header("apns-priority") == "10");
  BOOST_TEST(chat.value().header("apns-expiration") == "0");
  auto voip = encode_direct_apns(send, &alert, device(platform::apns_voip, std::string(64, 'a')),
                                 settings, now);
  BOOST_TEST_REQUIRE(!voip.has_value());
  BOOST_TEST((voip.error().code == errc::unsupported));
}

BOOST_AUTO_TEST_CASE(an_explicit_background_payload_goes_out_as_is_with_priority_5) {
  apns_settings settings;
  settings.bundle_id = "b";
  auto send = parsed(R"({"to":{"deviceId":"d1"},"lane":"call",)"
                     R"("payload":{"apns":{"aps":{"content-available":1},"k":"v"}}})");
  auto uut = encode_direct_apns(send, nullptr, device(platform::apns, std::string(64, 'c')),
                                settings, now);
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().header("apns-push-type") == "background");
  BOOST_TEST(uut.value().header("apns-priority") == "5");
  BOOST_TEST(uut.value().body == send.apns_payload);
  fcm_settings fcm;
  fcm.project_id = "p";
  auto no_fcm = encode_direct_fcm(send, nullptr, device(platform::fcm, std::string(40, 'f')), fcm);
  BOOST_TEST(!no_fcm.has_value());
}

BOOST_AUTO_TEST_CASE(an_fcm_message_merges_priority_and_ttl_into_the_given_android_block) {
  fcm_settings settings;
  settings.project_id = "proj";
  auto send = parsed(R"({"to":{"deviceId":"d1"},"ttl":90,"payload":{"fcm":)"
                     R"({"data":{"a":"b"},"android":{"collapse_key":"c","priority":"normal"}}}})");
  auto uut =
      encode_direct_fcm(send, nullptr, device(platform::fcm, std::string(40, 'f')), settings);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? std::string{} : uut.error().describe()));
  BOOST_TEST(uut.value().path == "/v1/projects/proj/messages:send");
  auto body = json(uut.value().body);
  const auto& m = body["message"];
  BOOST_TEST(m["token"].GetString() == std::string(40, 'f'));
  BOOST_TEST(m["data"]["a"].GetString() == std::string("b"));
  BOOST_TEST(m["android"]["collapse_key"].GetString() == std::string("c"));
  BOOST_TEST(m["android"]["priority"].GetString() == std::string("high")); // chat lane
  BOOST_TEST(m["android"]["ttl"].GetString() == std::string("90s"));

  auto templated = parsed(R"({"to":{"deviceId":"d1"},"template":"t","lane":"bulk",)"
                          R"("data":{"x":"1"}})");
  rendered_alert alert{"T", "B"};
  auto t =
      encode_direct_fcm(templated, &alert, device(platform::fcm, std::string(40, 'f')), settings);
  BOOST_TEST_REQUIRE(t.has_value());
  auto tb = json(t.value().body);
  BOOST_TEST(tb["message"]["notification"]["title"].GetString() == std::string("T"));
  BOOST_TEST(tb["message"]["data"]["x"].GetString() == std::string("1"));
  BOOST_TEST(tb["message"]["android"]["priority"].GetString() == std::string("normal"));
}

BOOST_AUTO_TEST_SUITE_END()
