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

BOOST_AUTO_TEST_SUITE(retry_planning)

using herald::actors::plan_retry;
using herald::actors::retry_plan;

BOOST_AUTO_TEST_CASE(gives_up_after_the_attempt_cap) {
  std::mt19937_64 rng{1};
  auto now = std::chrono::steady_clock::now();
  auto uut = plan_retry(5, 5, 100ms, 1000ms, std::nullopt, now, now + 1h, rng);
  BOOST_TEST((uut.what == retry_plan::action::give_up));
}

BOOST_AUTO_TEST_CASE(honours_retry_after_as_a_floor) {
  std::mt19937_64 rng{2};
  auto now = std::chrono::steady_clock::now();
  auto uut = plan_retry(1, 5, 10ms, 20ms, std::chrono::seconds(3), now, now + 1h, rng);
  BOOST_TEST((uut.what == retry_plan::action::retry));
  BOOST_TEST(uut.delay.count() == 3000);
}

BOOST_AUTO_TEST_CASE(a_retry_past_the_deadline_expires) {
  std::mt19937_64 rng{3};
  auto now = std::chrono::steady_clock::now();
  auto uut = plan_retry(1, 5, 10ms, 20ms, std::chrono::seconds(3), now, now + 1s, rng);
  BOOST_TEST((uut.what == retry_plan::action::expired));
}

BOOST_AUTO_TEST_SUITE_END()
