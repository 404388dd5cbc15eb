#include "actors/sender_out.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using herald::actors::notification;
using herald::actors::notification_ptr;
using herald::actors::detail::out_notifications;

namespace {

/// The ledger under test, and a way to hold a notification known by its event id.
struct out_fixture {
  out_notifications uut;

  std::uint32_t hold(std::string event_id) {
    auto n = std::make_shared<notification>();
    n->event_id = std::move(event_id);
    return uut.add(std::move(n));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sender_out_suite, out_fixture)

BOOST_AUTO_TEST_CASE(takes_back_what_each_number_holds_exactly_once) {
  auto a = hold("a");
  auto b = hold("b");
  BOOST_TEST(a != b);
  BOOST_TEST(uut.size() == 2U);
  auto got = uut.take(b);
  BOOST_REQUIRE(got);
  BOOST_TEST(got->event_id == "b");
  BOOST_TEST(!uut.take(b)); // a second answer for the same number finds nothing
  BOOST_TEST(!uut.take(1000));
  BOOST_TEST(uut.size() == 1U);
  BOOST_TEST(uut.take(a)->event_id == "a");
  BOOST_TEST(uut.size() == 0U);
}

BOOST_AUTO_TEST_CASE(reuses_taken_numbers_instead_of_growing) {
  std::set<std::uint32_t> seen;
  for (int round = 0; round < 100; ++round) {
    auto x = hold("x" + std::to_string(round));
    auto y = hold("y" + std::to_string(round));
    seen.insert(x);
    seen.insert(y);
    BOOST_TEST(uut.take(x)->event_id == "x" + std::to_string(round));
    BOOST_TEST(uut.take(y)->event_id == "y" + std::to_string(round));
  }
  BOOST_TEST(seen.size() == 2U);
}

BOOST_AUTO_TEST_CASE(drain_hands_over_everything_still_held) {
  auto a = hold("a");
  (void)hold("b");
  (void)hold("c");
  (void)uut.take(a);
  std::set<std::string> drained;
  auto n = uut.drain([&](notification_ptr x) { drained.insert(x->event_id); });
  BOOST_TEST(n == 2U);
  BOOST_TEST((drained == std::set<std::string>{"b", "c"}));
  BOOST_TEST(uut.size() == 0U);
  BOOST_TEST(!uut.take(a));
  BOOST_TEST(hold("d") == 0U); // starts afresh
}

BOOST_AUTO_TEST_SUITE_END()
