// Durability, dedupe and admission of webhook batches, every part real: herald serve (journal
// on) + a mock APNs that can stall. The crash test kills Herald with SIGKILL after the 200 while
// the provider is stalled, restarts it, and checks the event is delivered.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/herald_fixture.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// A provider that answers after 10 minutes: notifications stay in flight during a test.
constexpr std::uint32_t stalled_ms = 600'000;
const std::string sample_event_id = "d5546be8-227a-4db8-b2c3-4f06fd675fd6";

std::string registration_body(const std::string& token) {
  return R"({"identity":")" + test_identity + R"(","platform":"apns-voip","token":")" + token +
         R"("})";
}

/// The IncomingCall sample for the test identity, with event id `id`.
std::string incoming_call_with_id(const std::string& id) {
  auto body = incoming_call_for(test_identity, false);
  auto at = body.find(sample_event_id);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  return body.replace(at, sample_event_id.size(), id);
}

struct stalled_provider : herald_fixture {
  stalled_provider() : herald_fixture(herald_fixture_options{stalled_ms, "", true}) {}
};

struct stalled_provider_small_budget : herald_fixture {
  stalled_provider_small_budget() : herald_fixture(make_options()) {}
  static herald_fixture_options make_options() {
    herald_fixture_options o;
    o.mock_latency_ms = stalled_ms;
    o.extra_config = "[ingest]\nmax_in_flight_events = 300\n";
    // A small sanitizer quarantine, so freed blocks are reused as in a release build and the
    // RSS check below sees retention rather than the sanitizer's delayed reuse.
    o.env = {{"ASAN_OPTIONS", "quarantine_size_mb=4"}};
    return o;
  }
};

/// A batch of `n` IncomingCall events for the test identity, ids `<prefix>-<i>`.
std::string batch_of(const std::string& prefix, int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    auto one = incoming_call_with_id(prefix + "-" + std::to_string(i));
    // The sample is a one-event array: keep the object only.
    auto first = one.find('{');
    auto last = one.rfind('}');
    out += (i == 0 ? "" : ",") + one.substr(first, last - first + 1);
  }
  return out + "]";
}

/// Resident memory of process `pid` in KiB (VmRSS), 0 if unreadable.
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atol(line.c_str() + 6);
    }
  }
  return 0;
}

struct stalled_provider_tiny_budget : herald_fixture {
  stalled_provider_tiny_budget()
      : herald_fixture(herald_fixture_options{stalled_ms, "[ingest]\nmax_in_flight_events = 1\n",
                                              true, false, /*admin_listener=*/true}) {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_durability)

BOOST_FIXTURE_TEST_CASE(an_event_accepted_before_a_crash_is_delivered_after_restart,
                        stalled_provider) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto posted = post_events(incoming_call_with_id("crash-1"));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  // The push is on its way to the stalled provider: in flight, no outcome.
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(metric("herald_events_in_flight") == 1.0);
  BOOST_TEST(accepted_at_mock(test_token) == 0);

  herald->kill9();
  start_mock(0); // a healthy provider (fresh stats, new port in Herald's config)
  start_herald();

  BOOST_TEST_REQUIRE(wait_accepted(test_token, 1, 20s), herald->stderr_text());
  BOOST_TEST(metric("herald_replayed_events_total") == 1.0);
  // At least once is the promise; report duplicates if the replay ever sends more than one.
  std::this_thread::sleep_for(500ms);
  auto delivered = accepted_at_mock(test_token);
  BOOST_TEST_MESSAGE("deliveries after the crash: " << delivered);
  BOOST_TEST(delivered >= 1);
  BOOST_TEST(metric("herald_events_in_flight") == 0.0);
}

BOOST_FIXTURE_TEST_CASE(a_redelivered_event_is_acknowledged_and_pushed_once, herald_fixture) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto body = incoming_call_with_id("dup-1");
  auto first = post_events(body);
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  BOOST_TEST_REQUIRE(wait_accepted(test_token, 1, 15s), herald->stderr_text());
  auto second = post_events(body);
  BOOST_TEST_REQUIRE(second.status == 200, second.body);
  BOOST_TEST(second.body.find("\"duplicates\":1") != std::string::npos, second.body);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(accepted_at_mock(test_token) == 1);
  BOOST_TEST(metric("herald_dedupe_hits_total") == 1.0);
}

BOOST_FIXTURE_TEST_CASE(a_redelivery_after_a_restart_is_still_a_duplicate, herald_fixture) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto body = incoming_call_with_id("dup-2");
  auto first = post_events(body);
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  BOOST_TEST_REQUIRE(wait_accepted(test_token, 1, 15s), herald->stderr_text());
  start_herald(); // graceful restart: the dedupe window is reloaded from the journal
  auto second = post_events(body);
  BOOST_TEST_REQUIRE(second.status == 200, second.body);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(accepted_at_mock(test_token) == 1);
  BOOST_TEST(metric("herald_dedupe_hits_total") == 1.0);
}

struct slow_provider : herald_fixture {
  slow_provider() : herald_fixture(herald_fixture_options{700, "", true}) {}
};

BOOST_FIXTURE_TEST_CASE(a_graceful_stop_waits_for_pushes_in_flight, slow_provider) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto posted = post_events(incoming_call_with_id("drain-1"));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  // SIGTERM while the provider takes 700 ms to answer: the node drains before it exits.
  BOOST_TEST(herald->stop(std::chrono::seconds(10)) == 0, herald->stderr_text());
  BOOST_TEST(herald->stderr_text().find("every accepted event reached its outcome") !=
             std::string::npos);
  BOOST_TEST(accepted_at_mock(test_token) == 1);
  start_herald();
  BOOST_TEST(metric("herald_replayed_events_total") == 0.0);
  std::this_thread::sleep_for(1500ms);
  BOOST_TEST(accepted_at_mock(test_token) == 1);
}

BOOST_FIXTURE_TEST_CASE(a_spent_budget_refuses_the_next_batch_with_503_and_retry_after,
                        stalled_provider_tiny_budget) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto first = post_events(incoming_call_with_id("budget-1"));
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  auto second = post_events(incoming_call_with_id("budget-2"));
  BOOST_TEST(second.status == 503, second.body);
  BOOST_TEST(second.header("retry-after") == "1");
  BOOST_TEST(second.header("content-type").find("problem+json") != std::string::npos);
  BOOST_TEST(metric("herald_admission_refusals_total") == 1.0);
  // Refused, not remembered: the retry is not mistaken for a duplicate.
  BOOST_TEST(metric("herald_dedupe_hits_total") == 0.0);
}

BOOST_FIXTURE_TEST_CASE(readiness_follows_the_budget_on_both_listeners,
                        stalled_provider_tiny_budget) {
  const auto status = [](std::uint16_t port, const std::string& path) {
    return http_request("GET", "127.0.0.1", port, path, {}, "");
  };
  BOOST_TEST(status(http_port, "/readyz").status == 200);
  BOOST_TEST(status(admin_port, "/readyz").status == 200);
  BOOST_TEST(status(admin_port, "/healthz").status == 200);
  // The admin listener serves probes only: no webhook, no REST API.
  BOOST_TEST(status(admin_port, "/api/events").status == 404);
  BOOST_TEST(status(admin_port, "/v1/apps/demo/devices/iphone-1").status == 404);

  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto first = post_events(incoming_call_with_id("ready-1"));
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  // One event in flight to the stalled provider spends the budget of one.
  for (auto port : {http_port, admin_port}) {
    auto ready = status(port, "/readyz");
    BOOST_TEST(ready.status == 503, ready.body);
    BOOST_TEST(ready.header("retry-after") == "1");
    BOOST_TEST(ready.body.find("budget") != std::string::npos, ready.body);
  }
  // Liveness is not readiness: the node is full, not broken.
  BOOST_TEST(status(http_port, "/healthz").status == 200);
}

BOOST_FIXTURE_TEST_CASE(a_stalled_provider_keeps_what_the_node_holds_bounded,
                        stalled_provider_small_budget) {
  auto reg = register_device("iphone-1", registration_body(test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  // Three batches of 100 fill the budget of 300; the provider never answers, so everything
  // after them must be refused, not queued, however long the load goes on.
  int accepted = 0, refused = 0;
  long rss_after_fill = 0;
  for (int b = 0; b < 60; ++b) {
    auto reply = post_events(batch_of("stall-" + std::to_string(b), 100));
    BOOST_TEST_REQUIRE((reply.status == 200 || reply.status == 503), reply.body);
    (reply.status == 200 ? accepted : refused)++;
    if (b == 9) {
      rss_after_fill = rss_kib(herald->pid());
    }
  }
  BOOST_TEST(accepted == 3);
  BOOST_TEST(refused == 57);
  BOOST_TEST(metric("herald_events_in_flight") == 300.0);
  // Held notifications: in streams plus queued, never more than the events admitted.
  auto held = metric(R"(herald_sender_active_streams{provider="apns"})") +
              metric(R"(herald_sender_queued_notifications{lane="call",provider="apns"})");
  BOOST_TEST(held <= 300.0);
  BOOST_TEST(held >= 1.0);
  // 50 more refused batches (~12 MB of bodies) did not stay in memory; the margin covers
  // allocator caches.
  auto growth_kib = rss_kib(herald->pid()) - rss_after_fill;
  BOOST_TEST_MESSAGE("RSS growth over 50 refused batches: " << growth_kib << " KiB");
  BOOST_TEST(growth_kib < 8 * 1024);
}

BOOST_AUTO_TEST_SUITE_END()
