#include "actors/lane_queue.hpp"

#include <boost/test/unit_test.hpp>

using herald::actors::delivery_backlog;
using herald::actors::lane_queue;
using herald::actors::notification;
using herald::actors::notification_ptr;
using herald::protocol::lane;

namespace {

notification_ptr make(lane l, std::string id) {
  auto n = std::make_shared<notification>();
  n->lane = l;
  n->event_id = std::move(id);
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lane_queue_suite)

BOOST_AUTO_TEST_CASE(serves_the_call_lane_before_chat_and_bulk) {
  lane_queue uut;
  uut.push(make(lane::bulk, "b1"));
  uut.push(make(lane::chat, "c1"));
  uut.push(make(lane::call, "r1"));
  uut.push(make(lane::chat, "c2"));
  std::vector<std::string> order;
  while (auto n = uut.pop()) {
    order.push_back((*n)->event_id);
  }
  BOOST_TEST((order == std::vector<std::string>{"r1", "c1", "c2", "b1"}));
  BOOST_TEST(uut.empty());
}

BOOST_AUTO_TEST_CASE(counts_every_queued_notification_in_the_backlog) {
  auto backlog = std::make_shared<delivery_backlog>(3);
  {
    lane_queue uut{backlog};
    uut.push(make(lane::chat, "c1"));
    uut.push(make(lane::chat, "c2"));
    BOOST_TEST(backlog->queued() == 2);
    BOOST_TEST(!backlog->saturated());
    uut.push_front(make(lane::call, "r1"));
    BOOST_TEST(backlog->saturated());
    BOOST_TEST(uut.size(lane::chat) == 2u);
    BOOST_TEST((*uut.pop())->event_id == "r1");
    BOOST_TEST(backlog->queued() == 2);
    lane_queue moved{std::move(uut)};
    BOOST_TEST(backlog->queued() == 2);
    BOOST_TEST(moved.size() == 2u);
  }
  // A queue that goes away takes its notifications out of the backlog.
  BOOST_TEST(backlog->queued() == 0);
}

BOOST_AUTO_TEST_CASE(push_front_replays_ahead_of_its_lane) {
  lane_queue uut;
  uut.push(make(lane::chat, "c1"));
  uut.push_front(make(lane::chat, "replayed"));
  BOOST_TEST((*uut.pop())->event_id == "replayed");
  BOOST_TEST((*uut.pop())->event_id == "c1");
  BOOST_TEST(!uut.pop().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
