#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/jwt.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string data_file(const std::string& name) {
  return read_file(std::string(HERALD_TEST_DATA_DIR) + "/" + name);
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out(1);
  for (char c : token) {
    if (c == '.') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

/// Verifies a DER signature with OpenSSL directly: independent of the code under test.
bool openssl_verify(const std::string& public_pem, const std::string& data,
                    const std::string& sig) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  BOOST_REQUIRE(key);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  BOOST_REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

/// Raw R||S → DER, written here by hand (ASN.1 SEQUENCE of two INTEGERs) so the test does not
/// reuse the converter under test.
std::string raw_to_der(const std::string& raw) {
  auto integer = [](std::string v) {
    while (v.size() > 1 && v[0] == '\0' && (static_cast<unsigned char>(v[1]) & 0x80) == 0) {
      v.erase(0, 1);
    }
    if (static_cast<unsigned char>(v[0]) & 0x80) {
      v.insert(v.begin(), '\0');
    }
    return std::string{'\x02', static_cast<char>(v.size())} + v;
  };
  const std::string body = integer(raw.substr(0, 32)) + integer(raw.substr(32, 32));
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}

const system_clock::time_point iat = sys_days{year{2024} / 3 / 1} + 12h;

struct keys {
  std::string private_pem = data_file("apns-test-key.p8");
  std::string other_pem = data_file("apns-other-key.p8");
  es256_signer signer = es256_signer::from_pem(private_pem).value();
  std::string public_pem = es256_public_key_pem(private_pem).value();
};

} // namespace

BOOST_AUTO_TEST_SUITE(jwt)

BOOST_FIXTURE_TEST_CASE(provider_token_round_trips_through_verify, keys) {
  const auto uut = make_apns_provider_token(signer, "TEAM123456", "KEY1234567", iat);
  BOOST_REQUIRE(uut.has_value());
  const auto claims = verify_es256_jwt(uut.value(), public_pem);
  BOOST_REQUIRE_MESSAGE(claims.has_value(), (claims ? "" : claims.error().describe()));
  BOOST_TEST(claims.value().alg == "ES256");
  BOOST_TEST(claims.value().kid == "KEY1234567");
  BOOST_TEST(claims.value().iss == "TEAM123456");
  BOOST_REQUIRE(claims.value().iat.has_value());
  BOOST_TEST(*claims.value().iat == duration_cast<seconds>(iat.time_since_epoch()).count());
}

BOOST_FIXTURE_TEST_CASE(provider_token_has_apples_header_and_claims, keys) {
  const auto token = make_apns_provider_token(signer, "T", "K", iat).value();
  const auto parts = segments(token);
  BOOST_REQUIRE(parts.size() == 3u);
  rapidjson::Document header;
  header.Parse(base64url_decode(parts[0]).value().c_str());
  BOOST_TEST(header["alg"].GetString() == std::string("ES256"));
  BOOST_TEST(header["kid"].GetString() == std::string("K"));
  BOOST_TEST(header.MemberCount() == 2u);
  rapidjson::Document claims;
  claims.Parse(base64url_decode(parts[1]).value().c_str());
  BOOST_TEST(claims["iss"].GetString() == std::string("T"));
  BOOST_TEST(claims["iat"].IsInt64());
  BOOST_TEST(claims.MemberCount() == 2u);
  BOOST_TEST(token.find('=') == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(signature_is_raw_64_bytes_that_openssl_verifies_as_der, keys) {
  const auto token = make_apns_provider_token(signer, "TEAM", "KEY", iat).value();
  const auto parts = segments(token);
  const auto raw = base64url_decode(parts[2]).value();
  BOOST_TEST(raw.size() == 64u);
  const std::string input = parts[0] + "." + parts[1];
  BOOST_TEST(openssl_verify(public_pem, input, raw_to_der(raw)));
  BOOST_TEST(!openssl_verify(public_pem, input + "x", raw_to_der(raw)));
}

BOOST_FIXTURE_TEST_CASE(many_signatures_all_verify, keys) {
  // R or S with leading zero bytes appear about once in 128 signatures: sign enough to hit them.
  for (int i = 0; i < 300; ++i) {
    const auto token = make_apns_provider_token(signer, "TEAM", "KEY", iat + seconds{i}).value();
    BOOST_REQUIRE_MESSAGE(verify_es256_jwt(token, public_pem).has_value(), "token " << i);
  }
}

BOOST_FIXTURE_TEST_CASE(tampered_tokens_fail_verification, keys) {
  const auto token = make_apns_provider_token(signer, "TEAM", "KEY", iat).value();
  const auto parts = segments(token);
  // Claims changed after signing.
  const auto forged_claims = base64url_encode(R"({"iss":"EVIL","iat":1})");
  BOOST_TEST(!verify_es256_jwt(parts[0] + "." + forged_claims + "." + parts[2], public_pem));
  // One signature bit flipped.
  auto sig = base64url_decode(parts[2]).value();
  sig[10] = static_cast<char>(sig[10] ^ 0x01);
  const auto flipped = parts[0] + "." + parts[1] + "." + base64url_encode(sig);
  const auto uut = verify_es256_jwt(flipped, public_pem);
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "signature");
  // Another key's public half.
  BOOST_TEST(!verify_es256_jwt(token, es256_public_key_pem(other_pem).value()));
}

BOOST_FIXTURE_TEST_CASE(rejects_wrong_structure_and_algorithm, keys) {
  BOOST_TEST(!verify_es256_jwt("", public_pem));
  BOOST_TEST(!verify_es256_jwt("a.b", public_pem));
  BOOST_TEST(!verify_es256_jwt("a.b.c.d", public_pem));
  BOOST_TEST(!verify_es256_jwt("!!.??.##", public_pem));
  const auto parts = segments(make_apns_provider_token(signer, "T", "K", iat).value());
  const auto none = base64url_encode(R"({"alg":"none","kid":"K"})");
  const auto uut = verify_es256_jwt(none + "." + parts[1] + "." + parts[2], public_pem);
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "header.alg");
  const auto short_sig = parts[0] + "." + parts[1] + "." + base64url_encode("short");
  BOOST_TEST(!verify_es256_jwt(short_sig, public_pem));
}

BOOST_AUTO_TEST_CASE(refuses_keys_that_are_not_p256) {
  const auto p384 = es256_signer::from_pem(data_file("ec-p384-key.pem"));
  BOOST_REQUIRE(!p384.has_value());
  BOOST_TEST((p384.error().code == errc::crypto_failure));
  BOOST_TEST(!es256_signer::from_pem(data_file("rs256-test-key.pem")).has_value());
  BOOST_TEST(!es256_signer::from_pem("not a key").has_value());
  BOOST_TEST(!es256_signer::from_pem("").has_value());
}

BOOST_FIXTURE_TEST_CASE(refuses_empty_team_or_key_id, keys) {
  const auto no_team = make_apns_provider_token(signer, "", "K", iat);
  BOOST_REQUIRE(!no_team.has_value());
  BOOST_TEST(no_team.error().field == "team_id");
  BOOST_TEST(!make_apns_provider_token(signer, "T", "", iat).has_value());
}

BOOST_FIXTURE_TEST_CASE(public_key_pem_is_a_public_key, keys) {
  BOOST_TEST(public_pem.find("BEGIN PUBLIC KEY") != std::string::npos);
  BOOST_TEST(public_pem.find("PRIVATE") == std::string::npos);
  BOOST_TEST(es256_verifier::from_pem(public_pem).has_value());
  BOOST_TEST(!es256_public_key_pem("garbage").has_value());
}

BOOST_AUTO_TEST_CASE(rs256_signature_verifies_with_openssl) {
  const auto pem = data_file("rs256-test-key.pem");
  const auto uut = rs256_signer::from_pem(pem);
  BOOST_REQUIRE(uut.has_value());
  const auto token = make_rs256_jws(uut.value(), R"({"alg":"RS256","typ":"JWT"})", "{}").value();
  const auto parts = segments(token);
  const auto sig = base64url_decode(parts[2]).value();
  BOOST_TEST(sig.size() == 256u);
  BOOST_TEST(openssl_verify(uut.value().public_key_pem().value(), parts[0] + "." + parts[1], sig));
  BOOST_TEST(!rs256_signer::from_pem(data_file("apns-test-key.p8")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
