#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/https_target.hpp"
#include "protocol/wns_request.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

const system_clock::time_point now = sys_days{year{2024} / 3 / 1} + 12h;

intent ring() {
  intent in;
  in.kind = intent_kind::ring;
  in.recipient = "8:acs:callee";
  in.call.call_id = "call-1";
  in.call.incoming_call_context =
      base64url_encode("{}") + "." + base64url_encode(R"({"cc":"QUJD"})") + ".sig";
  return in;
}

intent chat(std::string body) {
  intent in;
  in.kind = intent_kind::chat_alert;
  in.chat.sender_display_name = "Ada & <Bob>";
  in.chat.message_body = std::move(body);
  return in;
}

registration reg(std::string uri = "https://db5.notify.windows.com/?token=AwYAAAB%2bx") {
  registration r;
  r.channel = platform::wns;
  r.token = std::move(uri);
  return r;
}

provider_response response(int status,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  return provider_response{status, std::move(headers), ""};
}

} // namespace

BOOST_AUTO_TEST_SUITE(wns_request_suite)

BOOST_AUTO_TEST_CASE(ring_is_a_raw_notification_to_the_channel) {
  const auto uut = encode_wns(ring(), reg(), wns_settings{});
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().authority == "db5.notify.windows.com");
  const auto& req = uut.value().request;
  BOOST_TEST(req.path == "/?token=AwYAAAB%2bx");
  BOOST_TEST(req.header("x-wns-type") == "wns/raw");
  BOOST_TEST(req.header("content-type") == "application/octet-stream");
  BOOST_TEST(req.header("x-wns-ttl") == "30");
  BOOST_TEST(req.header("x-wns-priority") == "1");
  BOOST_TEST(req.header("authorization").empty());
  rapidjson::Document doc;
  doc.Parse(req.body.c_str());
  BOOST_TEST(doc["eventId"].GetString() == std::string("107"));
  BOOST_TEST(doc["cp"].GetString() == std::string("QUJD"));
}

BOOST_AUTO_TEST_CASE(chat_is_an_escaped_toast) {
  const auto uut = encode_wns(chat("1 < 2"), reg(), wns_settings{});
  BOOST_REQUIRE(uut.has_value());
  const auto& req = uut.value().request;
  BOOST_TEST(req.header("x-wns-type") == "wns/toast");
  BOOST_TEST(req.header("content-type") == "text/xml");
  BOOST_TEST(req.body == "<toast><visual><binding template=\"ToastGeneric\"><text>Ada &amp; "
                         "&lt;Bob&gt;</text><text>1 &lt; 2</text></binding></visual></toast>");
}

BOOST_AUTO_TEST_CASE(long_toast_is_truncated_within_limit) {
  const auto uut = encode_wns(chat(std::string(6000, '<')), reg(), wns_settings{});
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().request.body.size() <= wns_max_payload);
  BOOST_TEST(uut.value().request.body.find("\xE2\x80\xA6") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_channels_outside_notify_windows_com) {
  for (const char* uri :
       {"https://evil.example.com/?token=x", "https://notify.windows.com.evil.io/x",
        "https://evilnotify.windows.com/x", "http://db5.notify.windows.com/x",
        "https://user@db5.notify.windows.com/x", "not a url", ""}) {
    const auto uut = encode_wns(ring(), reg(uri), wns_settings{});
    BOOST_REQUIRE_MESSAGE(!uut.has_value(), uri);
    BOOST_TEST(uut.error().field == "token");
  }
  BOOST_TEST(
      encode_wns(ring(), reg("https://DB5.Notify.Windows.com/x"), wns_settings{}).has_value());
  auto other = reg();
  other.channel = platform::fcm;
  BOOST_TEST((encode_wns(ring(), other, wns_settings{}).error().code == errc::unsupported));
  BOOST_TEST(wns_authorization("t") == "Bearer t");
}

BOOST_AUTO_TEST_CASE(a_template_direct_send_is_a_toast_with_its_ttl) {
  rendered_alert alert{"Hi <you>", "3 new"};
  const auto uut = encode_direct_wns(&alert, seconds(600), reg());
  BOOST_REQUIRE(uut.has_value());
  const auto& req = uut.value().request;
  BOOST_TEST(uut.value().authority == "db5.notify.windows.com");
  BOOST_TEST(req.header("x-wns-type") == "wns/toast");
  BOOST_TEST(req.header("x-wns-ttl") == "600");
  BOOST_TEST(req.header("x-wns-priority") == "2");
  BOOST_TEST(req.body.find("<text>Hi &lt;you&gt;</text><text>3 new</text>") != std::string::npos);
  BOOST_TEST(
      encode_direct_wns(&alert, seconds(0), reg()).value().request.header("x-wns-ttl").empty());
  // An explicit payload goes through encode_direct_wns_payload; a bad channel fails as for
  // events.
  BOOST_TEST(encode_direct_wns(nullptr, seconds(60), reg()).error().field == "payload");
  BOOST_TEST(
      encode_direct_wns(&alert, seconds(60), reg("https://evil.example.com/x")).error().field ==
      "token");
}

BOOST_AUTO_TEST_CASE(an_explicit_direct_send_goes_out_as_given_with_its_type) {
  const auto raw = encode_direct_wns_payload("wns/raw", R"({"k":"v"})", seconds(30), reg());
  BOOST_REQUIRE(raw.has_value());
  const auto& r = raw.value().request;
  BOOST_TEST(raw.value().authority == "db5.notify.windows.com");
  BOOST_TEST(r.body == R"({"k":"v"})");
  BOOST_TEST(r.header("x-wns-type") == "wns/raw");
  BOOST_TEST(r.header("content-type") == "application/octet-stream");
  BOOST_TEST(r.header("x-wns-ttl") == "30");
  const auto badge =
      encode_direct_wns_payload("wns/badge", R"(<badge value="3"/>)", seconds(0), reg());
  BOOST_REQUIRE(badge.has_value());
  BOOST_TEST(badge.value().request.header("content-type") == "text/xml");
  BOOST_TEST(badge.value().request.header("x-wns-ttl").empty());
  BOOST_TEST((encode_direct_wns_payload("wns/raw", std::string(5001, 'x'), seconds(0), reg())
                  .error()
                  .code == errc::too_large));
  BOOST_TEST(
      encode_direct_wns_payload("wns/raw", "x", seconds(0), reg("https://evil.example.com/x"))
          .error()
          .field == "token");
}

BOOST_AUTO_TEST_CASE(classifies_every_documented_status) {
  struct expectation {
    int status;
    verdict_kind kind;
    bool dead;
  };
  using vk = verdict_kind;
  const expectation cases[] = {
      {200, vk::accepted, false}, {400, vk::rejected, false}, {401, vk::unauthorized, false},
      {403, vk::rejected, false}, {404, vk::rejected, true},  {405, vk::rejected, false},
      {406, vk::failed, false},   {410, vk::rejected, true},  {413, vk::rejected, false},
      {500, vk::failed, false},   {503, vk::failed, false},   {418, vk::rejected, false},
      {502, vk::failed, false},
  };
  for (const auto& c : cases) {
    const auto uut = classify_wns(response(c.status), now);
    BOOST_TEST_CONTEXT(c.status) {
      BOOST_TEST(to_string(uut.kind) == to_string(c.kind));
      BOOST_TEST(uut.token_dead == c.dead);
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_wns_response_headers) {
  const auto ok = classify_wns(
      response(200, {{"x-wns-msg-id", "1ACE6B1A"}, {"x-wns-status", "received"}}), now);
  BOOST_TEST(ok.provider_id == "1ACE6B1A");
  BOOST_TEST(ok.reason == "received");
  const auto throttled = classify_wns(response(406, {{"retry-after", "30"}}), now);
  BOOST_REQUIRE(throttled.retry_after.has_value());
  BOOST_TEST(throttled.retry_after->count() == 30);
}

BOOST_AUTO_TEST_CASE(splits_https_urls) {
  const auto uut = split_https_url("https://Host.Example:8443/a/b?c=d", "f");
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().authority == "Host.Example:8443");
  BOOST_TEST(uut.value().host == "host.example");
  BOOST_TEST(uut.value().path == "/a/b?c=d");
  BOOST_TEST(split_https_url("https://h", "f").value().path == "/");
  BOOST_TEST(split_https_url("https://h?q", "f").value().path == "/?q");
  BOOST_TEST(!split_https_url("https://h/#frag", "f").has_value());
  BOOST_TEST(split_https_url("ftp://h/", "f").error().field == "f");
}

BOOST_AUTO_TEST_SUITE_END()
