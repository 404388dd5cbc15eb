#include "app/config.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

namespace app = herald::app;
using namespace std::chrono_literals;

namespace {

app::config_result<app::config> parse(const std::string& text, app::config_env env = {}) {
  return app::parse_config(text, env, "test.toml");
}

/// The error of a config that must fail; fails the test when it loads.
app::config_error error_of(const std::string& text, app::config_env env = {}) {
  auto uut = parse(text, std::move(env));
  BOOST_TEST_REQUIRE(!uut.has_value(), "expected an error for:\n" << text);
  BOOST_TEST_MESSAGE(uut.error().describe());
  return uut.error();
}

const std::string pg_url = "postgresql://herald:s3cr3t-pw@127.0.0.1:5432/herald";

} // namespace

BOOST_AUTO_TEST_SUITE(config_registry)

BOOST_AUTO_TEST_CASE(defaults_to_sqlite_with_a_cache_and_an_hourly_sweep) {
  auto uut = parse("");
  BOOST_TEST_REQUIRE(uut.has_value());
  const auto& r = uut.value().registry;
  BOOST_TEST(r.postgres_url.empty());
  BOOST_TEST(r.cache_capacity == 100'000u);
  BOOST_TEST(r.sweep_interval.count() == 3'600'000);
  BOOST_TEST(r.postgres_connections == 0u);
  BOOST_TEST_REQUIRE(r.cache_max_age.has_value());
  BOOST_TEST(r.cache_max_age->count() == 30'000);
}

BOOST_AUTO_TEST_CASE(reads_every_key_from_the_file) {
  auto uut = parse("[registry]\ncache_capacity = 0\ncache_max_age = \"never\"\n"
                   "sweep_interval = \"5s\"\npostgres_url = \"" +
                   pg_url + "\"\npostgres_connections = 12\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& r = uut.value().registry;
  BOOST_TEST(r.cache_capacity == 0u);
  BOOST_TEST(!r.cache_max_age.has_value());
  BOOST_TEST(r.sweep_interval.count() == 5'000);
  BOOST_TEST(r.postgres_url.reveal() == pg_url);
  BOOST_TEST(r.postgres_connections == 12u);
  // key=value connection strings are libpq's other form.
  auto kv = parse("[registry]\npostgres_url = \"host=127.0.0.1 port=5432 dbname=herald\"\n");
  BOOST_TEST(kv.has_value());
}

BOOST_AUTO_TEST_CASE(environment_overrides_the_file) {
  app::config_env env;
  env.vars["HERALD_REGISTRY_POSTGRES_URL"] = pg_url;
  env.vars["HERALD_REGISTRY_CACHE_CAPACITY"] = "42";
  env.vars["HERALD_REGISTRY_SWEEP_INTERVAL"] = "10m";
  auto uut = parse("[registry]\ncache_capacity = 7\n", env);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST(uut.value().registry.postgres_url.reveal() == pg_url);
  BOOST_TEST(uut.value().registry.cache_capacity == 42u);
  BOOST_TEST(uut.value().registry.sweep_interval.count() == 600'000);
}

BOOST_AUTO_TEST_CASE(bad_values_name_their_key) {
  BOOST_TEST(error_of("[registry]\ncache_capacity = -1").key == "registry.cache_capacity");
  BOOST_TEST(error_of("[registry]\nsweep_interval = \"500ms\"").key == "registry.sweep_interval");
  BOOST_TEST(error_of("[registry]\ncache_max_age = \"0s\"").key == "registry.cache_max_age");
  BOOST_TEST(error_of("[registry]\nsweep_interval = 60").key == "registry.sweep_interval");
  BOOST_TEST(error_of("[registry]\npostgres_connections = 1001").key ==
             "registry.postgres_connections");
  BOOST_TEST(error_of("[registry]\ncache = 5").key == "registry.cache");
  BOOST_TEST(error_of("registry = 5").key == "registry");
  app::config_env env;
  env.vars["HERALD_REGISTRY_CACHE_CAPACITY"] = "lots";
  BOOST_TEST(error_of("", env).key == "HERALD_REGISTRY_CACHE_CAPACITY");
}

BOOST_AUTO_TEST_CASE(a_malformed_postgres_url_is_refused_without_echoing_it) {
  auto err = error_of("[registry]\npostgres_url = \"mysql://root:hunter2@db/herald\"");
  BOOST_TEST(err.key == "registry.postgres_url");
  BOOST_TEST(err.describe().find("hunter2") == std::string::npos, err.describe());
}

BOOST_AUTO_TEST_CASE(summary_names_the_engine_but_never_the_url) {
  auto uut = parse("[registry]\npostgres_url = \"" + pg_url + "\"\n");
  BOOST_TEST_REQUIRE(uut.has_value());
  auto text = app::summarize(uut.value());
  BOOST_TEST(text.find("registry: store=postgresql url=***") != std::string::npos, text);
  BOOST_TEST(text.find("s3cr3t") == std::string::npos, text);
  BOOST_TEST(text.find("127.0.0.1:5432") == std::string::npos, text);
  auto sqlite = app::summarize(parse("").value());
  BOOST_TEST(
      sqlite.find(
          "registry: store=sqlite cache_capacity=100000 cache_max_age=30s sweep_interval=1h") !=
          std::string::npos,
      sqlite);
}

BOOST_AUTO_TEST_SUITE_END()
