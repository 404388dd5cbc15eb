// herald-mock-wns judged directly with an HTTP/2 client: its token endpoint and its checks of
// notifications, and that Herald's own classifier reads its answers as WNS's.
#include <boost/test/unit_test.hpp>

#include <string>

#include "protocol/oauth.hpp"
#include "protocol/wns_request.hpp"
#include "tests/integration/h2_test_client.hpp"
#include "tests/integration/mock_wns_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald;

namespace {

const std::string expired = "channel-expired";
const std::string invalid = "channel-invalid";

/// A mock WNS (one expired, one invalid channel) and an HTTP/2 client connected to it.
struct fixture {
  test::mock_wns_fixture mock{{"--expired-channel", expired, "--invalid-channel", invalid}};
  test::h2_test_client http{mock.port, mock.pki.ca_cert.string()};

  protocol::provider_response token(const protocol::wns_credentials& who) {
    return http.send(protocol::make_wns_token_request(who).value().request);
  }

  std::string access_token() {
    auto parsed = protocol::parse_oauth_token_response(
        token({test::test_wns_client_id, test::test_wns_client_secret}));
    BOOST_TEST_REQUIRE(parsed.has_value());
    return parsed.value().access_token;
  }

  /// A notification of `type` to `channel` with `body`, authorized by `bearer`.
  static protocol::provider_request push(const std::string& channel, const std::string& type,
                                         const std::string& content_type, std::string body,
                                         const std::string& bearer) {
    protocol::provider_request r;
    r.path = "/?token=" + channel;
    r.headers = {{"x-wns-type", type}, {"content-type", content_type}};
    if (!bearer.empty()) {
      r.headers.emplace_back("authorization", protocol::wns_authorization(bearer));
    }
    r.body = std::move(body);
    return r;
  }

  protocol::provider_response raw(const std::string& channel, const std::string& bearer) {
    return http.send(push(channel, "wns/raw", "application/octet-stream", "{}", bearer));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(mock_wns, fixture)

BOOST_AUTO_TEST_CASE(the_token_endpoint_checks_the_client_credentials) {
  auto ok = token({test::test_wns_client_id, test::test_wns_client_secret});
  BOOST_TEST(ok.status == 200);
  auto parsed = protocol::parse_oauth_token_response(ok);
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed.value().expires_in.count() == 86400);
  BOOST_TEST(parsed.value().token_type == "bearer");

  auto wrong = token({test::test_wns_client_id, "not-the-secret"});
  BOOST_TEST(wrong.status == 400);
  auto refused = protocol::parse_oauth_token_response(wrong);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().message.rfind("invalid_client", 0) == 0u);
  BOOST_TEST(mock.stat("token_requests") == 2);
  BOOST_TEST(mock.stat("tokens_issued") == 1);
}

BOOST_AUTO_TEST_CASE(an_accepted_push_carries_a_message_id) {
  auto response = raw("channel-1", access_token());
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.header("x-wns-status") == "received");
  auto v = protocol::classify_wns(response);
  BOOST_TEST((v.kind == protocol::verdict_kind::accepted));
  BOOST_TEST(!v.provider_id.empty());
  BOOST_TEST(mock.accepted_for("channel-1") == 1);
}

BOOST_AUTO_TEST_CASE(missing_forged_and_revoked_tokens_get_401) {
  BOOST_TEST(raw("channel-1", "").status == 401);
  BOOST_TEST(raw("channel-1", "forged").status == 401);
  auto bearer = access_token();
  BOOST_TEST(raw("channel-1", bearer).status == 200);
  auto revoked = test::http_request("DELETE", "127.0.0.1", mock.admin_port, "/tokens");
  BOOST_TEST_REQUIRE(revoked.status == 204);
  auto response = raw("channel-1", bearer);
  BOOST_TEST(response.status == 401);
  BOOST_TEST((protocol::classify_wns(response).kind == protocol::verdict_kind::unauthorized));
}

BOOST_AUTO_TEST_CASE(malformed_pushes_are_refused_with_400_or_413) {
  auto bearer = access_token();
  BOOST_TEST(http.send(push("c", "wns/bogus", "text/xml", "<toast/>", bearer)).status == 400);
  BOOST_TEST(http.send(push("c", "wns/raw", "text/xml", "{}", bearer)).status == 400);
  BOOST_TEST(http.send(push("c", "wns/toast", "text/xml", "<tile/>", bearer)).status == 400);
  auto big =
      http.send(push("c", "wns/raw", "application/octet-stream", std::string(5001, 'x'), bearer));
  BOOST_TEST(big.status == 413);
  BOOST_TEST((protocol::classify_wns(big).kind == protocol::verdict_kind::rejected));
  BOOST_TEST(!protocol::classify_wns(big).token_dead);
  BOOST_TEST(http.send(push("c", "wns/toast", "text/xml", "<toast/>", bearer)).status == 200);
}

BOOST_AUTO_TEST_CASE(expired_and_invalid_channels_are_dead_tokens) {
  auto bearer = access_token();
  auto gone = raw(expired, bearer);
  BOOST_TEST(gone.status == 410);
  BOOST_TEST(protocol::classify_wns(gone).token_dead);
  auto not_found = raw(invalid, bearer);
  BOOST_TEST(not_found.status == 404);
  BOOST_TEST(protocol::classify_wns(not_found).token_dead);
  BOOST_TEST(mock.stat("rejected") == 2);
}

BOOST_AUTO_TEST_SUITE_END()
