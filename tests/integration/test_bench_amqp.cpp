// herald-bench --via amqp: the load goes through a throwaway RabbitMQ queue that the spawned
// Herald consumes (issue 8 §1, "or through the AMQP broker"). A separate test from the
// webhook smoke because the broker's start alone takes 5–10 s. As there, it asserts that the
// harness works and nothing is lost, never how fast anything was.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/integration/bench_run.hpp"

using namespace herald::test;

namespace {

/// The checks every AMQP run must pass: every published event settled by Herald and every
/// push of it received once, with one end-to-end latency per push.
void expect_everything_delivered(const bench_run& uut, std::uint64_t events) {
  uut.expect_every_push_received(events);
  BOOST_TEST(std::string(uut.results["config"]["via"].GetString()) == "amqp");
  BOOST_TEST(uut.number("config", "batch") == 1u);
  // Herald settles a message (accepted) only once its pushes have their verdicts.
  BOOST_TEST(uut.number("amqp", "herald_settled_accepted") == events);
  BOOST_TEST(std::string(uut.results["amqp"]["error"].GetString()).empty());
  BOOST_TEST(uut.results["latency"]["ack"]["count"].GetUint64() == events);
  // Queue messages are not sampled by herald_event_dispatch_seconds (webhook events only).
  BOOST_TEST(uut.results["herald_dispatch"].IsNull());
}

} // namespace

BOOST_AUTO_TEST_SUITE(bench_amqp)

BOOST_AUTO_TEST_CASE(a_closed_loop_through_the_broker_delivers_every_published_event) {
  bench_run uut({"--via", "amqp", "--identities", "100", "--max-devices", "2", "--events", "1500",
                 "--amqp-window", "200", "--drain-timeout", "30"});
  expect_everything_delivered(uut, 1500);
  BOOST_TEST(std::string(uut.results["config"]["loop"].GetString()) == "closed");
}

BOOST_AUTO_TEST_CASE(an_open_loop_through_the_broker_delivers_every_published_event) {
  bench_run uut({"--via", "amqp", "--identities", "50", "--max-devices", "1", "--events", "600",
                 "--rate", "300", "--drain-timeout", "30"});
  expect_everything_delivered(uut, 600);
  BOOST_TEST(std::string(uut.results["config"]["loop"].GetString()) == "open");
  // Open loop at 300 events/s: 600 events cannot have been published in much under 2 s.
  BOOST_TEST(uut.results["throughput"]["load_seconds"].GetDouble() >= 1.9);
  // Nor much over it: messages published from a timer once sat unsent until the broker's next
  // frame (up to its 30 s heartbeat). A generous bound, not a timing target.
  BOOST_TEST(uut.results["throughput"]["load_seconds"].GetDouble() < 20.0);
}

BOOST_AUTO_TEST_CASE(a_target_run_through_the_broker_needs_its_url_and_queue) {
  bench_run uut(HERALD_BENCH_BIN, {"--quiet"},
                {"--via", "amqp", "--target", "http://127.0.0.1:9", "--mock-admin", "127.0.0.1:9"});
  BOOST_TEST(uut.exit_code == 2);
  BOOST_TEST(uut.stderr_text.find("--amqp-url") != std::string::npos, uut.stderr_text);
}

BOOST_AUTO_TEST_SUITE_END()
