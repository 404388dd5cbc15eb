#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "protocol/apns_token_cache.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

std::string key_pem() {
  std::ifstream in(std::string(HERALD_TEST_DATA_DIR) + "/apns-test-key.p8");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const system_clock::time_point t0 = sys_days{year{2024} / 3 / 1};

struct fixture {
  es256_signer signer = es256_signer::from_pem(key_pem()).value();
  apns_token_cache uut{signer, "TEAM", "KEY"};
};

} // namespace

BOOST_AUTO_TEST_SUITE(apns_token_cache_suite)

BOOST_FIXTURE_TEST_CASE(issues_on_first_use_and_reuses_until_refresh_age, fixture) {
  BOOST_TEST(!uut.next_issue_at().has_value());
  const auto first = uut.token(t0).value();
  BOOST_TEST((uut.issued_at() == t0));
  BOOST_TEST(uut.token(t0 + 49min + 59s).value() == first);
  const auto second = uut.token(t0 + 50min).value();
  BOOST_TEST(second != first);
  BOOST_TEST((uut.issued_at() == t0 + 50min));
}

BOOST_AUTO_TEST_CASE(clamps_refresh_age_into_apples_window) {
  const auto signer = es256_signer::from_pem(key_pem()).value();
  BOOST_TEST((apns_token_cache(signer, "T", "K", 5min).refresh_after() == seconds{20min}));
  BOOST_TEST((apns_token_cache(signer, "T", "K", 2h).refresh_after() == seconds{60min}));
  BOOST_TEST((apns_token_cache(signer, "T", "K", 30min).refresh_after() == seconds{30min}));
}

BOOST_FIXTURE_TEST_CASE(invalidate_reissues_but_never_within_20_minutes_of_iat, fixture) {
  const auto first = uut.token(t0).value();
  uut.invalidate();
  BOOST_TEST((uut.next_issue_at() == t0 + 20min));
  BOOST_TEST(uut.token(t0 + 19min + 59s).value() == first);
  const auto second = uut.token(t0 + 20min).value();
  BOOST_TEST(second != first);
  // The refusal is consumed: the new token lives its normal age again.
  BOOST_TEST((uut.next_issue_at() == t0 + 70min));
  BOOST_TEST(uut.token(t0 + 45min).value() == second);
}

BOOST_FIXTURE_TEST_CASE(keeps_token_when_clock_steps_back, fixture) {
  const auto first = uut.token(t0).value();
  BOOST_TEST(uut.token(t0 - 1h).value() == first);
  BOOST_TEST((uut.issued_at() == t0));
}

BOOST_FIXTURE_TEST_CASE(token_carries_the_issue_time, fixture) {
  const auto token = uut.token(t0 + 3s).value();
  const auto claims = verify_es256_jwt(token, signer.public_key_pem().value()).value();
  BOOST_TEST(*claims.iat == duration_cast<seconds>((t0 + 3s).time_since_epoch()).count());
  BOOST_TEST(claims.kid == "KEY");
  BOOST_TEST(claims.iss == "TEAM");
}

BOOST_AUTO_TEST_SUITE_END()
