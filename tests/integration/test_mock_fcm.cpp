// herald-mock-fcm judged directly with an HTTP/2 client: its token endpoint and its checks of
// messages:send, and that Herald's own classifier reads its answers as Google's.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

#include "protocol/fcm_message.hpp"
#include "protocol/oauth.hpp"
#include "tests/integration/h2_test_client.hpp"
#include "tests/integration/mock_fcm_fixture.hpp"
#include "tests/support/process.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

const std::string device = "device-token-1";
const std::string dead = "device-token-dead";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A mock FCM (one UNREGISTERED token) and an HTTP/2 client connected to it.
struct fixture {
  explicit fixture(const std::vector<std::string>& args = {"--unregistered-token", dead})
      : mock(args) {}

  test::mock_fcm_fixture mock;
  protocol::google_service_account account =
      protocol::parse_google_service_account(slurp(mock.service_account)).value();
  protocol::rs256_signer signer = protocol::rs256_signer::from_pem(account.private_key).value();
  test::h2_test_client http{mock.port, mock.pki.ca_cert.string()};

  protocol::provider_response send(protocol::provider_request request) {
    return http.send(std::move(request));
  }

  protocol::provider_response token_response(const protocol::google_service_account& who) {
    return send(protocol::make_google_token_request(who, signer, std::chrono::system_clock::now())
                    .value()
                    .request);
  }

  std::string access_token() {
    auto parsed = protocol::parse_oauth_token_response(token_response(account));
    BOOST_TEST_REQUIRE(!!parsed);
    return parsed.value().access_token;
  }

  protocol::provider_request message(const std::string& body, const std::string& bearer) {
    protocol::provider_request r;
    r.path = "/v1/projects/" + test::test_fcm_project + "/messages:send";
    r.headers = {{"content-type", "application/json"}};
    if (!bearer.empty()) {
      r.headers.emplace_back("authorization", protocol::fcm_authorization(bearer));
    }
    r.body = body;
    return r;
  }

  static std::string data_message(const std::string& token, const std::string& data) {
    return R"({"message":{"token":")" + token + R"(","data":)" + data + "}}";
  }
};

/// The mock as herald-bench runs it: no bodies kept, and (N = M) every answer held 300 ms.
struct bench_fixture : fixture {
  bench_fixture() : fixture({"--no-bodies", "--spike-every-ms", "300", "--spike-ms", "300"}) {}
};

} // namespace

BOOST_FIXTURE_TEST_CASE(lists_arrivals_by_call_id_and_holds_answers_in_a_spike, bench_fixture) {
  auto bearer = access_token();
  const auto before = std::chrono::steady_clock::now();
  auto body = data_message(device, R"({"eventId":"107","callId":"call-7"})");
  BOOST_TEST(send(message(body, bearer)).status == 200);
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - before)
                          .count();
  BOOST_TEST(waited >= 300);
  // Without bodies a duplicate is the same call announced twice to one device.
  BOOST_TEST(send(message(body, bearer)).status == 200);
  BOOST_TEST(mock.stat("duplicates") == 1);
  std::istringstream lines(test::http_get("127.0.0.1", mock.admin_port, "/arrivals"));
  std::string call_id, token;
  std::int64_t received_us = 0;
  BOOST_TEST_REQUIRE(static_cast<bool>(lines >> call_id >> token >> received_us));
  BOOST_TEST(call_id == "call-7");
  BOOST_TEST(token == device);
  BOOST_TEST(received_us > 0);
  auto listed = test::http_get("127.0.0.1", mock.admin_port, "/notifications");
  BOOST_TEST(listed.find("\"body\":\"\"") != std::string::npos, listed);
}

BOOST_FIXTURE_TEST_SUITE(mock_fcm, fixture)

BOOST_AUTO_TEST_CASE(issues_an_access_token_for_a_valid_assertion) {
  auto response = token_response(account);
  BOOST_TEST(response.status == 200);
  auto token = protocol::parse_oauth_token_response(response);
  BOOST_TEST_REQUIRE(!!token);
  BOOST_TEST(token.value().expires_in.count() == 3600);
  BOOST_TEST(token.value().token_type == "Bearer");
  BOOST_TEST(mock.stat("token_requests") == 1);
}

BOOST_AUTO_TEST_CASE(refuses_an_assertion_from_another_issuer_or_audience) {
  auto stranger = account;
  stranger.client_email = "someone@else.iam.gserviceaccount.com";
  auto response = token_response(stranger);
  BOOST_TEST(response.status == 400);
  BOOST_TEST(response.body.find("invalid_grant") != std::string::npos);
  auto elsewhere = account;
  elsewhere.token_uri = "https://127.0.0.1:" + std::to_string(mock.port) + "/other";
  BOOST_TEST(token_response(elsewhere).status != 200);
}

BOOST_AUTO_TEST_CASE(refuses_an_assertion_signed_by_another_key) {
  auto other = test::make_test_rsa_key(mock.dir / "other", "other");
  signer = protocol::rs256_signer::from_pem(slurp(other.private_key)).value();
  auto response = token_response(account);
  BOOST_TEST(response.status == 400);
  BOOST_TEST(response.body.find("Invalid JWT Signature") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_a_data_message_with_an_issued_token) {
  auto response = send(message(data_message(device, R"({"eventId":"107"})"), access_token()));
  BOOST_TEST(response.status == 200);
  auto v = protocol::classify_fcm(response);
  BOOST_TEST((v.kind == protocol::verdict_kind::accepted));
  BOOST_TEST(v.provider_id.starts_with("projects/" + test::test_fcm_project + "/messages/"));
  BOOST_TEST(mock.accepted_for(device) == 1);
}

BOOST_AUTO_TEST_CASE(answers_401_without_an_issued_token) {
  auto missing = send(message(data_message(device, "{}"), ""));
  auto forged = send(message(data_message(device, "{}"), "ya29.forged"));
  for (const auto& response : {missing, forged}) {
    BOOST_TEST(response.status == 401);
    BOOST_TEST((protocol::classify_fcm(response).kind == protocol::verdict_kind::unauthorized));
  }
  BOOST_TEST(mock.accepted_for(device) == 0);
}

BOOST_AUTO_TEST_CASE(rejects_non_string_data_and_oversized_payloads) {
  auto bearer = access_token();
  auto numeric = send(message(data_message(device, R"({"eventId":107})"), bearer));
  BOOST_TEST(numeric.status == 400);
  auto big = send(message(
      data_message(device, R"({"blob":")" + std::string(protocol::fcm_max_payload, 'x') + "\"}"),
      bearer));
  BOOST_TEST(big.status == 400);
  auto no_token = send(message(R"({"message":{"data":{}}})", bearer));
  BOOST_TEST(no_token.status == 400);
  BOOST_TEST((protocol::classify_fcm(big).kind == protocol::verdict_kind::rejected));
  BOOST_TEST(mock.stat("rejected") == 3);
}

BOOST_AUTO_TEST_CASE(answers_unregistered_for_a_listed_token) {
  auto response = send(message(data_message(dead, "{}"), access_token()));
  BOOST_TEST(response.status == 404);
  BOOST_TEST(response.body.find("\"errorCode\":\"UNREGISTERED\"") != std::string::npos);
  auto v = protocol::classify_fcm(response);
  BOOST_TEST((v.kind == protocol::verdict_kind::rejected));
  BOOST_TEST(v.token_dead);
}

BOOST_AUTO_TEST_CASE(counts_an_identical_message_twice_as_a_duplicate) {
  auto bearer = access_token();
  auto body = data_message(device, R"({"eventId":"107"})");
  BOOST_TEST(send(message(body, bearer)).status == 200);
  BOOST_TEST(send(message(body, bearer)).status == 200);
  BOOST_TEST(mock.stat("duplicates") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
