// WNS end to end, every part real: herald serve + a mock WNS (channel URIs + OAuth2 token
// endpoint) over TLS HTTP/2, Event Grid batches in, raw and toast notifications out.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/mock_wns_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

// The mock names a channel by its `token=` query value; Herald sends every host's pushes to
// the mock (`[apps.wns] endpoint`), the host still picks the pool.
const std::string live_channel = "AwYAAAB-live-channel";
const std::string live_uri = "https://db5p.notify.windows.com/?token=" + live_channel;
const std::string expired_channel = "AwYAAAB-expired-channel";
const std::string expired_uri = "https://bn3p.notify.windows.com/?token=" + expired_channel;

std::string to_text(const rapidjson::Document& doc) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

/// The ChatMessageReceived sample addressed to `test_identity`.
std::string chat_message() {
  auto doc = json_of(read_sample("eventgrid-ChatMessageReceived-1.json"));
  auto& alloc = doc.GetAllocator();
  auto& data = doc[0]["data"];
  data["recipientId"].SetString(test_identity.c_str(), alloc);
  data["recipientCommunicationIdentifier"]["rawId"].SetString(test_identity.c_str(), alloc);
  data["recipientCommunicationIdentifier"]["communicationUser"]["id"].SetString(
      test_identity.c_str(), alloc);
  return to_text(doc);
}

/// The value of header `name` in one notification record of the mock, or empty.
std::string header_of(const rapidjson::Value& record, const char* name) {
  const auto& headers = record["headers"];
  auto it = headers.FindMember(name);
  return it == headers.MemberEnd() || !it->value.IsString() ? std::string{} : it->value.GetString();
}

/// A mock WNS and a Herald whose app `windows` sends through it.
struct wns_setup {
  /// `wns_keys`: more `[apps.wns]` keys for Herald.
  explicit wns_setup(const std::vector<std::string>& mock_args = {},
                     const std::string& wns_keys = "")
      : wns(mock_args), node(options_for(wns, wns_keys)) {}

  static herald_fixture_options options_for(const mock_wns_fixture& mock,
                                            const std::string& wns_keys) {
    herald_fixture_options options;
    options.extra_config = mock.herald_config("windows") + wns_keys;
    return options;
  }

  http_reply register_pc(const std::string& device, const std::string& uri) {
    return http_request("PUT", "127.0.0.1", node.http_port, "/v1/apps/windows/devices/" + device,
                        {{"content-type", "application/json"}},
                        registration_body(test_identity, "wns", uri));
  }

  mock_wns_fixture wns;
  herald_fixture node;
};

} // namespace

BOOST_AUTO_TEST_SUITE(wns_end_to_end)

BOOST_AUTO_TEST_CASE(an_incoming_call_sends_one_raw_notification) {
  wns_setup s;
  auto reg = s.register_pc("surface-1", live_uri);
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body << "\n" << s.node.herald->stderr_text());

  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s), s.node.herald->stderr_text());
  std::this_thread::sleep_for(500ms); // A duplicate would show up by now.
  BOOST_TEST(s.wns.accepted_for(live_channel) == 1);
  BOOST_TEST(s.wns.stat("token_requests") == 1);
  BOOST_TEST(s.wns.stat("duplicates") == 0);

  auto seen = json_of(s.wns.notifications(live_channel));
  BOOST_TEST_REQUIRE(seen.IsArray());
  BOOST_TEST_REQUIRE(seen.Size() == 1u);
  BOOST_TEST(header_of(seen[0], "x-wns-type") == "wns/raw");
  BOOST_TEST(header_of(seen[0], "content-type") == "application/octet-stream");
  BOOST_TEST(header_of(seen[0], "x-wns-priority") == "1");
  BOOST_TEST(header_of(seen[0], "x-wns-ttl") == "30");
  BOOST_TEST(header_of(seen[0], "authorization") == "Bearer mock-wns-token-1");
  auto body = json_of(seen[0]["body"].GetString());
  BOOST_TEST(std::string(body["callId"].GetString()) == "d732db64-4803-462d-be9c-100000000001");
  BOOST_TEST(std::string(body["eventId"].GetString()) == "107");
  BOOST_TEST(s.node.metric(R"(herald_notifications_total{outcome="accepted",provider="wns"})") ==
             1.0);
}

BOOST_AUTO_TEST_CASE(a_chat_message_sends_a_toast) {
  wns_setup s;
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  auto posted = s.node.post_events(chat_message());
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s), s.node.herald->stderr_text());
  auto seen = json_of(s.wns.notifications(live_channel));
  BOOST_TEST_REQUIRE(seen.Size() == 1u);
  BOOST_TEST(header_of(seen[0], "x-wns-type") == "wns/toast");
  BOOST_TEST(header_of(seen[0], "content-type") == "text/xml");
  std::string toast = seen[0]["body"].GetString();
  BOOST_TEST(toast.rfind("<toast>", 0) == 0u, toast);
  BOOST_TEST(toast.find("Welcome to Azure Communication Services") != std::string::npos, toast);
}

BOOST_AUTO_TEST_CASE(an_expired_channel_is_pruned_and_not_sent_again) {
  wns_setup s({"--expired-channel", expired_channel});
  BOOST_TEST_REQUIRE(s.register_pc("surface-old", expired_uri).status == 200);
  BOOST_TEST_REQUIRE(s.register_pc("surface-new", live_uri).status == 200);

  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.node.wait_metric(R"(herald_pruned_tokens_total{provider="wns"})", 1.0, 15s),
                     s.node.herald->stderr_text());
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s));
  BOOST_TEST(s.wns.stat("rejected") == 1);

  // The second event reaches the live channel only: no new request for the pruned one.
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 2, 15s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(s.wns.stat("rejected") == 1);
  BOOST_TEST(s.node.metric(R"(herald_pruned_tokens_total{provider="wns"})") == 1.0);
  // Two channel hosts: two pools, each with its own token.
  BOOST_TEST(s.wns.stat("token_requests") == 2);
}

BOOST_AUTO_TEST_CASE(injected_503s_are_retried_until_every_event_arrives) {
  wns_setup s({"--fail-rate", "0.5", "--fail-status", "503", "--retry-after", "0"});
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  constexpr int events = 6;
  for (int i = 1; i <= events; ++i) {
    BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(i)).status == 200);
  }
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, events, 25s),
                     "accepted " << s.wns.accepted_for(live_channel));
  BOOST_TEST(s.wns.stat("rejected") >= 1); // The faults did happen.
  BOOST_TEST(s.wns.stat("duplicates") == 0);
  BOOST_TEST(s.node.metric(R"(herald_notification_retries_total{provider="wns"})") >= 1.0);
}

BOOST_AUTO_TEST_CASE(throttling_406s_are_retried_too) {
  // Every second valid send is throttled: of two events, one is answered 406 and sent again.
  wns_setup s({"--fail-rate", "0.5", "--fail-status", "406", "--retry-after", "0"});
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 2, 15s), s.node.herald->stderr_text());
  BOOST_TEST(s.wns.stat("rejected") == 1);
  BOOST_TEST(s.node.metric(R"(herald_notification_retries_total{provider="wns"})") == 1.0);
  BOOST_TEST(s.node.metric(R"(herald_notifications_total{outcome="accepted",provider="wns"})") ==
             2.0);
}

BOOST_AUTO_TEST_CASE(a_revoked_access_token_is_refreshed_once_and_the_push_resent) {
  wns_setup s;
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s));
  BOOST_TEST(s.wns.stat("token_requests") == 1);

  auto revoked = http_request("DELETE", "127.0.0.1", s.wns.admin_port, "/tokens");
  BOOST_TEST_REQUIRE(revoked.status == 204);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(2)).status == 200);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 2, 15s), s.node.herald->stderr_text());
  BOOST_TEST(s.wns.stat("rejected") == 1); // The one 401.
  BOOST_TEST(s.wns.stat("token_requests") == 2);
  BOOST_TEST(s.node.metric(
                 R"(herald_credential_refreshes_total{provider="wns",result="refused"})") == 1.0);
}

BOOST_AUTO_TEST_CASE(channel_hosts_beyond_max_hosts_are_refused_and_counted) {
  wns_setup s({}, "max_hosts = 1\n");
  const std::string other_channel = "AwYAAAB-other-host";
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  BOOST_TEST_REQUIRE(
      s.register_pc("surface-2", "https://sg2p.notify.windows.com/?token=" + other_channel)
          .status == 200);
  BOOST_TEST_REQUIRE(s.node.post_events(numbered_incoming_call(1)).status == 200);
  const std::string refused = R"(herald_notifications_total{outcome="host_limit",provider="wns"})";
  BOOST_TEST_REQUIRE(s.node.wait_metric(refused, 1.0, 15s), s.node.herald->stderr_text());
  // One host got the pool (whichever device came first) and its push.
  BOOST_TEST_REQUIRE(s.node.wait_metric(
      R"(herald_notifications_total{outcome="accepted",provider="wns"})", 1.0, 15s));
  BOOST_TEST(s.wns.accepted_for(live_channel) + s.wns.accepted_for(other_channel) == 1);
  BOOST_TEST(s.wns.stat("token_requests") == 1);
  BOOST_TEST(s.node.metric(refused) == 1.0);
}

BOOST_AUTO_TEST_CASE(a_template_direct_send_reaches_a_wns_device_as_a_toast) {
  wns_setup s({}, "[[apps.templates]]\nname = \"greeting\"\ntitle = \"Hello {name}\"\n"
                  "body = \"You have {count} new\"\n");
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  auto post = [&](const std::string& body) {
    return http_request("POST", "127.0.0.1", s.node.http_port, "/v1/apps/windows/notifications",
                        {{"content-type", "application/json"}}, body);
  };
  // An explicit payload without a WNS part: no device can take it.
  auto explicit_send = post(R"({"to":{"identity":")" + test_identity +
                            R"("},"payload":{"fcm":{"data":{"a":"b"}}}})");
  BOOST_TEST(explicit_send.status == 422, explicit_send.body);

  auto sent = post(R"({"to":{"identity":")" + test_identity +
                   R"("},"template":"greeting","data":{"name":"Ada","count":3},"ttl":600})");
  BOOST_TEST_REQUIRE(sent.status == 202, sent.body);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s), s.node.herald->stderr_text());
  auto seen = json_of(s.wns.notifications(live_channel));
  BOOST_TEST_REQUIRE(seen.Size() == 1u);
  BOOST_TEST(header_of(seen[0], "x-wns-type") == "wns/toast");
  BOOST_TEST(header_of(seen[0], "x-wns-ttl") == "600");
  std::string toast = seen[0]["body"].GetString();
  BOOST_TEST(toast.find("<text>Hello Ada</text><text>You have 3 new</text>") != std::string::npos,
             toast);
}

BOOST_AUTO_TEST_CASE(an_explicit_wns_payload_reaches_a_device_and_a_raw_channel_uri) {
  wns_setup s;
  const std::string other_channel = "AwYAAAB-direct-token";
  const std::string other_uri = "https://db5p.notify.windows.com/?token=" + other_channel;
  BOOST_TEST_REQUIRE(s.register_pc("surface-1", live_uri).status == 200);
  auto post = [&](const std::string& body) {
    return http_request("POST", "127.0.0.1", s.node.http_port, "/v1/apps/windows/notifications",
                        {{"content-type", "application/json"}}, body);
  };
  auto to_identity = post(R"({"to":{"identity":")" + test_identity +
                          R"("},"payload":{"wns":{"type":"wns/raw","body":"{\"k\":\"v\"}"}}})");
  BOOST_TEST_REQUIRE(to_identity.status == 202, to_identity.body);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(live_channel, 1, 15s), s.node.herald->stderr_text());
  // A channel URI with no registration, sent to directly.
  auto to_token = post(R"({"to":{"token":")" + other_uri +
                       R"(","platform":"wns"},"payload":{"wns":{"type":"wns/badge",)"
                       R"("body":"<badge value=\"3\"/>"}}})");
  BOOST_TEST_REQUIRE(to_token.status == 202, to_token.body);
  BOOST_TEST_REQUIRE(s.wns.wait_accepted(other_channel, 1, 15s), s.node.herald->stderr_text());
  auto raw = json_of(s.wns.notifications(live_channel));
  BOOST_TEST_REQUIRE(raw.Size() == 1u);
  BOOST_TEST(header_of(raw[0], "x-wns-type") == "wns/raw");
  BOOST_TEST(header_of(raw[0], "content-type") == "application/octet-stream");
  BOOST_TEST(raw[0]["body"].GetString() == std::string(R"({"k":"v"})"));
  auto badge = json_of(s.wns.notifications(other_channel));
  BOOST_TEST_REQUIRE(badge.Size() == 1u);
  BOOST_TEST(header_of(badge[0], "x-wns-type") == "wns/badge");
  BOOST_TEST(badge[0]["body"].GetString() == std::string(R"(<badge value="3"/>)"));
}

BOOST_AUTO_TEST_SUITE_END()
