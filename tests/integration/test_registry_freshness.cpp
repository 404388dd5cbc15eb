// The registry never rings a removed, moved or expired device, even when the identity's
// registrations sit in its router shard's cache; the sweeper deletes expired registrations.
// Against a real `herald serve` (3 shards) and the mock APNs on loopback.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <string>
#include <thread>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

// With 3 shards (FNV-1a of the rawId mod 3) `test_identity` is on shard 1, `other_shard` on
// shard 2 and `same_shard` on shard 1 again: a move crosses shards or stays within one.
const std::string other_shard =
    "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000099-0000-0000-0000-000000000002";
const std::string same_shard =
    "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000099-0000-0000-0000-000000000004";
const std::string token_a(64, 'a');
const std::string token_b(64, 'b');
const std::string token_c(64, 'c');

/// An IncomingCall for `identity` with its own event id (the webhook dedupes on ids).
std::string call_event(const std::string& identity, int n) {
  auto body = incoming_call_for(identity, false);
  const std::string sample_id = "d5546be8-227a-4db8-b2c3-4f06fd675fd6";
  auto at = body.find(sample_id);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  auto id = std::to_string(n);
  body.replace(at + sample_id.size() - id.size(), id.size(), id);
  return body;
}

/// RFC 3339 UTC time `ahead` from now, to the second.
std::string rfc3339_in(std::chrono::seconds ahead) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

struct freshness_fixture : herald_fixture {
  int events = 0;

  void put(const std::string& device, const std::string& identity, const std::string& token) {
    auto r = register_device(device, registration_body(identity, "apns-voip", token));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
  }
  void ring(const std::string& identity) {
    auto r = post_events(call_event(identity, ++events));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
  }
  http_reply get(const std::string& target) {
    return http_request("GET", "127.0.0.1", http_port, target);
  }
  /// Waits until `series` reaches `at_least`, up to `timeout`.
  bool wait_metric(const std::string& series, double at_least, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (metric(series) >= at_least) {
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

/// A sweeper every second.
struct sweeping_fixture : freshness_fixture {
  sweeping_fixture() {
    options.extra_config = "[registry]\nsweep_interval = \"1s\"\n";
    start_mock(0);
    start_herald();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_freshness, freshness_fixture)

BOOST_AUTO_TEST_CASE(a_device_deleted_after_its_identity_was_cached_is_not_rung) {
  put("iphone-a", test_identity, token_a);
  put("iphone-b", test_identity, token_b);
  ring(test_identity); // a miss: the shard caches the identity
  BOOST_TEST_REQUIRE(wait_accepted(token_a, 1, 10s));
  BOOST_TEST_REQUIRE(wait_accepted(token_b, 1, 10s));
  const double hits = metric("herald_registry_cache_hits_total");
  auto listed = get("/v1/apps/demo/identities/" + test_identity + "/devices");
  BOOST_TEST_REQUIRE(listed.status == 200, listed.body);
  BOOST_TEST(json_of(listed.body)["registrations"].Size() == 2U);
  BOOST_TEST(metric("herald_registry_cache_hits_total") == hits + 1); // served from the cache

  auto removed = http_request("DELETE", "127.0.0.1", http_port, "/v1/apps/demo/devices/iphone-a");
  BOOST_TEST_REQUIRE(removed.status == 200, removed.body);
  ring(test_identity);
  BOOST_TEST_REQUIRE(wait_accepted(token_b, 2, 10s));
  std::this_thread::sleep_for(300ms); // both pushes leave the shard together; margin anyway
  BOOST_TEST(accepted_at_mock(token_a) == 1);
  auto left = get("/v1/apps/demo/identities/" + test_identity + "/devices");
  BOOST_TEST(json_of(left.body)["registrations"].Size() == 1U);
  BOOST_TEST(metric("herald_registry_cache_misses_total") >= 1.0);
}

BOOST_AUTO_TEST_CASE(a_device_moved_to_another_identity_rings_only_for_the_new_one) {
  put("phone", test_identity, token_a);
  put("tablet", test_identity, token_b);
  ring(test_identity); // cached in shard 1 from here on
  BOOST_TEST_REQUIRE(wait_accepted(token_a, 1, 10s));
  BOOST_TEST_REQUIRE(wait_accepted(token_b, 1, 10s));

  // Written by shard 2, which tells shard 1 to drop its entry before answering the PUT.
  put("phone", other_shard, token_a);
  ring(test_identity);
  BOOST_TEST_REQUIRE(wait_accepted(token_b, 2, 10s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(accepted_at_mock(token_a) == 1);

  // Written by shard 1 itself.
  put("tablet", same_shard, token_b);
  const double unrouted = metric("herald_unrouted_intents_total");
  ring(test_identity);
  BOOST_TEST_REQUIRE(wait_metric("herald_unrouted_intents_total", unrouted + 1, 10s));
  BOOST_TEST(accepted_at_mock(token_a) == 1);
  BOOST_TEST(accepted_at_mock(token_b) == 2);

  ring(other_shard);
  ring(same_shard);
  BOOST_TEST(wait_accepted(token_a, 2, 10s));
  BOOST_TEST(wait_accepted(token_b, 3, 10s));
}

BOOST_FIXTURE_TEST_CASE(the_sweeper_deletes_expired_registrations, sweeping_fixture) {
  auto body = R"({"identity":")" + test_identity + R"(","platform":"apns-voip","token":")" +
              token_a + R"(","expiresAt":")" + rfc3339_in(2s) + R"("})";
  auto r = register_device("short-lived", body);
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  put("long-lived", test_identity, token_b);
  BOOST_TEST(get("/v1/apps/demo/devices/short-lived").status == 200);
  BOOST_TEST(wait_metric("herald_expired_registrations_total", 1, 15s));
  BOOST_TEST(metric("herald_expired_registrations_total") == 1.0);
  BOOST_TEST(metric("herald_registry_sweeps_total{result=\"ok\"}") >= 2.0);
  BOOST_TEST(get("/v1/apps/demo/devices/short-lived").status == 404);
  BOOST_TEST(get("/v1/apps/demo/devices/long-lived").status == 200);
  ring(test_identity);
  BOOST_TEST_REQUIRE(wait_accepted(token_b, 1, 10s));
  BOOST_TEST(accepted_at_mock(token_a) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
