#include <boost/test/unit_test.hpp>

#include <vector>

#include "actors/stream_share.hpp"

using namespace herald::actors;
using herald::protocol::lane;

BOOST_AUTO_TEST_SUITE(stream_share)

BOOST_AUTO_TEST_CASE(keeps_a_share_of_the_budget_for_calls) {
  BOOST_TEST(non_call_limit(100, 10) == 90u);
  BOOST_TEST(non_call_limit(10, 10) == 9u);
  BOOST_TEST(non_call_limit(5, 10) == 4u); // at least one stream
  BOOST_TEST(non_call_limit(2, 90) == 1u); // never the whole budget
  BOOST_TEST(non_call_limit(1, 10) == 1u); // APNs' first stream: nothing to reserve
  BOOST_TEST(non_call_limit(0, 10) == 0u);
  BOOST_TEST(non_call_limit(100, 0) == 100u);
}

BOOST_AUTO_TEST_CASE(picks_the_least_loaded_ready_connection) {
  std::vector<connection_load> loads{{true, 10, 5}, {false, 10, 0}, {true, 10, 2}, {true, 10, 2}};
  BOOST_TEST(pick_connection(loads, lane::chat, 10).value() == 2u);
}

BOOST_AUTO_TEST_CASE(chat_stops_at_the_reserve_where_a_call_still_fits) {
  std::vector<connection_load> loads{{true, 10, 9}, {true, 10, 9}};
  BOOST_TEST(!pick_connection(loads, lane::chat, 10).has_value());
  BOOST_TEST(!pick_connection(loads, lane::bulk, 10).has_value());
  BOOST_TEST(pick_connection(loads, lane::call, 10).value() == 0u);
}

BOOST_AUTO_TEST_CASE(nothing_fits_on_full_or_unready_connections) {
  std::vector<connection_load> loads{{true, 10, 10}, {false, 0, 0}, {true, 0, 0}};
  BOOST_TEST(!pick_connection(loads, lane::call, 10).has_value());
  BOOST_TEST(!pick_connection({}, lane::call, 10).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
