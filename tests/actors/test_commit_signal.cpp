#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "actors/commit_signal.hpp"

using herald::actors::commit_signal;

BOOST_AUTO_TEST_SUITE(commit_signal_suite)

BOOST_AUTO_TEST_CASE(a_waiter_set_first_runs_when_the_commit_resolves) {
  commit_signal uut;
  int calls = 0;
  commit_signal::failure seen = std::string("unset");
  uut.on_resolved([&](commit_signal::failure f) {
    ++calls;
    seen = std::move(f);
  });
  BOOST_TEST(calls == 0);
  uut.resolve(std::nullopt);
  BOOST_TEST(calls == 1);
  BOOST_TEST(!seen.has_value());
}

BOOST_AUTO_TEST_CASE(a_waiter_set_after_the_commit_runs_at_once_with_its_failure) {
  commit_signal uut;
  uut.resolve(std::string("journal: disk full"));
  int calls = 0;
  commit_signal::failure seen;
  uut.on_resolved([&](commit_signal::failure f) {
    ++calls;
    seen = std::move(f);
  });
  BOOST_TEST(calls == 1);
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST(*seen == "journal: disk full");
}

BOOST_AUTO_TEST_CASE(the_waiter_runs_once_when_both_sides_race) {
  for (int round = 0; round < 200; ++round) {
    commit_signal uut;
    std::atomic<int> calls{0};
    std::thread committer([&] { uut.resolve(std::nullopt); });
    uut.on_resolved([&](commit_signal::failure) { ++calls; });
    committer.join();
    BOOST_TEST(calls.load() == 1);
  }
}

BOOST_AUTO_TEST_SUITE_END()
