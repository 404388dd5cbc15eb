#include <boost/test/unit_test.hpp>

#include <vector>

#include "protocol/api_key.hpp"

using namespace herald::protocol;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(sha256_matches_the_published_test_vector_and_round_trips_as_hex) {
  // FIPS 180-2, appendix B.1: SHA-256("abc").
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  BOOST_TEST(to_hex(sha256("abc")) == abc);
  auto parsed =
      parse_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST((*parsed == sha256("abc")));
  BOOST_TEST(!parse_sha256_hex(abc.substr(1)).has_value());
  BOOST_TEST(!parse_sha256_hex(abc.substr(1) + "g").has_value());
  BOOST_TEST(!parse_sha256_hex("").has_value());
}

BOOST_AUTO_TEST_CASE(scopes_parse_and_admin_implies_every_other) {
  BOOST_TEST((parse_api_scope("register") == api_scope::register_devices));
  BOOST_TEST((parse_api_scope("send") == api_scope::send));
  BOOST_TEST((parse_api_scope("admin") == api_scope::admin));
  BOOST_TEST(!parse_api_scope("Admin").has_value());
  BOOST_TEST(to_string(api_scope::register_devices) == "register");
  api_key k;
  k.scopes = static_cast<std::uint8_t>(api_scope::send);
  BOOST_TEST(k.allows(api_scope::send));
  BOOST_TEST(!k.allows(api_scope::register_devices));
  BOOST_TEST(!k.allows(api_scope::admin));
  k.scopes = static_cast<std::uint8_t>(api_scope::admin);
  BOOST_TEST(k.allows(api_scope::send));
  BOOST_TEST(k.allows(api_scope::register_devices));
}

BOOST_AUTO_TEST_CASE(the_key_comes_from_x_api_key_or_an_apikey_authorization) {
  const std::string key = "k-123";
  const std::string spaced = "  k-123 ";
  const std::string auth = "ApiKey k-456";
  const std::string auth_lower = "apikey\tk-789";
  const std::string bearer = "Bearer k-456";
  const std::string bare = "ApiKey";
  const std::string glued = "ApiKeyk-1";
  const std::string empty;
  BOOST_TEST(presented_api_key(&key, nullptr).value() == "k-123");
  BOOST_TEST(presented_api_key(&spaced, &auth).value() == "k-123");
  BOOST_TEST(presented_api_key(nullptr, &auth).value() == "k-456");
  BOOST_TEST(presented_api_key(nullptr, &auth_lower).value() == "k-789");
  BOOST_TEST(!presented_api_key(nullptr, &bearer).has_value());
  BOOST_TEST(!presented_api_key(nullptr, &bare).has_value());
  BOOST_TEST(!presented_api_key(nullptr, &glued).has_value());
  BOOST_TEST(!presented_api_key(&empty, nullptr).has_value());
  BOOST_TEST(!presented_api_key(nullptr, nullptr).has_value());
}

BOOST_AUTO_TEST_CASE(a_key_is_found_by_its_digest_only) {
  std::vector<api_key> keys(3);
  keys[0].id = "a";
  keys[0].digest = sha256("alpha");
  keys[1].id = "b";
  keys[1].digest = sha256("beta");
  keys[2].id = "c";
  keys[2].digest = sha256("gamma");
  const auto* found = find_api_key(keys, sha256("beta"));
  BOOST_TEST_REQUIRE(found != nullptr);
  BOOST_TEST(found->id == "b");
  BOOST_TEST(find_api_key(keys, sha256("gamma"))->id == "c");
  BOOST_TEST(find_api_key(keys, sha256("delta")) == nullptr);
  BOOST_TEST(find_api_key({}, sha256("alpha")) == nullptr);
}

BOOST_AUTO_TEST_CASE(the_bucket_allows_its_burst_then_its_rate) {
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket(2.0, 2.0, t0);
  BOOST_TEST(!bucket.take(t0).has_value());
  BOOST_TEST(!bucket.take(t0).has_value());
  auto wait = bucket.take(t0);
  BOOST_TEST_REQUIRE(wait.has_value());
  BOOST_TEST(wait->count() == (500ms).count() * 1'000'000);
  // A refusal takes nothing: half a second later exactly one token is back.
  BOOST_TEST(!bucket.take(t0 + 500ms).has_value());
  BOOST_TEST(bucket.take(t0 + 500ms).has_value());
  // Idle time refills only up to the burst.
  BOOST_TEST(!bucket.take(t0 + 10s).has_value());
  BOOST_TEST(!bucket.take(t0 + 10s).has_value());
  BOOST_TEST(bucket.take(t0 + 10s).has_value());
  // A clock going backwards neither refills nor breaks it.
  BOOST_TEST(bucket.take(t0).has_value());
}

BOOST_AUTO_TEST_CASE(a_fractional_rate_still_allows_one_request) {
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket(0.5, 0.5, t0);
  BOOST_TEST(!bucket.take(t0).has_value());
  auto wait = bucket.take(t0);
  BOOST_TEST_REQUIRE(wait.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count() == 2000);
}
