// `herald serve` with its registry on PostgreSQL (`registry.postgres_url`): a throwaway
// server on loopback, devices registered over REST, an IncomingCall rung at the mock APNs,
// and a clear start-up failure when the database cannot be reached.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"
#include "tests/store/postgres_test_server.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// One row count of the registrations table, through psql (its own connection).
std::string count_rows(const std::string& url, const std::string& where) {
  auto r =
      run_command("psql", {url, "-tAc", "SELECT count(*) FROM registrations WHERE " + where}, 10s);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  return r.out.substr(0, r.out.find('\n'));
}

/// Options of a node whose registry is `url`, named through the environment.
herald_fixture_options on_postgres(const std::string& url) {
  herald_fixture_options o;
  o.env = {{"HERALD_REGISTRY_POSTGRES_URL", url}};
  return o;
}

/// A Herald node whose registry is a fresh database.
struct postgres_node {
  std::string url = pg_test::fresh_database();
  herald_fixture node{on_postgres(url)};
};

} // namespace

BOOST_AUTO_TEST_SUITE(postgres_node, *boost::unit_test::precondition(pg_test::binaries_present()))

BOOST_FIXTURE_TEST_CASE(registers_devices_in_postgresql_and_rings_them, postgres_node) {
  auto put =
      node.register_device("iphone-1", registration_body(test_identity, "apns-voip", test_token));
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(count_rows(url, "device_id = 'iphone-1'") == "1");
  // Nothing went to the SQLite file the node would otherwise use.
  BOOST_TEST(!std::filesystem::exists(node.dir / "data" / "registry.db"));

  auto got = http_request("GET", "127.0.0.1", node.http_port, "/v1/apps/demo/devices/iphone-1");
  BOOST_TEST_REQUIRE(got.status == 200, got.body);
  BOOST_TEST(std::string(json_of(got.body)["registrations"][0]["identity"].GetString()) ==
             test_identity);

  auto posted = node.post_events(incoming_call_for(test_identity, false));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  BOOST_TEST(node.wait_accepted(test_token, 1, 10s));

  auto removed =
      http_request("DELETE", "127.0.0.1", node.http_port, "/v1/apps/demo/devices/iphone-1");
  BOOST_TEST_REQUIRE(removed.status == 200, removed.body);
  BOOST_TEST(count_rows(url, "device_id = 'iphone-1'") == "0");
}

BOOST_FIXTURE_TEST_CASE(a_restarted_node_finds_the_registrations_again, postgres_node) {
  auto put =
      node.register_device("pixel-1", registration_body(test_identity, "apns-voip", test_token));
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  std::filesystem::remove_all(node.dir / "data"); // no local state survives
  node.start_herald();
  auto got = http_request("GET", "127.0.0.1", node.http_port, "/v1/apps/demo/devices/pixel-1");
  BOOST_TEST(got.status == 200, got.body);
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_stops_the_start_with_exit_code_1) {
  temp_dir dir;
  {
    std::ofstream cfg(dir / "herald.toml");
    cfg << "[node]\ndata_dir = \"" << (dir / "data").string() << "\"\ndev = true\n"
        << "[http]\nlisten = \"127.0.0.1:0\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n"
        << "[registry]\npostgres_url = \"postgresql://postgres@127.0.0.1:" << pick_free_port()
        << "/herald?connect_timeout=2\"\n";
  }
  process_options o;
  o.program = HERALD_BIN;
  o.name = "herald";
  o.log_dir = dir.path();
  o.args = {"serve", "--config", (dir / "herald.toml").string()};
  child_process herald(o);
  auto code = herald.wait_for_exit(30s);
  BOOST_TEST_REQUIRE(code.has_value(), "herald kept running: " << herald.stderr_text());
  BOOST_TEST(*code == 1);
  auto err = herald.stderr_text();
  BOOST_TEST(err.find("registry.postgres_url") != std::string::npos, err);
  BOOST_TEST(err.find("unavailable") != std::string::npos, err);
  BOOST_TEST(!std::filesystem::exists(dir / "data" / "herald.ports.json"));
}

BOOST_AUTO_TEST_SUITE_END()
