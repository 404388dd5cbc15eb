#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <sqlite3.h>

#include "store/sqlite_registry.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using herald::protocol::environment;
using herald::protocol::platform;
using herald::protocol::registration;
using herald::store::errc;
using herald::store::registry;
namespace hs = herald::store;
using time_point = registry::time_point;

namespace {

/// A fixed instant on a millisecond boundary (the store keeps milliseconds).
const time_point t0 = time_point(std::chrono::milliseconds(1'750'000'000'000));

registration make(std::string app, std::string device, std::string identity, platform channel,
                  std::string token, time_point updated = t0,
                  std::optional<time_point> expires = t0 + 24h) {
  registration r;
  r.app = std::move(app);
  r.device_id = std::move(device);
  r.identity = std::move(identity);
  r.channel = channel;
  r.token = std::move(token);
  r.env = environment::sandbox;
  r.locale = "fr-CH";
  r.tags = {"beta", "quote\"d"};
  r.updated_at = updated;
  r.expires_at = expires;
  return r;
}

/// Makes the registry under test. The cases below use only the `registry` interface, so a
/// PostgreSQL fixture can run the same suite by providing another `make_registry`.
struct registry_fixture {
  herald::test::temp_dir dir;
  std::filesystem::path file = dir / "registry.db";
  std::unique_ptr<registry> uut = make_registry();

  std::unique_ptr<registry> make_registry() {
    auto opened = hs::sqlite_registry::open(file);
    BOOST_REQUIRE_MESSAGE(opened.has_value(), (opened ? std::string{} : opened.error().describe()));
    return std::move(opened).value();
  }

  std::vector<registration> by_identity(const std::string& identity, time_point now = t0) {
    auto found = uut->find_by_identity(identity, now);
    BOOST_REQUIRE(found.has_value());
    return std::move(found).value();
  }

  std::vector<registration> device(const std::string& app, const std::string& id,
                                   time_point now = t0) {
    auto found = uut->find_device(app, id, now);
    BOOST_REQUIRE(found.has_value());
    return std::move(found).value();
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_registry)

BOOST_FIXTURE_TEST_CASE(upsert_is_idempotent_and_round_trips_every_field, registry_fixture) {
  auto r = make("app1", "dev1", "8:acs:alice", platform::apns_voip, "tok1");
  BOOST_TEST(uut->upsert(r).has_value());
  BOOST_TEST(uut->upsert(r).has_value());
  auto found = by_identity("8:acs:alice");
  BOOST_REQUIRE_EQUAL(found.size(), 1U);
  const auto& got = found.front();
  BOOST_TEST(got.app == "app1");
  BOOST_TEST(got.device_id == "dev1");
  BOOST_TEST(got.identity == "8:acs:alice");
  BOOST_TEST((got.channel == platform::apns_voip));
  BOOST_TEST(got.token == "tok1");
  BOOST_TEST((got.env == environment::sandbox));
  BOOST_TEST(got.locale == "fr-CH");
  BOOST_TEST(got.tags == r.tags, boost::test_tools::per_element());
  BOOST_TEST((got.updated_at == t0));
  BOOST_TEST((got.expires_at == r.expires_at));
}

BOOST_FIXTURE_TEST_CASE(keeps_one_registration_per_device_and_platform, registry_fixture) {
  BOOST_TEST(uut->upsert(make("app1", "dev1", "8:acs:alice", platform::apns, "old")).has_value());
  auto renewed = make("app1", "dev1", "8:acs:bob", platform::apns, "new", t0 + 1h, t0 + 48h);
  BOOST_TEST(uut->upsert(renewed).has_value());
  BOOST_TEST(
      uut->upsert(make("app1", "dev1", "8:acs:bob", platform::apns_voip, "voip")).has_value());
  auto found = device("app1", "dev1");
  BOOST_REQUIRE_EQUAL(found.size(), 2U);
  BOOST_TEST((found[0].channel == platform::apns));
  BOOST_TEST(found[0].token == "new");
  BOOST_TEST(found[0].identity == "8:acs:bob");
  BOOST_TEST((found[0].updated_at == t0 + 1h));
  BOOST_TEST((found[0].expires_at == t0 + 48h));
  BOOST_TEST(by_identity("8:acs:alice").empty());
}

BOOST_FIXTURE_TEST_CASE(finds_an_identity_across_apps, registry_fixture) {
  BOOST_TEST(uut->upsert(make("app2", "d2", "8:acs:alice", platform::fcm, "t2")).has_value());
  BOOST_TEST(uut->upsert(make("app1", "d1", "8:acs:alice", platform::apns, "t1")).has_value());
  BOOST_TEST(uut->upsert(make("app1", "d3", "8:acs:carol", platform::wns, "t3")).has_value());
  auto found = by_identity("8:acs:alice");
  BOOST_REQUIRE_EQUAL(found.size(), 2U);
  BOOST_TEST(found[0].app == "app1");
  BOOST_TEST(found[1].app == "app2");
}

BOOST_FIXTURE_TEST_CASE(hides_expired_registrations, registry_fixture) {
  BOOST_TEST(
      uut->upsert(make("a", "short", "8:acs:x", platform::fcm, "t1", t0, t0 + 1h)).has_value());
  BOOST_TEST(uut->upsert(make("a", "forever", "8:acs:x", platform::fcm, "t2", t0, std::nullopt))
                 .has_value());
  BOOST_TEST(by_identity("8:acs:x", t0 + 1h - 1ms).size() == 2U);
  auto later = by_identity("8:acs:x", t0 + 1h);
  BOOST_REQUIRE_EQUAL(later.size(), 1U);
  BOOST_TEST(later[0].device_id == "forever");
  BOOST_TEST(!later[0].expires_at.has_value());
  BOOST_TEST(device("a", "short", t0 + 2h).empty());
}

BOOST_FIXTURE_TEST_CASE(removes_a_device_on_one_platform_or_all, registry_fixture) {
  for (auto p : {platform::apns, platform::apns_voip, platform::fcm}) {
    BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", p, "t")).has_value());
  }
  BOOST_TEST(uut->upsert(make("a", "other", "8:acs:x", platform::fcm, "t")).has_value());
  auto one = uut->remove_device("a", "d", platform::apns_voip);
  BOOST_REQUIRE(one.has_value());
  BOOST_TEST(one.value() == 1U);
  BOOST_TEST(device("a", "d").size() == 2U);
  auto rest = uut->remove_device("a", "d", std::nullopt);
  BOOST_REQUIRE(rest.has_value());
  BOOST_TEST(rest.value() == 2U);
  BOOST_TEST(device("a", "d").empty());
  BOOST_TEST(device("a", "other").size() == 1U);
  BOOST_TEST(uut->remove_device("a", "d", std::nullopt).value() == 0U);
}

BOOST_FIXTURE_TEST_CASE(removes_an_identity_within_one_app_only, registry_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t1")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:x", platform::apns, "t2")).has_value());
  BOOST_TEST(uut->upsert(make("b", "d3", "8:acs:x", platform::fcm, "t3")).has_value());
  auto removed = uut->remove_identity("a", "8:acs:x");
  BOOST_REQUIRE(removed.has_value());
  BOOST_TEST(removed.value() == 2U);
  auto left = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(left.size(), 1U);
  BOOST_TEST(left[0].app == "b");
}

BOOST_FIXTURE_TEST_CASE(prunes_a_dead_token_unless_renewed_after_it_died, registry_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::apns, "dead", t0)).has_value());
  BOOST_TEST(
      uut->upsert(make("a", "d2", "8:acs:y", platform::apns, "back", t0 + 10min)).has_value());
  // APNs says "back" died at t0 + 5 min, but it was registered again at t0 + 10 min.
  auto kept = uut->prune_token("a", platform::apns, "back", t0 + 5min);
  BOOST_REQUIRE(kept.has_value());
  BOOST_TEST(!kept.value());
  BOOST_TEST(device("a", "d2").size() == 1U);

  auto pruned = uut->prune_token("a", platform::apns, "dead", t0 + 5min);
  BOOST_REQUIRE(pruned.has_value());
  BOOST_TEST(pruned.value());
  BOOST_TEST(device("a", "d1").empty());

  // Without a timestamp (FCM UNREGISTERED, WNS 410) the token goes regardless.
  BOOST_TEST(uut->prune_token("a", platform::apns, "back", std::nullopt).value());
  BOOST_TEST(device("a", "d2").empty());
}

BOOST_FIXTURE_TEST_CASE(prunes_only_the_given_app_and_platform, registry_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "same")).has_value());
  BOOST_TEST(uut->upsert(make("b", "d1", "8:acs:x", platform::fcm, "same")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::wns, "same")).has_value());
  BOOST_TEST(uut->prune_token("a", platform::fcm, "same", std::nullopt).value());
  BOOST_TEST(by_identity("8:acs:x").size() == 2U);
}

BOOST_FIXTURE_TEST_CASE(purges_only_expired_registrations, registry_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t", t0, t0 + 1h)).has_value());
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:x", platform::fcm, "t", t0, t0 + 3h)).has_value());
  BOOST_TEST(
      uut->upsert(make("a", "d3", "8:acs:x", platform::fcm, "t", t0, std::nullopt)).has_value());
  auto purged = uut->purge_expired(t0 + 2h);
  BOOST_REQUIRE(purged.has_value());
  BOOST_TEST(purged.value() == 1U);
  BOOST_TEST(by_identity("8:acs:x", t0).size() == 2U);
  BOOST_TEST(uut->purge_expired(t0 + 2h).value() == 0U);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_registration_with_an_empty_key, registry_fixture) {
  auto r = make("a", "", "8:acs:x", platform::fcm, "t");
  auto written = uut->upsert(r);
  BOOST_REQUIRE(!written.has_value());
  BOOST_TEST((written.error().code == errc::constraint), written.error().describe());
}

BOOST_FIXTURE_TEST_CASE(keeps_data_after_reopening_the_file, registry_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", platform::wns, "t")).has_value());
  uut.reset();
  uut = make_registry();
  auto found = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(found.size(), 1U);
  BOOST_TEST(found[0].token == "t");
}

BOOST_FIXTURE_TEST_CASE(records_schema_version_once_in_wal_mode, registry_fixture) {
  uut.reset();
  uut = make_registry(); // A second open must not migrate again.
  auto& sqlite = dynamic_cast<hs::sqlite_registry&>(*uut);
  BOOST_TEST(sqlite.schema_version().value() == 1);

  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto scalar = [db](const char* sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  };
  BOOST_TEST(scalar("SELECT count(*) FROM schema_version") == "1");
  BOOST_TEST(scalar("SELECT version FROM schema_version") == "1");
  BOOST_TEST(scalar("PRAGMA journal_mode") == "wal");
  sqlite3_close(db);
}

BOOST_FIXTURE_TEST_CASE(lets_two_objects_share_one_file, registry_fixture) {
  auto second = make_registry();
  BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", platform::fcm, "t")).has_value());
  auto seen = second->find_by_identity("8:acs:x", t0);
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST(seen.value().size() == 1U);
}

BOOST_AUTO_TEST_CASE(reports_a_file_that_is_not_a_database_as_corrupt) {
  herald::test::temp_dir dir;
  std::ofstream(dir / "junk.db") << std::string(4096, 'j');
  auto uut = hs::sqlite_registry::open(dir / "junk.db");
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == errc::corrupt), uut.error().describe());
}

BOOST_AUTO_TEST_CASE(reports_a_missing_folder_as_unavailable) {
  herald::test::temp_dir dir;
  auto uut = hs::sqlite_registry::open(dir / "no-such-folder" / "r.db");
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == errc::unavailable), uut.error().describe());
}

BOOST_AUTO_TEST_CASE(refuses_a_schema_newer_than_this_build) {
  herald::test::temp_dir dir;
  {
    auto first = hs::sqlite_registry::open(dir / "r.db");
    BOOST_REQUIRE(first.has_value());
  }
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open((dir / "r.db").c_str(), &db) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto uut = hs::sqlite_registry::open(dir / "r.db");
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == errc::unavailable), uut.error().describe());
}

BOOST_AUTO_TEST_SUITE_END()
