#include <boost/test/unit_test.hpp>

#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/support/amqp_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rabbitmq_server.hpp"
#include "transports/amqp_receiver.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

/// One broker for the whole file (it takes seconds to boot); each case has its own queue.
test::rabbitmq_server& broker() {
  static test::rabbitmq_server server(
      test::rabbitmq_server_options{{"plain", "credit", "steps", "batch", "flush", "poison",
                                     "quirk", "timeout", "expiry", "restart"}});
  return server;
}

std::vector<test::amqp_test_message> numbered(int n, const std::string& prefix = "m") {
  std::vector<test::amqp_test_message> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(
        {"{\"n\":" + std::to_string(i) + "}", prefix + std::to_string(i), "application/json", {}});
  }
  return out;
}

/// Collects deliveries; the test decides when and how to settle them.
struct sink {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<transports::amqp_message, transports::amqp_settlement>> got;
  std::atomic<std::size_t> budget{1000000};
  std::atomic<std::size_t> unsettled{0};
  bool accept_at_once = false;

  transports::amqp_receiver::message_handler handler() {
    return [this](transports::amqp_message m, transports::amqp_settlement s) {
      std::lock_guard lock(mu);
      if (accept_at_once) {
        s.settle(transports::amqp_outcome::accepted);
      } else {
        ++unsettled;
      }
      got.emplace_back(std::move(m), std::move(s));
      cv.notify_all();
    };
  }
  transports::amqp_receiver::capacity_function capacity() {
    return [this] {
      auto b = budget.load();
      auto u = unsettled.load();
      return b > u ? b - u : 0;
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return got.size() >= n; });
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return got.size();
  }
  /// Settles the first `n` deliveries received with `o`.
  void settle_first(std::size_t n, transports::amqp_outcome o) {
    std::lock_guard lock(mu);
    for (std::size_t i = 0; i < n && i < got.size(); ++i) {
      if (got[i].second.pending()) {
        got[i].second.settle(o);
        --unsettled;
      }
    }
  }
  /// Settles deliveries `from` … `to` - 1 (in the order received) with `o`.
  void settle_range(std::size_t from, std::size_t to, transports::amqp_outcome o) {
    std::lock_guard lock(mu);
    for (std::size_t i = from; i < to && i < got.size(); ++i) {
      if (got[i].second.pending()) {
        got[i].second.settle(o);
        --unsettled;
      }
    }
  }
  void settle_all(transports::amqp_outcome o, const std::string& why = {}) {
    std::lock_guard lock(mu);
    for (auto& [m, s] : got) {
      if (s.pending()) {
        s.settle(o, why);
        --unsettled;
      }
    }
  }
};

transports::amqp_receiver_options options(const std::string& queue) {
  transports::amqp_receiver_options o;
  transports::amqp_source_options s;
  s.url = broker().url();
  s.address = test::rabbitmq_server::address(queue);
  s.max_credit = 100;
  o.sources.push_back(s);
  o.min_reconnect_delay = 50ms;
  o.max_reconnect_delay = 500ms;
  return o;
}

/// The value of `name{queue=<address of queue>[, extra label]}` in `metrics`, or -1.
double metric(prometheus::Registry& metrics, const std::string& name, const std::string& queue,
              const std::string& outcome = {}) {
  for (const auto& family : metrics.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& m : family.metric) {
      bool match = true;
      for (const auto& l : m.label) {
        match = match && ((l.name == "queue" && l.value == test::rabbitmq_server::address(queue)) ||
                          (l.name == "outcome" && l.value == outcome));
      }
      if (match) {
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return -1;
}

/// Publishes 3 messages (ids `prefix`0…2) to `queue` and returns options consuming it with a
/// 300 ms settle timeout.
transports::amqp_receiver_options three_with_timeout(const std::string& queue,
                                                     const std::string& prefix) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address(queue),
                     numbered(3, prefix));
  auto o = options(queue);
  o.sources[0].settle_timeout = 300ms;
  return o;
}

/// Waits up to 5 s until `queue` counted at least `n` accepted settlements.
bool accepted_at_least(prometheus::Registry& metrics, const std::string& queue, double n) {
  return test::wait_until(
      [&] { return metric(metrics, "herald_amqp_messages_settled_total", queue, "accepted") >= n; },
      5s);
}

/// `n` messages (ids `<queue>0`…) consumed with `settle_hold = hold`, all received, and all
/// but the oldest accepted: held behind it.
struct held_case {
  sink s;
  prometheus::Registry metrics;
  std::string queue;
  std::unique_ptr<transports::amqp_receiver> uut;

  held_case(const std::string& q, std::size_t n, std::chrono::milliseconds hold) : queue(q) {
    test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address(queue),
                       numbered(static_cast<int>(n), queue));
    auto o = options(queue);
    o.settle_hold = hold;
    uut = std::make_unique<transports::amqp_receiver>(o, s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(n, 10s));
    s.settle_range(1, n, transports::amqp_outcome::accepted);
  }
  double accepted() {
    return metric(metrics, "herald_amqp_messages_settled_total", queue, "accepted");
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(amqp_receiver)

BOOST_AUTO_TEST_CASE(receives_every_message_with_sasl_plain_and_accepts_it) {
  auto messages = numbered(500);
  messages[0].properties = {{"aeg-delivery-count", "2"},
                            {"aeg-event-type", "Microsoft.Communication.IncomingCall"},
                            {"x-other", "not Event Grid's"}};
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("plain"), messages);
  sink s;
  s.accept_at_once = true;
  prometheus::Registry metrics;
  auto o = options("plain");
  o.sources[0].user = "guest";
  o.sources[0].password = "guest";
  {
    transports::amqp_receiver uut(o, s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(500, 30s));
    std::lock_guard lock(s.mu);
    BOOST_TEST(s.got.front().first.body == "{\"n\":0}");
    BOOST_TEST(s.got.front().first.message_id == "m0");
    BOOST_TEST(s.got.front().first.content_type == "application/json");
    BOOST_TEST(!s.got.front().first.redelivered);
    using props = std::vector<std::pair<std::string, std::string>>;
    BOOST_TEST((s.got.front().first.event_grid_properties ==
                props{{"aeg-delivery-count", "2"},
                      {"aeg-event-type", "Microsoft.Communication.IncomingCall"}}));
    BOOST_TEST(s.got.back().first.event_grid_properties.empty());
  }
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("plain")).messages.empty());
}

BOOST_AUTO_TEST_CASE(grants_no_credit_beyond_capacity) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("credit"),
                     numbered(20));
  sink s;
  s.budget = 0;
  prometheus::Registry metrics;
  transports::amqp_receiver uut(options("credit"), s.handler(), s.capacity(), metrics);
  BOOST_TEST_REQUIRE(test::wait_until([&] { return uut.attached() == 1; }, 10s));
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(s.count() == 0u);
  s.budget = 5;
  BOOST_TEST_REQUIRE(s.wait_for(5, 10s));
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(s.count() == 5u); // the pipeline is "full": no sixth message
  s.settle_all(transports::amqp_outcome::accepted);
  BOOST_TEST(s.wait_for(10, 10s));
  s.settle_all(transports::amqp_outcome::accepted);
  s.budget = 1000;
  BOOST_TEST(s.wait_for(20, 10s));
  s.settle_all(transports::amqp_outcome::accepted);
}

BOOST_AUTO_TEST_CASE(credit_is_topped_up_in_steps_of_a_quarter_window) {
  sink s;
  prometheus::Registry metrics;
  transports::amqp_receiver uut(options("steps"), s.handler(), s.capacity(), metrics);
  auto credit = [&] { return metric(metrics, "herald_amqp_credit", "steps"); };
  auto accepted = [&] {
    return metric(metrics, "herald_amqp_messages_settled_total", "steps", "accepted");
  };
  BOOST_TEST_REQUIRE(test::wait_until([&] { return credit() == 100.0; }, 10s));
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("steps"),
                     numbered(10, "a"));
  BOOST_TEST_REQUIRE(s.wait_for(10, 10s));
  s.settle_all(transports::amqp_outcome::accepted);
  BOOST_TEST_REQUIRE(test::wait_until([&] { return accepted() == 10.0; }, 5s));
  // 10 settled, 90 still outstanding: below a quarter window (25), no flow frame yet, also
  // not from the periodic re-evaluation.
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(credit() == 90.0);
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("steps"),
                     numbered(20, "b"));
  BOOST_TEST_REQUIRE(s.wait_for(30, 10s));
  s.settle_all(transports::amqp_outcome::accepted);
  // Up to 30 missing now: topped up again (by at least a quarter window at a time).
  BOOST_TEST(test::wait_until([&] { return credit() > 75.0; }, 5s));
  BOOST_TEST(accepted() == 30.0);
}

BOOST_AUTO_TEST_CASE(settlements_made_close_together_go_to_the_broker_in_one_batch) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("batch"),
                     numbered(10, "b"));
  sink s;
  prometheus::Registry metrics;
  auto o = options("batch");
  o.settle_delay = 2s; // far longer than the settling below takes
  o.credit_poll = 60s; // no periodic drain in between
  auto batches = [&] { return metric(metrics, "herald_amqp_settle_batches_total", "batch"); };
  {
    transports::amqp_receiver uut(o, s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(10, 10s));
    BOOST_TEST(batches() == 0.0);
    {
      // Newest first, paced: one disposition per settlement without the delay.
      std::lock_guard lock(s.mu);
      for (auto it = s.got.rbegin(); it != s.got.rend(); ++it) {
        it->second.settle(transports::amqp_outcome::accepted);
        std::this_thread::sleep_for(10ms);
      }
    }
    BOOST_TEST_REQUIRE(accepted_at_least(metrics, "batch", 10.0));
    BOOST_TEST(batches() >= 1.0);
    BOOST_TEST(batches() <= 2.0); // 2 only if the pacing above took longer than the delay
  }
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("batch")).messages.empty());
}

BOOST_AUTO_TEST_CASE(a_full_batch_of_settlements_is_sent_without_waiting_for_the_delay) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("flush"),
                     numbered(8, "f"));
  sink s;
  prometheus::Registry metrics;
  auto o = options("flush");
  o.settle_delay = 60s;
  o.settle_batch = 8;
  o.credit_poll = 60s;
  transports::amqp_receiver uut(o, s.handler(), s.capacity(), metrics);
  BOOST_TEST_REQUIRE(s.wait_for(8, 10s));
  s.settle_first(3, transports::amqp_outcome::accepted);
  std::this_thread::sleep_for(300ms);
  // Three pending, below the batch: they wait for the delay.
  BOOST_TEST(metric(metrics, "herald_amqp_messages_settled_total", "flush", "accepted") == 0.0);
  s.settle_all(transports::amqp_outcome::accepted); // the eighth fills the batch
  BOOST_TEST(accepted_at_least(metrics, "flush", 8.0));
  BOOST_TEST(metric(metrics, "herald_amqp_settle_batches_total", "flush") == 1.0);
  uut.stop();
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("flush")).messages.empty());
}

BOOST_AUTO_TEST_CASE(settlements_wait_for_older_deliveries_and_go_out_in_arrival_order) {
  held_case c("order", 10, 60s);
  std::this_thread::sleep_for(300ms);
  // The oldest has no outcome yet: the nine wait behind it (the ticker ran meanwhile).
  BOOST_TEST(c.accepted() == 0.0);
  c.s.settle_range(0, 1, transports::amqp_outcome::accepted);
  BOOST_TEST(accepted_at_least(c.metrics, "order", 10.0));
  c.uut->stop();
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("order")).messages.empty());
}

BOOST_AUTO_TEST_CASE(a_settlement_held_behind_a_stalled_delivery_goes_out_after_the_hold) {
  held_case c("hold", 5, 200ms);
  BOOST_TEST_REQUIRE(accepted_at_least(c.metrics, "hold", 4.0));
  BOOST_TEST(c.accepted() == 4.0);
  c.s.settle_range(0, 1, transports::amqp_outcome::accepted);
  BOOST_TEST(accepted_at_least(c.metrics, "hold", 5.0));
  c.uut->stop();
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("hold")).messages.empty());
}

BOOST_AUTO_TEST_CASE(stop_sends_held_outcomes_and_releases_the_rest) {
  held_case c("stop_held", 5, 60s);
  c.uut->stop();
  BOOST_TEST(c.accepted() == 4.0);
  auto left = test::amqp_drain(broker().url(), test::rabbitmq_server::address("stop_held"));
  BOOST_TEST_REQUIRE(left.messages.size() == 1u);
  BOOST_TEST(left.messages[0].message_id == "stop_held0");
}

BOOST_AUTO_TEST_CASE(rejected_message_is_dead_lettered) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("poison"),
                     numbered(1, "p"));
  sink s;
  prometheus::Registry metrics;
  {
    transports::amqp_receiver uut(options("poison"), s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(1, 10s));
    s.settle_all(transports::amqp_outcome::rejected, "field eventType: missing");
    std::this_thread::sleep_for(300ms);
  }
  auto dead = test::amqp_drain(broker().url(), test::rabbitmq_server::address("poison.dlq"));
  BOOST_TEST_REQUIRE(dead.messages.size() == 1u);
  BOOST_TEST(dead.messages[0].body == "{\"n\":0}");
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("poison")).messages.empty());
}

BOOST_AUTO_TEST_CASE(accepts_made_just_before_stop_reach_the_broker_and_the_rest_is_released) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("quirk"), numbered(40));
  sink s;
  s.budget = 30;
  prometheus::Registry metrics;
  {
    transports::amqp_receiver uut(options("quirk"), s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(30, 10s));
    s.settle_first(20, transports::amqp_outcome::accepted);
    // Stop at once: the 20 accepts must not be lost (link closed before the connection),
    // the 10 unsettled are released.
    uut.stop();
  }
  auto left = test::amqp_drain(broker().url(), test::rabbitmq_server::address("quirk"));
  BOOST_TEST(left.messages.size() == 20u);
}

BOOST_AUTO_TEST_CASE(a_delivery_not_settled_in_time_is_released_and_redelivered) {
  auto o = three_with_timeout("timeout", "t");
  sink s;
  prometheus::Registry metrics;
  {
    transports::amqp_receiver uut(o, s.handler(), s.capacity(), metrics);
    // Never settled: each message comes back after the timeout, marked as redelivered.
    BOOST_TEST_REQUIRE(s.wait_for(6, 15s));
    {
      std::lock_guard lock(s.mu);
      BOOST_TEST(!s.got[0].first.redelivered);
      BOOST_TEST(s.got[5].first.redelivered);
      BOOST_TEST(s.got[5].first.body.rfind("{\"n\":", 0) == 0u);
    }
    BOOST_TEST(metric(metrics, "herald_amqp_settle_timeouts_total", "timeout") >= 3.0);
    BOOST_TEST(metric(metrics, "herald_amqp_messages_settled_total", "timeout", "released") >= 3.0);
    BOOST_TEST(metric(metrics, "herald_amqp_redeliveries_total", "timeout") >= 3.0);
    // Settling every handle: the expired ones count as lost, the live ones are accepted.
    s.settle_all(transports::amqp_outcome::accepted);
    BOOST_TEST(accepted_at_least(metrics, "timeout", 3.0));
    BOOST_TEST(metric(metrics, "herald_amqp_settlements_lost_total", "timeout") >= 3.0);
    // Messages redelivered after the settle_all are released by the stop.
  }
  auto left = test::amqp_drain(broker().url(), test::rabbitmq_server::address("timeout"));
  BOOST_TEST(left.messages.size() <= 3u);
}

BOOST_AUTO_TEST_CASE(a_late_delivery_behind_a_settled_one_still_expires) {
  auto o = three_with_timeout("expiry", "e");
  sink s;
  prometheus::Registry metrics;
  {
    transports::amqp_receiver uut(o, s.handler(), s.capacity(), metrics);
    BOOST_TEST_REQUIRE(s.wait_for(3, 10s));
    s.settle_first(1, transports::amqp_outcome::accepted); // the oldest
    // The two younger ones time out, come back and are accepted then.
    BOOST_TEST_REQUIRE(s.wait_for(5, 15s));
    BOOST_TEST(metric(metrics, "herald_amqp_settle_timeouts_total", "expiry") >= 2.0);
    s.settle_all(transports::amqp_outcome::accepted);
    BOOST_TEST(accepted_at_least(metrics, "expiry", 3.0));
  }
  auto left = test::amqp_drain(broker().url(), test::rabbitmq_server::address("expiry"));
  BOOST_TEST(left.messages.empty());
}

// Last: it restarts the shared broker.
BOOST_AUTO_TEST_CASE(reconnects_after_a_broker_restart_and_gets_the_unsettled_again) {
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("restart"),
                     numbered(50, "r"));
  sink s;
  s.budget = 50;
  prometheus::Registry metrics;
  transports::amqp_receiver uut(options("restart"), s.handler(), s.capacity(), metrics);
  BOOST_TEST_REQUIRE(s.wait_for(50, 15s));
  // Accept the first 30; the other 20 stay unsettled across the restart.
  s.settle_first(30, transports::amqp_outcome::accepted);
  BOOST_TEST_REQUIRE(test::wait_until(
      [&] {
        return metric(metrics, "herald_amqp_messages_settled_total", "restart", "accepted") == 30;
      },
      5s));
  broker().stop();
  BOOST_TEST_REQUIRE(test::wait_until([&] { return uut.attached() == 0; }, 10s));
  BOOST_TEST(metric(metrics, "herald_amqp_connection_state", "restart") < 2.0);
  // Settled while disconnected: dropped (the broker redelivers), counted.
  s.settle_all(transports::amqp_outcome::accepted);
  broker().start();
  BOOST_TEST_REQUIRE(test::wait_until([&] { return uut.attached() == 1; }, 30s));
  BOOST_TEST(metric(metrics, "herald_amqp_connection_state", "restart") == 2.0);
  BOOST_TEST(metric(metrics, "herald_amqp_reconnects_total", "restart") >= 1.0);
  // The 20 unsettled come back, marked as redelivered; then new messages flow too.
  BOOST_TEST_REQUIRE(s.wait_for(70, 20s));
  {
    std::lock_guard lock(s.mu);
    for (std::size_t i = 50; i < 70; ++i) {
      BOOST_TEST(s.got[i].first.redelivered);
      auto n = std::stoi(s.got[i].first.message_id.substr(1));
      BOOST_TEST(n >= 30);
    }
  }
  s.settle_all(transports::amqp_outcome::accepted);
  test::amqp_publish(broker().url(), test::rabbitmq_server::publish_address("restart"),
                     numbered(5, "late"));
  BOOST_TEST_REQUIRE(s.wait_for(75, 15s));
  s.settle_all(transports::amqp_outcome::accepted);
  BOOST_TEST(metric(metrics, "herald_amqp_settlements_lost_total", "restart") == 20.0);
  uut.stop();
  BOOST_TEST(
      test::amqp_drain(broker().url(), test::rabbitmq_server::address("restart")).messages.empty());
}

BOOST_AUTO_TEST_SUITE_END()
