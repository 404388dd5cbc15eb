#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/base64url.hpp"
#include "protocol/oauth.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

std::string rsa_pem() {
  std::ifstream in(std::string(HERALD_TEST_DATA_DIR) + "/rs256-test-key.pem");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A service-account file like Google's, with `omit` left out.
std::string account_json(const std::string& omit = "") {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  const std::pair<const char*, std::string> fields[] = {
      {"type", "service_account"},
      {"project_id", "demo-project"},
      {"private_key_id", "abc"},
      {"private_key", rsa_pem()},
      {"client_email", "herald@demo-project.iam.gserviceaccount.com"},
      {"token_uri", "https://oauth2.googleapis.com/token"}};
  for (const auto& [k, v] : fields) {
    if (omit != k) {
      w.Key(k);
      w.String(v.c_str());
    }
  }
  w.EndObject();
  return buf.GetString();
}

const system_clock::time_point now = sys_days{year{2024} / 3 / 1} + 12h;
const std::int64_t now_s = duration_cast<seconds>(now.time_since_epoch()).count();

std::string form_value(const std::string& body, const std::string& key) {
  const auto at = body.find(key + "=");
  BOOST_REQUIRE(at != std::string::npos);
  const auto start = at + key.size() + 1;
  return body.substr(start, body.find('&', start) - start);
}

} // namespace

BOOST_AUTO_TEST_SUITE(oauth)

BOOST_AUTO_TEST_CASE(parses_service_account_fields) {
  const auto uut = parse_google_service_account(account_json());
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().client_email == "herald@demo-project.iam.gserviceaccount.com");
  BOOST_TEST(uut.value().project_id == "demo-project");
  BOOST_TEST(uut.value().token_uri == "https://oauth2.googleapis.com/token");
  BOOST_TEST(uut.value().private_key.find("BEGIN PRIVATE KEY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(service_account_errors_name_the_field) {
  for (const char* field : {"client_email", "private_key", "token_uri", "project_id"}) {
    const auto uut = parse_google_service_account(account_json(field));
    BOOST_REQUIRE(!uut.has_value());
    BOOST_TEST(uut.error().field == field);
    BOOST_TEST((uut.error().code == errc::missing_field));
  }
  BOOST_TEST((parse_google_service_account("{").error().code == errc::malformed_json));
  BOOST_TEST((parse_google_service_account("[]").error().code == errc::wrong_shape));
  auto http = account_json();
  http.replace(http.find("https://oauth2"), 5, "http");
  BOOST_TEST(parse_google_service_account(http).error().field == "token_uri");
}

BOOST_AUTO_TEST_CASE(token_request_carries_a_verifiable_assertion) {
  const auto account = parse_google_service_account(account_json()).value();
  const auto signer = rs256_signer::from_pem(account.private_key).value();
  const auto uut = make_google_token_request(account, signer, now);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().authority == "oauth2.googleapis.com");
  BOOST_TEST(uut.value().request.path == "/token");
  BOOST_TEST(uut.value().request.header("content-type") == "application/x-www-form-urlencoded");
  const auto& body = uut.value().request.body;
  BOOST_TEST(
      body.rfind("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=",
                 0) == 0u);
  const auto jwt = form_value(body, "assertion");
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  rapidjson::Document header;
  header.Parse(base64url_decode(jwt.substr(0, dot1)).value().c_str());
  BOOST_TEST(header["alg"].GetString() == std::string("RS256"));
  rapidjson::Document claims;
  claims.Parse(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)).value().c_str());
  BOOST_TEST(claims["iss"].GetString() == account.client_email);
  BOOST_TEST(claims["scope"].GetString() == std::string(fcm_oauth_scope));
  BOOST_TEST(claims["aud"].GetString() == account.token_uri);
  BOOST_TEST(claims["iat"].GetInt64() == now_s);
  BOOST_TEST(claims["exp"].GetInt64() == now_s + 3600);
  // The signature is checked against the same key re-signing the same input.
  BOOST_TEST(base64url_decode(jwt.substr(dot2 + 1)).value() ==
             signer.sign(jwt.substr(0, dot2)).value()); // PKCS#1 v1.5 is deterministic
}

BOOST_AUTO_TEST_CASE(wns_token_request_is_a_client_credentials_form) {
  const auto uut = make_wns_token_request({"ms-app://s-1-15-2-1", "se/cr+et"});
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().authority == "login.live.com");
  BOOST_TEST(uut.value().request.path == "/accesstoken.srf");
  BOOST_TEST(uut.value().request.body ==
             "grant_type=client_credentials&client_id=ms-app%3A%2F%2Fs-1-15-2-1"
             "&client_secret=se%2Fcr%2Bet&scope=notify.windows.com");
  BOOST_TEST(make_wns_token_request({"", "x"}).error().field == "client_id");
  BOOST_TEST(make_wns_token_request({"x", ""}).error().field == "client_secret");
}

BOOST_AUTO_TEST_CASE(parses_token_responses) {
  const auto google = parse_oauth_token_response(
      {200, {}, R"({"access_token":"ya29.c","expires_in":3599,"token_type":"Bearer"})"});
  BOOST_REQUIRE(google.has_value());
  BOOST_TEST(google.value().access_token == "ya29.c");
  BOOST_TEST(google.value().expires_in.count() == 3599);
  BOOST_TEST(google.value().token_type == "Bearer");
  const auto wns = parse_oauth_token_response(
      {200, {}, R"({"token_type":"bearer","access_token":"EgY=","expires_in":"86400"})"});
  BOOST_REQUIRE(wns.has_value());
  BOOST_TEST(wns.value().expires_in.count() == 86400);
}

BOOST_AUTO_TEST_CASE(token_errors_are_reported_with_their_code) {
  const auto uut = parse_oauth_token_response(
      {400, {}, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"});
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "error");
  BOOST_TEST(uut.error().message == "invalid_grant: Invalid JWT Signature.");
  BOOST_TEST(
      (parse_oauth_token_response({502, {}, "<html>"}).error().code == errc::malformed_json));
  BOOST_TEST(parse_oauth_token_response({200, {}, R"({"expires_in":1})"}).error().field ==
             "access_token");
  BOOST_TEST(parse_oauth_token_response({200, {}, R"({"access_token":"a"})"}).error().field ==
             "expires_in");
  BOOST_TEST(parse_oauth_token_response({200, {}, R"({"access_token":"a","expires_in":"x"})"})
                 .error()
                 .field == "expires_in");
  BOOST_TEST(!parse_oauth_token_response({500, {}, "{}"}).has_value());
}

BOOST_AUTO_TEST_CASE(form_encoding_escapes_reserved_characters) {
  BOOST_TEST(form_urlencode("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9");
  BOOST_TEST(form_urlencode("AZaz09-._*") == "AZaz09-._*");
}

BOOST_AUTO_TEST_SUITE_END()
