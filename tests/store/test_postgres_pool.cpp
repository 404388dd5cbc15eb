#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres_pool.hpp"
#include "store/postgres_registry.hpp"
#include "tests/store/postgres_test_server.hpp"

using namespace std::chrono_literals;
namespace hs = herald::store;
using herald::protocol::platform;
using herald::protocol::registration;

namespace {

const auto t0 = hs::registry::time_point(std::chrono::milliseconds(1'750'000'000'000));

registration make(const std::string& device, const std::string& identity) {
  registration r;
  r.app = "app";
  r.device_id = device;
  r.identity = identity;
  r.channel = platform::fcm;
  r.token = "tok-" + device;
  r.updated_at = t0;
  return r;
}

/// A migrated pool of `connections` on a fresh database.
struct pool_fixture {
  std::string url = pg_test::fresh_database();

  std::shared_ptr<hs::postgres_pool> open(std::size_t connections,
                                          std::chrono::milliseconds checkout = 2s) {
    auto pool = hs::postgres_registry::connect(
        {.url = url, .connections = connections, .checkout_timeout = checkout});
    BOOST_REQUIRE_MESSAGE(pool.has_value(), (pool ? std::string() : pool.error().describe()));
    return std::move(pool).value();
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(postgres_pool, *boost::unit_test::precondition(pg_test::binaries_present()))

BOOST_FIXTURE_TEST_CASE(serves_four_threads_with_two_connections, pool_fixture) {
  auto uut = open(2);
  std::atomic<int> failures{0};
  std::vector<std::thread> shards;
  for (int t = 0; t < 4; ++t) {
    shards.emplace_back([&, t] {
      hs::postgres_registry view(uut); // one view per shard, one shared pool
      for (int i = 0; i < 50; ++i) {
        auto id = "8:acs:" + std::to_string(t);
        if (!view.upsert(make(std::to_string(t) + "-" + std::to_string(i), id)) ||
            !view.find_by_identity(id, t0)) {
          ++failures;
        }
      }
    });
  }
  for (auto& s : shards) {
    s.join();
  }
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(uut->open_connections() <= 2U);
  hs::postgres_registry check(uut);
  for (int t = 0; t < 4; ++t) {
    BOOST_TEST(check.find_by_identity("8:acs:" + std::to_string(t), t0).value().size() == 50U);
  }
}

BOOST_FIXTURE_TEST_CASE(times_out_a_checkout_when_every_connection_is_leased, pool_fixture) {
  auto uut = open(1, 200ms);
  auto held = uut->checkout();
  BOOST_REQUIRE(held.has_value());
  auto started = std::chrono::steady_clock::now();
  auto second = uut->checkout();
  auto waited = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(!second.has_value());
  BOOST_TEST((second.error().code == hs::errc::unavailable), second.error().describe());
  BOOST_TEST(waited >= 200ms);
  BOOST_TEST(waited < 5s);
}

BOOST_FIXTURE_TEST_CASE(hands_a_returned_connection_to_a_waiting_checkout, pool_fixture) {
  auto uut = open(1, 5s);
  std::optional<hs::postgres_pool::lease> held(std::move(uut->checkout()).value());
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    held.reset();
  });
  auto second = uut->checkout();
  releaser.join();
  BOOST_TEST(second.has_value());
}

BOOST_FIXTURE_TEST_CASE(reconnects_after_a_server_restart, pool_fixture) {
  auto uut = open(2);
  hs::postgres_registry view(uut);
  BOOST_REQUIRE(view.upsert(make("d", "8:acs:r")).has_value());
  pg_test::server().stop();
  auto down = view.find_by_identity("8:acs:r", t0);
  BOOST_REQUIRE(!down.has_value());
  BOOST_TEST((down.error().code == hs::errc::unavailable), down.error().describe());
  pg_test::server().start();
  // The pool backs off after failed connects; it must come back within a few seconds.
  auto deadline = std::chrono::steady_clock::now() + 15s;
  hs::result<std::vector<registration>> found = down.error();
  while (!found && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    found = view.find_by_identity("8:acs:r", t0);
  }
  BOOST_REQUIRE_MESSAGE(found.has_value(), (found ? std::string() : found.error().describe()));
  BOOST_TEST(found.value().size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(replaces_connections_broken_while_idle_without_failing_a_call,
                        pool_fixture) {
  auto uut = open(1);
  hs::postgres_registry view(uut);
  BOOST_REQUIRE(view.upsert(make("d", "8:acs:i")).has_value());
  pg_test::server().stop();
  pg_test::server().start();
  // The idle connection died with the old server; the call retries once on a new one.
  auto found = view.find_by_identity("8:acs:i", t0);
  BOOST_REQUIRE_MESSAGE(found.has_value(), (found ? std::string() : found.error().describe()));
  BOOST_TEST(found.value().size() == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
