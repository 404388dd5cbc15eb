// Service Bus ingestion end to end: a real AMQP 1.0 broker (RabbitMQ), `herald serve`
// consuming it, a mock APNs counting pushes per event. Volume and settlement outcomes here;
// faults and competing nodes in test_servicebus_faults.cpp.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

#include "tests/integration/servicebus_fixture.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// One broker for the file (it takes seconds to boot); each case has a queue of its own.
rabbitmq_server& broker() {
  static rabbitmq_server server(
      rabbitmq_server_options{{"bulk", "nodevices", "unregistered", "shutdown", "slow", "poison"}});
  return server;
}

/// Waits until `f`'s node settled exactly `n` messages with `outcome`, up to `timeout`.
bool settled(servicebus_fixture& f, const char* outcome, double n,
             std::chrono::milliseconds timeout) {
  return wait_until(
      [&] { return f.node.metric(f.series("herald_amqp_messages_settled_total", outcome)) == n; },
      timeout, 100ms);
}

/// What Herald's APNs sender logged and counted (a repeated push comes from there).
std::string sender_log(servicebus_fixture& f) {
  std::string out =
      "retries: " +
      std::to_string(f.node.metric(R"(herald_notification_retries_total{provider="apns"})")) + "\n";
  std::istringstream lines(f.node.herald->stderr_text());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("apns sender") != std::string::npos) {
      out += line.substr(0, 300) + "\n";
    }
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(servicebus)

BOOST_AUTO_TEST_CASE(ten_thousand_events_are_each_pushed_exactly_once) {
  servicebus_fixture f(broker(), consuming("bulk"));
  constexpr std::size_t n = 10000;
  f.publish(0, n);
  BOOST_TEST_REQUIRE(f.wait_all_pushed(n, 150s), f.node.herald->stderr_text().substr(0, 4000));
  BOOST_TEST_REQUIRE(settled(f, "accepted", double(n), 20s));
  std::this_thread::sleep_for(500ms); // time for a stray duplicate to arrive
  auto t = f.arrivals(n);
  BOOST_TEST(t.distinct == n);
  BOOST_TEST(t.repeats == 0u, sender_log(f));
  BOOST_TEST(t.foreign == 0u);
  BOOST_TEST(f.node.metric(f.series("herald_amqp_messages_received_total")) == double(n));
  BOOST_TEST(f.node.metric(f.series("herald_amqp_messages_settled_total", "rejected")) == 0.0);
  BOOST_TEST(f.node.metric(f.series("herald_amqp_connection_state")) == 2.0);
  BOOST_TEST(f.node.metric("herald_servicebus_eventgrid_retried_total") == 0.0);
  BOOST_TEST(f.node.herald->stop(20s) == 0);
}

BOOST_AUTO_TEST_CASE(an_event_without_devices_is_accepted_without_a_push) {
  auto o = consuming("nodevices");
  o.devices = 0;
  servicebus_fixture f(broker(), o);
  f.publish(0, 3);
  BOOST_TEST(settled(f, "accepted", 3.0, 20s));
  BOOST_TEST(f.arrivals(3).distinct == 0u);
  BOOST_TEST(f.node.metric(f.series("herald_amqp_messages_settled_total", "released")) == 0.0);
}

BOOST_AUTO_TEST_CASE(an_event_the_provider_rejects_for_good_is_accepted) {
  auto o = consuming("unregistered");
  o.devices = 1;
  o.mock_args = {"--unregistered-token", servicebus_fixture::token(0)};
  servicebus_fixture f(broker(), o);
  f.publish(0, 2);
  BOOST_TEST(settled(f, "accepted", 2.0, 20s));
  BOOST_TEST(f.arrivals(2).distinct == 0u); // 410 Unregistered is not an arrival
  BOOST_TEST(f.node.metric(f.series("herald_amqp_messages_settled_total", "released")) == 0.0);
}

BOOST_AUTO_TEST_CASE(shutdown_releases_what_is_in_flight_for_redelivery) {
  auto o = consuming("shutdown");
  o.mock_latency_ms = 30000; // a stalled provider: nothing reaches an outcome
  servicebus_fixture f(broker(), o);
  f.publish(0, 5);
  BOOST_TEST_REQUIRE(wait_until(
      [&] { return f.node.metric(f.series("herald_amqp_messages_received_total")) == 5.0; }, 20s));
  BOOST_TEST(f.node.herald->stop(20s) == 0);
  // Released, not accepted: all five are still in the queue.
  auto left = amqp_drain(f.broker.url(), f.address());
  BOOST_TEST(left.messages.size() == 5u);
}

BOOST_AUTO_TEST_CASE(an_outcome_slower_than_settle_timeout_is_released_and_pushed_once) {
  auto o = consuming("slow");
  o.mock_latency_ms = 2500;
  o.servicebus_config = "settle_timeout = \"1s\"\n";
  servicebus_fixture f(broker(), o);
  f.publish(0, 1);
  BOOST_TEST_REQUIRE(wait_until(
      [&] { return f.node.metric(f.series("herald_amqp_settle_timeouts_total")) >= 1.0; }, 20s));
  // The broker redelivers it; the node still has the event in flight, so dedupe keeps the
  // redelivery from a second push and the copy is accepted.
  BOOST_TEST_REQUIRE(f.wait_all_pushed(1, 20s));
  BOOST_TEST(wait_until(
      [&] { return f.node.metric(f.series("herald_amqp_redeliveries_total")) >= 1.0; }, 10s));
  std::this_thread::sleep_for(3s);
  BOOST_TEST(f.arrivals(1).repeats == 0u);
  BOOST_TEST(f.node.metric(f.series("herald_amqp_messages_settled_total", "accepted")) >= 1.0);
  BOOST_TEST(amqp_drain(f.broker.url(), f.address()).messages.empty());
}

BOOST_AUTO_TEST_CASE(a_poison_message_is_dead_lettered_and_the_rest_flow_on) {
  servicebus_fixture f(broker(), consuming("poison"));
  f.publish(0, 50);
  amqp_publish(f.broker.url(), rabbitmq_server::publish_address("poison"),
               {{"this is not an event", "poison-1", "application/json", {}}});
  f.publish(50, 50);
  BOOST_TEST_REQUIRE(f.wait_all_pushed(100, 60s));
  BOOST_TEST(settled(f, "rejected", 1.0, 10s));
  BOOST_TEST(f.node.metric("herald_servicebus_poison_messages_total") == 1.0);
  BOOST_TEST(f.arrivals(100).repeats == 0u);
  auto dead = amqp_drain(f.broker.url(), rabbitmq_server::address("poison.dlq"));
  BOOST_TEST_REQUIRE(dead.messages.size() == 1u);
  BOOST_TEST(dead.messages[0].body == "this is not an event");
}

BOOST_AUTO_TEST_SUITE_END()
