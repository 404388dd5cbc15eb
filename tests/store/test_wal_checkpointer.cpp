#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <sqlite3.h>

#include "store/sqlite_statement.hpp"
#include "store/wal_checkpointer.hpp"
#include "tests/support/temp_dir.hpp"

namespace hs = herald::store;
using namespace std::chrono_literals;

namespace {

/// A WAL database with one table, as the journal opens its own.
struct wal_db {
  explicit wal_db(const std::filesystem::path& p) : path(p) {
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    BOOST_REQUIRE(hs::sqlite_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                      "CREATE TABLE t (b BLOB)"));
  }
  ~wal_db() { sqlite3_close(db); }
  void insert_blob(std::size_t bytes) {
    auto s = hs::sqlite_statement::prepare(db, "INSERT INTO t (b) VALUES (?1)");
    BOOST_REQUIRE(s);
    std::string blob(bytes, 'x');
    hs::sqlite_statement::use guard(s.value());
    s.value().bind_blob_static(1, blob);
    BOOST_REQUIRE(s.value().step());
  }
  std::filesystem::path path;
  sqlite3* db = nullptr;
};

} // namespace

BOOST_AUTO_TEST_SUITE(wal_checkpointer)

BOOST_AUTO_TEST_CASE(copies_the_wal_into_the_database_on_its_own_thread) {
  herald::test::temp_dir dir;
  wal_db w(dir / "x.db");
  auto before = std::filesystem::file_size(w.path);
  auto uut = hs::wal_checkpointer::start(w.path, w.db, 16);
  BOOST_REQUIRE(uut);
  w.insert_blob(256 * 1024); // ~64 pages: past the threshold
  for (int i = 0; i < 500 && uut.value()->runs() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  BOOST_REQUIRE(uut.value()->runs() >= 1u);
  // The pages reached the database file itself, not just the WAL.
  BOOST_TEST(std::filesystem::file_size(w.path) >= before + 256 * 1024);
}

BOOST_AUTO_TEST_CASE(small_commits_leave_the_wal_alone) {
  herald::test::temp_dir dir;
  wal_db w(dir / "x.db");
  auto uut = hs::wal_checkpointer::start(w.path, w.db, 1000);
  BOOST_REQUIRE(uut);
  for (int i = 0; i < 5; ++i) {
    w.insert_blob(100);
  }
  std::this_thread::sleep_for(50ms);
  BOOST_TEST(uut.value()->runs() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
