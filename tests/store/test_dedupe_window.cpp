#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <random>
#include <string>

#include "store/dedupe_window.hpp"

using namespace std::chrono_literals;
namespace hs = herald::store;
using sys_clock = std::chrono::system_clock;

namespace {
const sys_clock::time_point t0 =
    sys_clock::time_point(std::chrono::milliseconds(1'750'000'000'000));
} // namespace

BOOST_AUTO_TEST_SUITE(dedupe_window)

BOOST_AUTO_TEST_CASE(a_second_sighting_within_the_window_is_a_duplicate) {
  hs::dedupe_window uut({24h, 100});
  BOOST_TEST(!uut.check_and_remember("/src", "e1", t0));
  BOOST_TEST(uut.check_and_remember("/src", "e1", t0 + 23h));
}

BOOST_AUTO_TEST_CASE(the_same_id_from_another_source_is_not_a_duplicate) {
  hs::dedupe_window uut({24h, 100});
  BOOST_TEST(!uut.check_and_remember("/a", "e1", t0));
  BOOST_TEST(!uut.check_and_remember("/b", "e1", t0));
  // Length-prefixed keys: ("/a", "be1") must not collide with ("/ab", "e1").
  BOOST_TEST(!uut.check_and_remember("/ab", "e1", t0));
  BOOST_TEST(!uut.check_and_remember("/a", "be1", t0));
}

BOOST_AUTO_TEST_CASE(many_distinct_ids_stay_distinct_and_each_repeat_is_caught) {
  // Keys are digests of the pairs: 100,000 near-identical ids must not collide.
  hs::dedupe_window uut({24h, 200'000});
  const std::string source = "/subscriptions/s/resourceGroups/r/providers/"
                             "Microsoft.Communication/CommunicationServices/acs";
  for (int i = 0; i < 100'000; ++i) {
    BOOST_TEST_REQUIRE(!uut.check_and_remember(source, "id-" + std::to_string(i), t0));
  }
  BOOST_TEST(uut.size() == 100'000u);
  for (int i = 0; i < 100'000; i += 997) {
    BOOST_TEST(uut.check_and_remember(source, "id-" + std::to_string(i), t0 + 1h));
  }
}

BOOST_AUTO_TEST_CASE(an_id_older_than_the_window_is_new_again) {
  hs::dedupe_window uut({24h, 100});
  BOOST_TEST(!uut.check_and_remember("/src", "e1", t0));
  BOOST_TEST(!uut.check_and_remember("/src", "e1", t0 + 24h));
  BOOST_TEST(uut.check_and_remember("/src", "e1", t0 + 25h));
}

BOOST_AUTO_TEST_CASE(the_oldest_ids_are_forgotten_beyond_capacity) {
  hs::dedupe_window uut({24h, 3});
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(!uut.check_and_remember("/src", "e" + std::to_string(i), t0 + i * 1s));
  }
  BOOST_TEST(uut.size() == 3u);
  BOOST_TEST(!uut.check_and_remember("/src", "e0", t0 + 10s)); // evicted
  BOOST_TEST(uut.check_and_remember("/src", "e4", t0 + 10s));
}

BOOST_AUTO_TEST_CASE(a_forgotten_id_is_not_a_duplicate) {
  hs::dedupe_window uut({24h, 100});
  BOOST_TEST(!uut.check_and_remember("/src", "e1", t0));
  uut.forget("/src", "e1");
  BOOST_TEST(!uut.check_and_remember("/src", "e1", t0 + 1s));
  BOOST_TEST(uut.check_and_remember("/src", "e1", t0 + 2s));
}

BOOST_AUTO_TEST_CASE(remembered_ids_seed_the_window) {
  hs::dedupe_window uut({24h, 100});
  uut.remember("/src", "e1", t0);
  BOOST_TEST(uut.check_and_remember("/src", "e1", t0 + 1h));
  BOOST_TEST(!uut.check_and_remember("/src", "e2", t0 + 1h));
}

BOOST_AUTO_TEST_CASE(agrees_with_a_plain_map_under_random_sightings_and_forgets) {
  // Few distinct ids, many operations: every index path (collisions, backward-shift deletes,
  // superseded slots, growth past the first 1,024 slots, expiry) is taken many times.
  hs::dedupe_window uut({10s, 1'000'000});
  std::map<std::string, sys_clock::time_point> model;
  std::mt19937 rng(7);
  auto now = t0;
  for (int op = 0; op < 20'000; ++op) {
    now += std::chrono::milliseconds(rng() % 5);
    auto id = "e" + std::to_string(rng() % 300);
    if (rng() % 5 == 0) {
      uut.forget("/src", id);
      model.erase(id);
      continue;
    }
    auto it = model.find(id);
    bool expected = it != model.end() && now - it->second < 10s;
    BOOST_TEST_REQUIRE(uut.check_and_remember("/src", id, now) == expected);
    if (!expected) {
      model[id] = now;
    }
  }
}

BOOST_AUTO_TEST_CASE(keys_are_fifteen_bytes_and_distinct_per_pair) {
  auto a = hs::dedupe_window::key_of("/src", "e1");
  BOOST_TEST(a.size() == 15u);
  BOOST_TEST(a == hs::dedupe_window::key_of("/src", "e1"));
  BOOST_TEST(a != hs::dedupe_window::key_of("/src", "e2"));
  hs::dedupe_window uut({24h, 100});
  uut.remember_key(a, t0);
  BOOST_TEST(uut.check_and_remember("/src", "e1", t0 + 1s));
}

BOOST_AUTO_TEST_SUITE_END()
