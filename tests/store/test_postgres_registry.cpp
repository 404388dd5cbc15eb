#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include "store/postgres_registry.hpp"
#include "store/postgres_schema.hpp"
#include "tests/store/postgres_test_server.hpp"
#include "tests/support/process.hpp"

namespace hs = herald::store;

// Named, not anonymous: the conformance fixture derives from it.
namespace engine {

/// A fresh database per case on the executable's one server; `make_registry` makes another
/// view on the case's pool.
struct engine_fixture {
  std::string url = pg_test::fresh_database();
  std::shared_ptr<hs::postgres_pool> pool = connect();

  std::shared_ptr<hs::postgres_pool> connect() {
    auto opened = hs::postgres_registry::connect({.url = url});
    BOOST_REQUIRE_MESSAGE(opened.has_value(), (opened ? std::string{} : opened.error().describe()));
    return std::move(opened).value();
  }

  std::unique_ptr<hs::registry> make_registry() {
    return std::make_unique<hs::postgres_registry>(pool);
  }

  /// The first column of the rows of `sql` (its last statement), one per line, on a
  /// connection of its own.
  std::string scalar(const std::string& sql) const {
    PGconn* conn = PQconnectdb(url.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    std::string out;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r); ++i) {
        out += (i > 0 ? "\n" : "") + std::string(PQgetvalue(r, i, 0));
      }
    } else {
      out = std::string("error: ") + PQresultErrorMessage(r);
    }
    PQclear(r);
    PQfinish(conn);
    return out;
  }
};

} // namespace engine
using engine::engine_fixture;

BOOST_AUTO_TEST_SUITE(postgres_registry,
                      *boost::unit_test::precondition(pg_test::binaries_present()))

#include "tests/store/registry_conformance.hpp"

BOOST_FIXTURE_TEST_CASE(records_schema_version_once, conformance_fixture) {
  BOOST_TEST(connect() != nullptr); // A second connect must not migrate again.
  auto& pg = dynamic_cast<hs::postgres_registry&>(*uut);
  BOOST_TEST(pg.schema_version().value() == hs::postgres_schema_latest);
  BOOST_TEST(scalar("SELECT count(*) FROM schema_version") == "1");
}

BOOST_FIXTURE_TEST_CASE(migrates_once_when_several_nodes_start_at_once, engine_fixture) {
  std::string blank = pg_test::fresh_database();
  std::vector<std::thread> nodes;
  std::atomic<int> succeeded{0};
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      if (hs::postgres_registry::connect({.url = blank, .connections = 1}).has_value()) {
        ++succeeded;
      }
    });
  }
  for (auto& t : nodes) {
    t.join();
  }
  BOOST_TEST(succeeded.load() == 4);
  url = blank;
  BOOST_TEST(scalar("SELECT count(*) FROM schema_version") == "1");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_schema_newer_than_this_build, engine_fixture) {
  BOOST_TEST(scalar("INSERT INTO schema_version (version) VALUES (99) RETURNING version") == "99");
  auto uut = hs::postgres_registry::connect({.url = url});
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == hs::errc::unavailable), uut.error().describe());
}

BOOST_FIXTURE_TEST_CASE(purges_through_the_expiry_index, engine_fixture) {
  // A generic plan (what a prepared statement ends up with) must still use the partial
  // index: `expires_at <= $1` implies `expires_at IS NOT NULL`.
  auto plan = scalar("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan; "
                     "PREPARE p(bigint) AS DELETE FROM registrations WHERE expires_at IS NOT "
                     "NULL AND expires_at <= $1; EXPLAIN EXECUTE p(0)");
  BOOST_TEST(plan.find("registrations_by_expiry") != std::string::npos, plan);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_batch_holding_a_nul_byte_whole, conformance_fixture) {
  // Array elements are checked like single parameters: NUL is not valid text here.
  std::vector<registration> batch = {
      make("a", "d1", "8:acs:x", platform::apns, "t1"),
      make("a", "d2", "8:acs:x", platform::apns, std::string("t\0b", 3)),
  };
  auto written = uut->upsert_all_displacing(batch);
  BOOST_REQUIRE(!written.has_value());
  BOOST_TEST((written.error().code == hs::errc::constraint), written.error().describe());
  BOOST_TEST(by_identity("8:acs:x").empty());
}

BOOST_AUTO_TEST_CASE(reports_an_unreachable_server_as_unavailable) {
  // A loopback port that was free a moment ago: nothing listens there.
  auto port = herald::test::pick_free_port();
  auto uut = hs::postgres_registry::connect(
      {.url = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/herald"});
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == hs::errc::unavailable), uut.error().describe());
}

BOOST_AUTO_TEST_SUITE_END()
