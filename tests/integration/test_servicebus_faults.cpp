// Service Bus ingestion under faults, end to end through `herald serve` and a real RabbitMQ:
// two competing Herald processes, a broker kill -9 mid-run, a Herald kill -9 mid-run.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "tests/integration/servicebus_fixture.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// One broker for the file (it takes seconds to boot); each case has a queue of its own.
rabbitmq_server& broker() {
  static rabbitmq_server server(rabbitmq_server_options{{"pair", "restart", "kill"}});
  return server;
}

/// Publishes events 0 … n-1 and waits until a fifth of them were pushed: a run under way.
bool publish_and_wait_for_a_fifth(servicebus_fixture& f, std::size_t n) {
  f.publish(0, n);
  return wait_until([&] { return f.arrivals(n).distinct >= n / 5; }, 60s, 100ms);
}

} // namespace

BOOST_AUTO_TEST_SUITE(servicebus_faults)

BOOST_AUTO_TEST_CASE(two_herald_processes_share_one_queue_without_a_double_push) {
  auto o = consuming("pair");
  o.servicebus_config = "credit = 50\n";
  servicebus_fixture f(broker(), o);
  f.start_second_herald();
  BOOST_TEST_REQUIRE(wait_until(
      [&] { return f.second_metric(f.series("herald_amqp_link_attached")) == 1.0; }, 20s));
  constexpr std::size_t n = 1500;
  f.publish(0, n);
  BOOST_TEST_REQUIRE(f.wait_all_pushed(n, 90s));
  std::this_thread::sleep_for(500ms);
  auto t = f.arrivals(n);
  BOOST_TEST(t.repeats == 0u);
  auto first = f.node.metric(f.series("herald_amqp_messages_received_total"));
  auto second = f.second_metric(f.series("herald_amqp_messages_received_total"));
  BOOST_TEST_MESSAGE("split between the two nodes: " << first << " / " << second);
  BOOST_TEST(first > 0.0);
  BOOST_TEST(second > 0.0);
  BOOST_TEST(first + second == double(n));
  BOOST_TEST(f.second->stop(20s) == 0);
}

BOOST_AUTO_TEST_CASE(a_broker_restart_mid_run_loses_nothing_and_pushes_nothing_twice) {
  constexpr std::size_t n = 1500;
  servicebus_fixture f(broker(), consuming("restart", "credit = 100\n"));
  BOOST_TEST_REQUIRE(publish_and_wait_for_a_fifth(f, n));
  f.broker.kill9();
  f.broker.start();
  BOOST_TEST_REQUIRE(f.wait_all_pushed(n, 90s), f.node.herald->stderr_text().substr(0, 4000));
  std::this_thread::sleep_for(500ms);
  auto t = f.arrivals(n);
  BOOST_TEST(t.repeats == 0u); // redeliveries of events in flight hit the dedupe window
  BOOST_TEST(f.node.metric(f.series("herald_amqp_reconnects_total")) >= 1.0);
  BOOST_TEST(wait_until(
      [&] { return f.node.metric(f.series("herald_amqp_connection_state")) == 2.0; }, 10s));
  BOOST_TEST_MESSAGE("redeliveries after the restart: "
                     << f.node.metric(f.series("herald_amqp_redeliveries_total"))
                     << ", accepted as duplicates: "
                     << f.node.metric("herald_servicebus_duplicate_messages_total"));
  BOOST_TEST(f.node.herald->stop(20s) == 0); // a clean exit: no leak in the reconnect path
}

BOOST_AUTO_TEST_CASE(herald_killed_mid_run_delivers_everything_after_a_restart) {
  constexpr std::size_t n = 1500;
  servicebus_fixture f(broker(), consuming("kill", "credit = 100\n"));
  BOOST_TEST_REQUIRE(publish_and_wait_for_a_fifth(f, n));
  f.node.herald->kill9();
  auto before_kill = f.pushed(n);
  f.node.start_herald(); // same data dir: the registry is still there
  BOOST_TEST_REQUIRE(f.wait_all_pushed(n, 90s), f.node.herald->stderr_text().substr(0, 4000));
  std::this_thread::sleep_for(500ms);
  auto t = f.arrivals(n);
  auto after = f.pushed(n);
  std::size_t twice_before_kill = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // Once, or twice when the first push came from the killed process.
    BOOST_TEST((after[i] == 1u || (after[i] == 2u && before_kill[i] == 1u)),
               "event " << i << " pushed " << after[i] << " times, " << before_kill[i]
                        << " before the kill");
    twice_before_kill += before_kill[i] > 1 ? 1 : 0;
  }
  BOOST_TEST(twice_before_kill == 0u);
  // Duplicates only for events in flight at the kill: pushed, not yet accepted at the broker
  // (unsettled there: the credit, plus acceptances the dead process sent but the broker had not
  // read). The restarted node sees them as redeliveries (its dedupe window died with the old
  // one) and counts them.
  auto redelivered = f.node.metric(f.series("herald_amqp_redeliveries_total"));
  BOOST_TEST_MESSAGE("after kill -9: " << t.repeats << " events pushed twice, " << redelivered
                                       << " messages redelivered to the new process");
  BOOST_TEST(double(t.repeats) <= redelivered);
  BOOST_TEST(f.node.herald->stop(20s) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
