#include "actors/backoff.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using herald::actors::full_jitter;

BOOST_AUTO_TEST_SUITE(backoff)

BOOST_AUTO_TEST_CASE(delays_stay_within_the_exponential_ceiling_and_the_cap) {
  std::mt19937_64 rng{42};
  for (std::uint32_t attempt = 0; attempt < 20; ++attempt) {
    auto ceiling = std::min<std::int64_t>(100 * (std::int64_t{1} << std::min(attempt, 20u)), 5000);
    for (int i = 0; i < 200; ++i) {
      auto d = full_jitter(100ms, 5000ms, attempt, rng);
      BOOST_TEST(d.count() >= 0);
      BOOST_TEST(d.count() <= ceiling);
    }
  }
}

BOOST_AUTO_TEST_CASE(delays_are_spread_not_constant) {
  std::mt19937_64 rng{7};
  std::int64_t lo = 1'000'000;
  std::int64_t hi = 0;
  for (int i = 0; i < 500; ++i) {
    auto d = full_jitter(1000ms, 60000ms, 3, rng).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  BOOST_TEST(lo < 2000);
  BOOST_TEST(hi > 6000);
}

BOOST_AUTO_TEST_SUITE_END()
