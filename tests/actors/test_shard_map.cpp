#include "actors/shard_map.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using herald::actors::shard_map;

BOOST_AUTO_TEST_SUITE(shard_map_suite)

BOOST_AUTO_TEST_CASE(the_same_identity_always_maps_to_the_same_shard) {
  auto a = shard_map::index_of("8:acs:resource_user-1", 8);
  for (int i = 0; i < 10; ++i) {
    BOOST_TEST(shard_map::index_of("8:acs:resource_user-1", 8) == a);
  }
  BOOST_TEST(a < 8u);
}

BOOST_AUTO_TEST_CASE(identities_spread_over_every_shard) {
  std::vector<int> hits(8, 0);
  for (int i = 0; i < 8000; ++i) {
    ++hits[shard_map::index_of("8:acs:resource_user-" + std::to_string(i), 8)];
  }
  for (int h : hits) {
    // A fair hash gives ~1000 per shard; allow wide slack, but no empty or hot shard.
    BOOST_TEST(h > 700);
    BOOST_TEST(h < 1300);
  }
}

BOOST_AUTO_TEST_CASE(index_is_the_fnv1a_hash_modulo_the_count) {
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (reference value of the algorithm).
  BOOST_TEST(shard_map::index_of("a", 1000) == 0xaf63dc4c8601ec8cULL % 1000);
  BOOST_TEST(shard_map::index_of("anything", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
