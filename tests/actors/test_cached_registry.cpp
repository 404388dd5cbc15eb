#include "actors/cached_registry.hpp"

#include <boost/test/unit_test.hpp>

#include <prometheus/registry.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace ha = herald::actors;
namespace hs = herald::store;

// Named, not anonymous: the conformance fixture derives from it.
namespace engine {

/// A fresh SQLite file per case; every registry made is a cached one, so the conformance
/// suite shows that caching changes no answer of the interface.
struct engine_fixture {
  herald::test::temp_dir dir;
  std::filesystem::path file = dir / "registry.db";
  std::shared_ptr<ha::node_metrics> metrics =
      std::make_shared<ha::node_metrics>(std::make_shared<prometheus::Registry>());
  std::vector<std::string> reported; ///< Identities given to the change hook.

  std::unique_ptr<hs::sqlite_registry> open_store() {
    auto opened = hs::sqlite_registry::open(file);
    BOOST_REQUIRE_MESSAGE(opened.has_value(), (opened ? std::string{} : opened.error().describe()));
    return std::move(opened).value();
  }

  std::unique_ptr<ha::cached_registry> make_cached(std::size_t capacity) {
    return std::make_unique<ha::cached_registry>(
        open_store(), ha::registry_cache_options{capacity, std::nullopt}, metrics,
        [this](const std::string& identity) { reported.push_back(identity); });
  }

  std::unique_ptr<hs::registry> make_registry() { return make_cached(64); }
};

} // namespace engine
using engine::engine_fixture;

BOOST_AUTO_TEST_SUITE(cached_registry)

#include "tests/store/registry_conformance.hpp"

BOOST_FIXTURE_TEST_CASE(answers_a_repeated_identity_lookup_from_the_cache, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::apns_voip, "t1")).has_value());
  BOOST_TEST(by_identity("8:acs:x").size() == 1U);
  // Behind the cache's back (no write may ever do this in Herald): the entry is still served.
  BOOST_TEST(open_store()->remove_identity("a", "8:acs:x").value() == 1U);
  BOOST_TEST(by_identity("8:acs:x").size() == 1U);
  BOOST_TEST(metrics->registry_cache_misses().Value() == 1.0);
  BOOST_TEST(metrics->registry_cache_hits().Value() == 1.0);
  BOOST_TEST(metrics->registry_cache_entries().Value() == 1.0);
}

BOOST_FIXTURE_TEST_CASE(never_serves_a_device_removed_after_its_identity_was_cached,
                        conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::apns_voip, "t1")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:x", platform::fcm, "t2")).has_value());
  BOOST_TEST(by_identity("8:acs:x").size() == 2U);
  BOOST_TEST(uut->remove_device("a", "d1", std::nullopt).value() == 1U);
  auto left = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(left.size(), 1U);
  BOOST_TEST(left[0].device_id == "d2");
  BOOST_TEST(uut->remove_identity("a", "8:acs:x").value() == 1U);
  BOOST_TEST(by_identity("8:acs:x").empty());
}

BOOST_FIXTURE_TEST_CASE(serves_a_new_registration_right_after_the_upsert, conformance_fixture) {
  BOOST_TEST(by_identity("8:acs:x").empty()); // "no device" is cached too
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t1")).has_value());
  BOOST_TEST(by_identity("8:acs:x").size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(drops_entries_holding_a_pruned_token, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::apns, "dead")).has_value());
  BOOST_TEST(by_identity("8:acs:x").size() == 1U);
  BOOST_TEST(uut->prune_token("a", platform::apns, "dead", std::nullopt).value());
  BOOST_TEST(by_identity("8:acs:x").empty());
}

BOOST_FIXTURE_TEST_CASE(reports_the_identity_a_device_moved_away_from, conformance_fixture) {
  // Two shards: `owner_of_x` caches x; the device moves to y through `owner_of_y`.
  auto owner_of_x = make_cached(8);
  auto owner_of_y = make_cached(8);
  BOOST_TEST(
      owner_of_x->upsert(make("a", "phone", "8:acs:x", platform::apns_voip, "t")).has_value());
  BOOST_TEST(owner_of_x->find_by_identity("8:acs:x", t0).value().size() == 1U);
  reported.clear();
  BOOST_TEST(
      owner_of_y->upsert(make("a", "phone", "8:acs:y", platform::apns_voip, "t")).has_value());
  BOOST_TEST((reported == std::vector<std::string>{"8:acs:y", "8:acs:x"}));
  // The shard forwards x to its owner, which forgets it.
  owner_of_x->forget("8:acs:x");
  BOOST_TEST(owner_of_x->find_by_identity("8:acs:x", t0).value().empty());
  BOOST_TEST(owner_of_y->find_by_identity("8:acs:y", t0).value().size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(a_failed_upsert_drops_entries_holding_its_keys, conformance_fixture) {
  // Who held a key is unknown when the write fails: the entry holding it goes.
  auto shard = make_cached(8);
  BOOST_TEST(shard->upsert(make("a", "phone", "8:acs:x", platform::apns, "t")).has_value());
  BOOST_TEST(shard->find_by_identity("8:acs:x", t0).value().size() == 1U);
  BOOST_TEST(shard->find_by_identity("8:acs:z", t0).value().empty());
  BOOST_TEST(shard->cached() == 2U);
  std::vector<registration> batch = {
      make("a", "phone", "8:acs:y", platform::apns, "t2"),
      make("a", "", "8:acs:y", platform::apns, "t3"), // empty key: refused
  };
  BOOST_TEST(!shard->upsert_all(batch).has_value());
  BOOST_TEST(shard->cached() == 1U); // x dropped, z (unrelated) kept
  BOOST_TEST(shard->find_by_identity("8:acs:x", t0).value().size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(keeps_at_most_capacity_identities_and_counts_evictions,
                        conformance_fixture) {
  auto small = make_cached(2);
  for (const char* id : {"8:acs:a", "8:acs:b", "8:acs:c", "8:acs:d"}) {
    BOOST_TEST(small->find_by_identity(id, t0).has_value());
  }
  BOOST_TEST(small->cached() == 2U);
  BOOST_TEST(metrics->registry_cache_evictions().Value() == 2.0);
  small.reset();
  uut.reset();
  // Gone with its shard.
  BOOST_TEST(metrics->registry_cache_entries().Value() == 0.0);
}

BOOST_FIXTURE_TEST_CASE(capacity_zero_reads_the_store_every_time, conformance_fixture) {
  auto uncached = make_cached(0);
  BOOST_TEST(uncached->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t1")).has_value());
  BOOST_TEST(uncached->find_by_identity("8:acs:x", t0).value().size() == 1U);
  BOOST_TEST(open_store()->remove_identity("a", "8:acs:x").value() == 1U);
  BOOST_TEST(uncached->find_by_identity("8:acs:x", t0).value().empty());
  BOOST_TEST(metrics->registry_cache_hits().Value() == 0.0);
  BOOST_TEST(metrics->registry_cache_misses().Value() == 0.0);
}

BOOST_FIXTURE_TEST_CASE(a_shared_hit_is_the_cached_list_and_never_holds_an_expired_device,
                        conformance_fixture) {
  auto shard = make_cached(8);
  auto brief = make("a", "d2", "8:acs:x", platform::fcm, "t2");
  brief.expires_at = t0 + 1h;
  BOOST_TEST(shard
                 ->upsert_all(std::vector<registration>{
                     make("a", "d1", "8:acs:x", platform::apns_voip, "t1"), brief})
                 .has_value());
  auto first = shard->find_shared_by_identity("8:acs:x", t0).value();
  BOOST_TEST_REQUIRE(first != nullptr);
  BOOST_TEST(first->size() == 2U);
  BOOST_TEST(shard->find_shared_by_identity("8:acs:x", t0).value() == first);
  auto later = shard->find_shared_by_identity("8:acs:x", t0 + 1h).value();
  BOOST_REQUIRE_EQUAL(later->size(), 1U);
  BOOST_TEST(later->front().device_id == "d1");
  // A write replaces the list; one already handed out stays as it was.
  BOOST_TEST(shard->remove_device("a", "d1", std::nullopt).value() == 1U);
  BOOST_TEST(shard->find_shared_by_identity("8:acs:x", t0).value()->size() == 1U);
  BOOST_TEST(first->size() == 2U);
  BOOST_TEST(metrics->registry_cache_misses().Value() == 2.0);
  BOOST_TEST(metrics->registry_cache_hits().Value() == 2.0);
}

BOOST_FIXTURE_TEST_CASE(a_shared_lookup_without_a_cache_reads_the_store, conformance_fixture) {
  auto uncached = make_cached(0);
  BOOST_TEST(uncached->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t1")).has_value());
  BOOST_TEST(uncached->find_shared_by_identity("8:acs:x", t0).value()->size() == 1U);
  BOOST_TEST(open_store()->remove_identity("a", "8:acs:x").value() == 1U);
  BOOST_TEST(uncached->find_shared_by_identity("8:acs:x", t0).value()->empty());
}

BOOST_AUTO_TEST_SUITE_END()
