// The sender core against a real HTTP/2 provider on loopback: stream budget per connection,
// spreading over the pool, the call lane's reserve, GOAWAY, transient faults, lost
// connections.
#include "tests/actors/provider_fixture.hpp"

#include "actors/dead_letter_writer.hpp"
#include "actors/sender.hpp"
#include "store/dead_letters.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

using namespace herald;
using namespace std::chrono_literals;
using test::provider_fixture;
using test::provider_log;

namespace {

std::string id_of(int i) {
  // apns-id is a UUID; the provider only reads it back.
  auto digits = std::to_string(i);
  return "00000000-0000-0000-0000-" + std::string(12 - digits.size(), '0') + digits;
}

/// Delivers `total` notifications (ids 0..total-1) on `lane`.
void deliver_all(provider_fixture& f, int total, protocol::lane lane = protocol::lane::chat) {
  for (int i = 0; i < total; ++i) {
    f.deliver(id_of(i), lane);
  }
}

/// Waits until the provider accepted `total` distinct notifications.
bool all_accepted(provider_fixture& f, int total) {
  return f.wait_for(
      [&](provider_log& l) { return l.accepted.size() == static_cast<std::size_t>(total); });
}

double counter(prometheus::Counter& c) {
  return c.Value();
}

/// An adapter with a bug: its `classify` throws on chosen answers (counted over every
/// incarnation), which fails the sender core that called it.
class faulty_adapter final : public actors::provider_adapter {
public:
  explicit faulty_adapter(std::shared_ptr<std::atomic<int>> answers)
      : answers_(std::move(answers)) {}
  std::string_view provider() const noexcept override { return "apns"; }
  void start(actors::sender_host&) override {}
  void stop() override {}
  actors::credential authorize() override {
    return {actors::credential::state::ready, "bearer test", {}};
  }
  protocol::verdict classify(const protocol::provider_response& r) const override {
    auto n = ++*answers_;
    if (n == 50 || n == 150) {
      throw std::runtime_error("adapter bug");
    }
    protocol::verdict v;
    v.status = r.status;
    v.kind = r.status == 200 ? protocol::verdict_kind::accepted : protocol::verdict_kind::failed;
    return v;
  }
  void refused(const std::string&) override {}

private:
  std::shared_ptr<std::atomic<int>> answers_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(sender_pool)

BOOST_AUTO_TEST_CASE(never_opens_more_streams_than_the_peer_allows) {
  for (std::uint32_t limit : {1U, 10U, 1000U}) {
    BOOST_TEST_CONTEXT("SETTINGS_MAX_CONCURRENT_STREAMS " << limit) {
      provider_fixture f;
      transports::h2_server_options options;
      options.max_concurrent_streams = limit;
      options.response_delay = 20ms; // keeps streams open long enough to fill the budget
      f.start_provider(options);
      f.start_sender(2, 1000);
      constexpr int total = 300;
      deliver_all(f, total, protocol::lane::call); // calls may use the whole budget
      BOOST_TEST_REQUIRE(all_accepted(f, total));
      BOOST_TEST(f.accepted_once() == static_cast<std::size_t>(total));
      auto peak = f.server->stats().max_open_streams.load();
      BOOST_TEST(peak <= limit);
      if (limit < 100) {
        BOOST_TEST(peak == limit); // the budget was used, not just respected
      }
      BOOST_TEST(counter(f.metrics->retries("apns")) == 0.0); // no stream was refused
    }
  }
}

BOOST_AUTO_TEST_CASE(spreads_the_work_over_the_pools_connections) {
  provider_fixture f;
  transports::h2_server_options options;
  options.max_concurrent_streams = 10;
  options.response_delay = 10ms;
  f.start_provider(options);
  f.start_sender(3, 1000);
  // Wait for every connection of the pool before sending, so all of them can take work.
  BOOST_TEST_REQUIRE(
      f.wait_for([&](provider_log&) { return f.server->stats().sessions.load() == 3; }, 5s));
  std::this_thread::sleep_for(100ms);
  constexpr int total = 300;
  deliver_all(f, total);
  BOOST_TEST_REQUIRE(all_accepted(f, total));
  std::lock_guard lock(f.log->mutex);
  BOOST_TEST(f.log->by_connection.size() == 3u);
  for (const auto& [remote, n] : f.log->by_connection) {
    BOOST_TEST_CONTEXT(remote) {
      BOOST_TEST(n >= total / 6);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_ring_takes_the_reserved_stream_while_a_chat_flood_fills_the_rest) {
  provider_fixture f;
  transports::h2_server_options options;
  options.max_concurrent_streams = 10; // 10 % reserve: chat may use 9 streams
  f.log->hold = true;
  f.start_provider(options);
  f.start_sender(1, 1000);
  deliver_all(f, 200);
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.arrivals.size() == 9; }, 10s));
  // The tenth stream stays free although 191 chats wait.
  std::this_thread::sleep_for(200ms);
  {
    std::lock_guard lock(f.log->mutex);
    BOOST_TEST_REQUIRE(f.log->arrivals.size() == 9u);
  }
  f.deliver("ring", protocol::lane::call);
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.arrivals.size() == 10; }, 10s));
  {
    std::lock_guard lock(f.log->mutex);
    BOOST_TEST(f.log->arrivals.back() == "ring"); // sent before any chat stream finished
  }
  f.release();
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.accepted.size() == 201; }));
  BOOST_TEST(f.accepted_once() == 201u);
}

BOOST_AUTO_TEST_CASE(goaway_in_the_middle_of_load_loses_nothing) {
  provider_fixture f;
  transports::h2_server_options options;
  options.max_concurrent_streams = 20;
  options.goaway_after_streams = 40; // every connection ends after 40 requests
  options.response_delay = 5ms;
  f.start_provider(options);
  f.start_sender(2, 1000);
  constexpr int total = 400;
  deliver_all(f, total);
  BOOST_TEST_REQUIRE(all_accepted(f, total));
  BOOST_TEST(f.accepted_once() == static_cast<std::size_t>(total)); // none twice either
  BOOST_TEST(f.server->stats().sessions.load() >= 10u);
  BOOST_TEST(counter(f.metrics->connection_events("apns", "goaway")) >= 8.0);
  // The gauges come back to zero once the work is done.
  BOOST_TEST(f.wait_for(
      [&](provider_log&) {
        return f.metrics->active_streams("apns").Value() == 0 &&
               f.metrics->queued("apns", protocol::lane::chat).Value() == 0;
      },
      5s));
  BOOST_TEST(counter(f.metrics->dead_letters("apns", "failed")) == 0.0);
}

BOOST_AUTO_TEST_CASE(ten_percent_transient_faults_still_deliver_everything) {
  provider_fixture f;
  f.log->fail_rate = 0.1;
  transports::h2_server_options options;
  options.max_concurrent_streams = 50;
  f.start_provider(options);
  f.start_sender(2, 1000);
  constexpr int total = 500;
  deliver_all(f, total);
  BOOST_TEST_REQUIRE(all_accepted(f, total));
  BOOST_TEST(f.accepted_once() == static_cast<std::size_t>(total));
  BOOST_TEST(counter(f.metrics->retries("apns")) >= 10.0); // the faults did happen
}

BOOST_AUTO_TEST_CASE(a_lost_connection_is_reopened_and_its_requests_sent_again) {
  provider_fixture f;
  transports::h2_server_options options;
  options.max_concurrent_streams = 50;
  f.log->hold = true;
  f.start_provider(options);
  f.start_sender(1, 1000);
  constexpr int total = 100;
  deliver_all(f, total, protocol::lane::call);
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.arrivals.size() == 50; }, 10s));
  // The provider dies with 50 requests unanswered, then comes back on the same port.
  f.server->abort();
  {
    std::lock_guard lock(f.log->mutex);
    f.log->held.clear();
    f.log->hold = false;
  }
  f.start_provider(options);
  BOOST_TEST_REQUIRE(all_accepted(f, total));
  BOOST_TEST(f.accepted_once() == static_cast<std::size_t>(total));
  BOOST_TEST(counter(f.metrics->connection_events("apns", "lost")) >= 1.0);
}

BOOST_AUTO_TEST_CASE(a_request_unanswered_in_time_is_a_counted_retry_up_to_the_cap) {
  provider_fixture f;
  transports::h2_server_options options;
  options.response_delay = 800ms; // every answer comes after the sender stopped waiting
  f.start_provider(options);
  f.request_timeout = 150ms;
  f.start_sender(1, 10);
  f.deliver("slow", protocol::lane::call);
  auto& gave_up = f.metrics->dead_letters("apns", "failed");
  // The provider may have processed a request it did not answer: each timeout is a retry
  // toward the attempt cap (10), never a silent resend without end.
  BOOST_TEST_REQUIRE(f.wait_for([&](provider_log&) { return counter(gave_up) == 1.0; }, 20s));
  BOOST_TEST(counter(f.metrics->retries("apns")) == 9.0);
}

BOOST_AUTO_TEST_CASE(a_failed_sender_is_restarted_and_its_notifications_sent_again) {
  provider_fixture f;
  transports::h2_server_options options;
  options.max_concurrent_streams = 20;
  options.response_delay = 2ms;
  f.start_provider(options);
  auto answers = std::make_shared<std::atomic<int>>(0);
  f.uut = actors::spawn_sender(
      f.system, f.io, f.core_options(2, 1000),
      [answers] { return std::make_unique<faulty_adapter>(answers); }, f.metrics);
  constexpr int total = 300;
  deliver_all(f, total);
  BOOST_TEST_REQUIRE(all_accepted(f, total));
  BOOST_TEST(counter(f.metrics->connection_events("apns", "restarted")) == 2.0);
  // At least once: what was in flight when the core failed may have been accepted twice,
  // never more than the streams the pool had open.
  BOOST_TEST(f.accepted_once() >= static_cast<std::size_t>(total - 2 * 40));
  BOOST_TEST(counter(f.metrics->dead_letters("apns", "failed")) == 0.0);
}

BOOST_AUTO_TEST_CASE(an_expired_provider_token_is_replaced_and_the_notification_sent_again) {
  provider_fixture f;
  f.log->expire_first_token = true;
  f.start_provider({});
  f.start_sender(1, 100);
  f.deliver("first", protocol::lane::call);
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.arrivals.size() == 1; }, 10s));
  // The refused token is younger than Apple's 20-minute floor for a new one: no new token,
  // no resend with the refused one; the notification waits.
  std::this_thread::sleep_for(200ms);
  {
    std::lock_guard lock(f.log->mutex);
    BOOST_TEST_REQUIRE(f.log->arrivals.size() == 1u);
  }
  BOOST_TEST(counter(f.metrics->credential_refreshes("apns", "refused")) == 1.0);
  f.clock_shift->store(21 * 60);
  f.deliver("second", protocol::lane::call);
  BOOST_TEST_REQUIRE(f.wait_for([](provider_log& l) { return l.accepted.size() == 2; }, 10s));
  std::lock_guard lock(f.log->mutex);
  BOOST_TEST(f.log->accepted.count("first") == 1u);
  BOOST_TEST(f.log->tokens_seen.size() == 2u);
  BOOST_TEST(counter(f.metrics->credential_refreshes("apns", "ok")) == 1.0);
}

BOOST_AUTO_TEST_CASE(gives_up_at_the_attempt_cap_or_deadline_and_records_dead_letters) {
  provider_fixture f;
  test::temp_dir dir;
  auto letters = store::sqlite_dead_letters::open(dir / "dead_letters.db");
  BOOST_TEST_REQUIRE(letters.has_value());
  f.dead_letters =
      actors::spawn_dead_letter_writer(f.system, std::move(letters).value(), f.metrics);
  f.log->fail_rate = 1.0; // every answer is a 503
  f.start_provider({});
  f.start_sender(1, 100);
  f.deliver("capped", protocol::lane::call);
  f.deliver("late", protocol::lane::chat, -1s);
  auto reader = store::sqlite_dead_letters::open(dir / "dead_letters.db");
  BOOST_TEST_REQUIRE(reader.has_value());
  BOOST_TEST_REQUIRE(
      f.wait_for([&](provider_log&) { return reader.value()->count().value() == 2; }));
  auto all = reader.value()->list(10).value();
  std::map<std::string, store::dead_letter> by_event;
  for (auto& d : all) {
    by_event[d.event_id] = d;
  }
  BOOST_TEST(by_event["capped"].reason == "failed");
  BOOST_TEST(by_event["capped"].attempts == 10u); // the fixture's attempt cap
  BOOST_TEST(by_event["capped"].detail == "HTTP 503 ServiceUnavailable");
  BOOST_TEST(by_event["capped"].lane == "call");
  BOOST_TEST(by_event["late"].reason == "expired");
  BOOST_TEST(by_event["late"].attempts == 0u);
  std::lock_guard lock(f.log->mutex);
  BOOST_TEST(f.log->arrivals.size() == 10u); // the late one was never sent
  BOOST_TEST(counter(f.metrics->dead_letters("apns", "failed")) == 1.0);
  BOOST_TEST(counter(f.metrics->dead_letters("apns", "expired")) == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
