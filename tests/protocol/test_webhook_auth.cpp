#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "protocol/base64url.hpp"
#include "protocol/jwt.hpp"
#include "protocol/webhook_auth.hpp"

using namespace herald::protocol;
using verdict = webhook_auth_decision::verdict;

namespace {

std::string data_file(const std::string& name) {
  std::ifstream in(std::string(HERALD_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
const std::string issuer = "https://sts.windows.net/00000000-0000-0000-0000-00000000000a/";
const std::string audience = "api://herald-webhook";

struct jwt_fixture {
  rs256_signer signer = rs256_signer::from_pem(data_file("rs256-test-key.pem")).value();

  webhook_authenticator make_uut() const {
    webhook_auth_settings s;
    webhook_jwt_settings jwt;
    jwt.issuers = {"https://login.microsoftonline.com/x/v2.0", issuer};
    jwt.audience = audience;
    jwt.keys = {{"key-1", signer.public_key_pem().value()}};
    s.jwt = jwt;
    return webhook_authenticator::make(std::move(s)).value();
  }

  /// A token signed by the test key; `claims` is the JSON claims text.
  std::string token(const std::string& claims, const std::string& kid = "key-1") const {
    return make_rs256_jws(signer, R"({"alg":"RS256","typ":"JWT","kid":")" + kid + "\"}", claims)
        .value();
  }

  /// Claims as Event Grid's v1 Entra ID token carries them, overridable one at a time.
  static std::string claims(const std::string& aud = audience, long exp = 1'800'000'600,
                            const std::string& appid = std::string(event_grid_app_id),
                            const std::string& iss = issuer) {
    return R"({"aud":")" + aud + R"(","iss":")" + iss + R"(","nbf":1799999000,"exp":)" +
           std::to_string(exp) + R"(,"appid":")" + appid +
           R"(","roles":["AzureEventGridSecureWebhookSubscriber"]})";
  }

  webhook_auth_decision decide(const webhook_authenticator& uut, const std::string& bearer) const {
    const std::string header = "Bearer " + bearer;
    webhook_credentials c;
    c.authorization = &header;
    return uut.decide(c, now);
  }
};

webhook_authenticator secrets_uut() {
  webhook_auth_settings s;
  s.query_secrets = {"current-secret", "next-secret"};
  s.sas_keys = {"sas-one"};
  return webhook_authenticator::make(std::move(s)).value();
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_auth)

BOOST_AUTO_TEST_CASE(allows_everything_when_no_method_is_configured) {
  const auto uut = webhook_authenticator::make({}).value();
  BOOST_TEST(!uut.enabled());
  const auto d = uut.decide({}, now);
  BOOST_TEST((d.what == verdict::allowed));
  BOOST_TEST(d.status() == 200);
}

BOOST_AUTO_TEST_CASE(answers_401_without_credentials) {
  const auto uut = secrets_uut();
  BOOST_TEST(uut.enabled());
  const auto d = uut.decide({}, now);
  BOOST_TEST((d.what == verdict::missing));
  BOOST_TEST(d.status() == 401);
  BOOST_TEST(d.reason == "missing");
}

BOOST_AUTO_TEST_CASE(accepts_both_rotation_secrets_in_the_query) {
  const auto uut = secrets_uut();
  for (const auto* s : {"current-secret", "next-secret"}) {
    webhook_credentials c;
    c.query_secret = s;
    const auto d = uut.decide(c, now);
    BOOST_TEST((d.what == verdict::allowed), s);
    BOOST_TEST(d.reason == "query_secret");
  }
}

BOOST_AUTO_TEST_CASE(answers_403_for_a_wrong_query_secret_without_echoing_it) {
  const auto uut = secrets_uut();
  for (const auto* s : {"current-secreT", "current-secret-longer", "", "c"}) {
    webhook_credentials c;
    c.query_secret = s;
    const auto d = uut.decide(c, now);
    BOOST_TEST(d.status() == 403, s);
    BOOST_TEST(d.reason == "query_secret");
    BOOST_TEST(d.detail.find("current-secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(accepts_the_aeg_sas_key_header) {
  const auto uut = secrets_uut();
  const std::string good = "sas-one";
  const std::string bad = "sas-two";
  webhook_credentials c;
  c.sas_key = &good;
  BOOST_TEST(uut.decide(c, now).reason == "sas_key");
  BOOST_TEST(uut.decide(c, now).status() == 200);
  c.sas_key = &bad;
  BOOST_TEST(uut.decide(c, now).status() == 403);
}

BOOST_AUTO_TEST_CASE(one_valid_credential_is_enough) {
  const auto uut = secrets_uut();
  const std::string good = "sas-one";
  webhook_credentials c;
  c.query_secret = "wrong";
  c.sas_key = &good;
  BOOST_TEST(uut.decide(c, now).status() == 200);
}

BOOST_AUTO_TEST_CASE(ignores_credentials_of_methods_not_configured) {
  const auto uut = secrets_uut();
  const std::string auth = "Bearer abc.def.ghi";
  webhook_credentials c;
  c.authorization = &auth;
  BOOST_TEST(uut.decide(c, now).status() == 401);
}

BOOST_AUTO_TEST_CASE(refuses_bad_settings) {
  webhook_auth_settings three;
  three.query_secrets = {"a", "b", "c"};
  BOOST_TEST(!webhook_authenticator::make(three).has_value());
  webhook_auth_settings empty;
  empty.sas_keys = {""};
  BOOST_TEST(!webhook_authenticator::make(empty).has_value());
  webhook_auth_settings no_audience;
  no_audience.jwt = webhook_jwt_settings{};
  no_audience.jwt->issuers = {issuer};
  const auto r = webhook_authenticator::make(no_audience);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().field == "jwt.audience");
  webhook_auth_settings ec_key;
  ec_key.jwt = webhook_jwt_settings{};
  ec_key.jwt->issuers = {issuer};
  ec_key.jwt->audience = audience;
  ec_key.jwt->keys = {{"ec", es256_public_key_pem(data_file("apns-test-key.p8")).value()}};
  BOOST_TEST(!webhook_authenticator::make(ec_key).has_value());
}

BOOST_FIXTURE_TEST_CASE(accepts_an_event_grid_entra_token, jwt_fixture) {
  const auto uut = make_uut();
  const auto d = decide(uut, token(claims()));
  BOOST_TEST(d.status() == 200);
  BOOST_TEST(d.reason == "jwt");
}

BOOST_FIXTURE_TEST_CASE(accepts_v2_tokens_with_azp_and_an_audience_array, jwt_fixture) {
  const auto uut = make_uut();
  const auto v2 = R"({"aud":["other",")" + audience +
                  R"("],"iss":"https://login.microsoftonline.com/x/v2.0","exp":1800000600,)"
                  R"("azp":")" +
                  std::string(event_grid_app_id) + "\"}";
  BOOST_TEST(decide(uut, token(v2)).status() == 200);
  // The scheme is case-insensitive (RFC 9110 section 11.1).
  const std::string header = "bearer " + token(v2);
  webhook_credentials c;
  c.authorization = &header;
  BOOST_TEST(uut.decide(c, now).status() == 200);
}

BOOST_FIXTURE_TEST_CASE(refuses_an_expired_token_beyond_the_clock_skew, jwt_fixture) {
  const auto uut = make_uut();
  BOOST_TEST(decide(uut, token(claims(audience, 1'800'000'000 - 200))).status() == 200);
  const auto d = decide(uut, token(claims(audience, 1'800'000'000 - 301)));
  BOOST_TEST(d.status() == 403);
  BOOST_TEST(d.reason == "jwt_expired");
  BOOST_TEST(
      decide(uut, token(R"({"aud":")" + audience + R"(","iss":")" + issuer + "\"}")).reason ==
      "jwt_expired");
}

BOOST_FIXTURE_TEST_CASE(takes_dates_beyond_int64_as_far_future_or_past, jwt_fixture) {
  // Found by fuzzing: a NumericDate of 1e300 was cast to int64 (undefined behaviour).
  const auto uut = make_uut();
  auto with = [&](const std::string& nbf, const std::string& exp) {
    return decide(uut, token(R"({"aud":")" + audience + R"(","iss":")" + issuer + R"(","nbf":)" +
                             nbf + R"(,"exp":)" + exp + R"(,"appid":")" +
                             std::string(event_grid_app_id) + "\"}"));
  };
  BOOST_TEST(with("-1e300", "1e300").status() == 200);
  BOOST_TEST(with("1e300", "1e300").reason == "jwt_not_yet_valid");
  BOOST_TEST(with("1799999000", "-1e300").reason == "jwt_expired");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_token_not_yet_valid, jwt_fixture) {
  const auto uut = make_uut();
  const auto early = R"({"aud":")" + audience + R"(","iss":")" + issuer +
                     R"(","nbf":1800001000,"exp":1800009000,"appid":")" +
                     std::string(event_grid_app_id) + "\"}";
  BOOST_TEST(decide(uut, token(early)).reason == "jwt_not_yet_valid");
}

BOOST_FIXTURE_TEST_CASE(refuses_wrong_audience_issuer_and_app_id, jwt_fixture) {
  const auto uut = make_uut();
  BOOST_TEST(decide(uut, token(claims("api://other"))).reason == "jwt_audience");
  BOOST_TEST(
      decide(uut, token(claims(audience, 1'800'000'600, "11111111-2222-3333-4444-555555555555")))
          .reason == "jwt_app_id");
  BOOST_TEST(decide(uut, token(claims(audience, 1'800'000'600, std::string(event_grid_app_id),
                                      "https://evil.example/")))
                 .reason == "jwt_issuer");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_tampered_or_foreign_signature, jwt_fixture) {
  const auto uut = make_uut();
  const auto good = token(claims());
  const auto dot1 = good.find('.');
  const auto dot2 = good.find('.', dot1 + 1);
  // Same signature, claims changed to another audience: must not verify.
  const auto tampered =
      good.substr(0, dot1 + 1) + base64url_encode(claims("api://other")) + good.substr(dot2);
  const auto d = decide(uut, tampered);
  BOOST_TEST(d.status() == 403);
  BOOST_TEST(d.reason == "jwt_signature");
  BOOST_TEST(decide(uut, token(claims(), "key-2")).reason == "jwt_unknown_key");
}

BOOST_FIXTURE_TEST_CASE(refuses_other_algorithms_and_garbage, jwt_fixture) {
  const auto uut = make_uut();
  const auto good = token(claims());
  const auto none = base64url_encode(R"({"alg":"none","kid":"key-1"})") +
                    good.substr(good.find('.'), good.rfind('.') - good.find('.')) + ".";
  BOOST_TEST(decide(uut, none).reason == "jwt_malformed");
  BOOST_TEST(decide(uut, "not-a-jwt").reason == "jwt_malformed");
  BOOST_TEST(decide(uut, "a.b.c.d").reason == "jwt_malformed");
  BOOST_TEST(decide(uut, "!!.??.**").reason == "jwt_malformed");
}

BOOST_AUTO_TEST_SUITE_END()
