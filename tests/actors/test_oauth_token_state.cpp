#include "actors/oauth_token_state.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using token_state = herald::actors::oauth_token_state;

namespace {

const token_state::clock::time_point t0{std::chrono::hours(1000)};

} // namespace

BOOST_AUTO_TEST_SUITE(oauth_token_state)

BOOST_AUTO_TEST_CASE(asks_for_a_token_when_it_has_none) {
  token_state uut;
  BOOST_TEST(uut.should_fetch(t0));
  BOOST_TEST(uut.usable(t0).empty());
}

BOOST_AUTO_TEST_CASE(runs_one_fetch_at_a_time) {
  token_state uut;
  uut.fetch_started();
  BOOST_TEST(uut.fetching());
  BOOST_TEST(!uut.should_fetch(t0));
}

BOOST_AUTO_TEST_CASE(uses_an_hour_token_until_five_minutes_before_expiry) {
  token_state uut;
  uut.fetch_started();
  uut.fetch_succeeded("ya29.a", 3600s, t0);
  BOOST_TEST(!uut.fetching());
  BOOST_TEST(uut.usable(t0) == "ya29.a");
  BOOST_TEST(!uut.should_fetch(t0 + 54min));
  BOOST_TEST(uut.should_fetch(t0 + 55min));
  // Still usable while the refresh runs.
  BOOST_TEST(uut.usable(t0 + 59min) == "ya29.a");
  BOOST_TEST(uut.usable(t0 + 60min).empty());
}

BOOST_AUTO_TEST_CASE(refreshes_a_short_token_at_half_its_life) {
  token_state uut;
  uut.fetch_succeeded("short", 4s, t0);
  BOOST_TEST(!uut.should_fetch(t0 + 1s));
  BOOST_TEST(uut.should_fetch(t0 + 2s));
  BOOST_TEST((uut.refresh_at() == t0 + 2s));
}

BOOST_AUTO_TEST_CASE(backs_off_exponentially_after_failed_fetches) {
  token_state uut;
  uut.fetch_started();
  uut.fetch_failed(t0);
  BOOST_TEST(!uut.should_fetch(t0 + 999ms));
  BOOST_TEST(uut.should_fetch(t0 + 1s));
  uut.fetch_started();
  uut.fetch_failed(t0 + 1s);
  BOOST_TEST(!uut.should_fetch(t0 + 2s));
  BOOST_TEST(uut.should_fetch(t0 + 3s));
  for (int i = 0; i < 20; ++i) {
    uut.fetch_failed(t0);
  }
  BOOST_TEST((uut.retry_at() == t0 + 60s));
  BOOST_TEST(uut.failures() == 22u);
  uut.fetch_succeeded("ok", 3600s, t0 + 61s);
  BOOST_TEST(uut.failures() == 0u);
  BOOST_TEST(uut.usable(t0 + 61s) == "ok");
}

BOOST_AUTO_TEST_CASE(drops_a_refused_token_once) {
  token_state uut;
  uut.fetch_succeeded("old", 3600s, t0);
  BOOST_TEST(!uut.refused("other"));
  BOOST_TEST(uut.usable(t0) == "old");
  BOOST_TEST(uut.refused("old"));
  BOOST_TEST(uut.usable(t0).empty());
  BOOST_TEST(uut.should_fetch(t0));
  // A second 401 for the same token (another request in flight) is not another refresh.
  BOOST_TEST(!uut.refused("old"));
}

BOOST_AUTO_TEST_CASE(keeps_a_new_token_when_a_late_401_names_the_old_one) {
  token_state uut;
  uut.fetch_succeeded("old", 3600s, t0);
  BOOST_TEST(uut.refused("old"));
  uut.fetch_succeeded("new", 3600s, t0 + 1s);
  BOOST_TEST(!uut.refused("old"));
  BOOST_TEST(uut.usable(t0 + 1s) == "new");
}

BOOST_AUTO_TEST_SUITE_END()
