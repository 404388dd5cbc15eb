#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <sqlite3.h>

#include "store/sqlite_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hs = herald::store;

// Named, not anonymous: the conformance fixture derives from it.
namespace engine {

/// A fresh SQLite file per case; `make_registry` opens another object on it.
struct engine_fixture {
  herald::test::temp_dir dir;
  std::filesystem::path file = dir / "registry.db";

  std::unique_ptr<hs::registry> make_registry() {
    auto opened = hs::sqlite_registry::open(file);
    BOOST_REQUIRE_MESSAGE(opened.has_value(), (opened ? std::string{} : opened.error().describe()));
    return std::move(opened).value();
  }
};

} // namespace engine
using engine::engine_fixture;

BOOST_AUTO_TEST_SUITE(sqlite_registry)

#include "tests/store/registry_conformance.hpp"

BOOST_FIXTURE_TEST_CASE(records_schema_version_once_in_wal_mode, conformance_fixture) {
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

BOOST_AUTO_TEST_CASE(reports_a_file_that_is_not_a_database_as_corrupt) {
  herald::test::temp_dir dir;
  std::ofstream(dir / "junk.db") << std::string(4096, 'j');
  auto uut = hs::sqlite_registry::open(dir / "junk.db");
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == errc::corrupt), uut.error().describe());
}

BOOST_FIXTURE_TEST_CASE(waits_for_a_write_lock_then_gives_up_as_busy, engine_fixture) {
  using namespace std::chrono_literals;
  auto opened = hs::sqlite_registry::open(file, {.busy_timeout = 300ms});
  BOOST_REQUIRE(opened.has_value());
  auto& uut = *opened.value();
  auto reg = conformance::make("a", "d", "8:acs:x", herald::protocol::platform::fcm, "t");
  sqlite3* other = nullptr;
  BOOST_REQUIRE(sqlite3_open(file.c_str(), &other) == SQLITE_OK);
  // A lock released within the timeout is waited for.
  BOOST_REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(50ms);
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  BOOST_TEST(uut.upsert(reg).has_value());
  release.join();
  // One held past it fails the call as busy, after about the timeout.
  BOOST_REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto started = std::chrono::steady_clock::now();
  auto refused = uut.upsert(reg);
  const auto waited = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST((refused.error().code == errc::busy), refused.error().describe());
  BOOST_TEST((waited >= 300ms && waited < 5s));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  BOOST_TEST(uut.upsert(reg).has_value());
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
