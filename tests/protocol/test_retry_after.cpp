#include <boost/test/unit_test.hpp>

#include "protocol/retry_after.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {
// 1994-11-06T08:49:37Z, the RFC 9110 example date.
const system_clock::time_point rfc_date = sys_days{year{1994} / November / 6} + 8h + 49min + 37s;
} // namespace

BOOST_AUTO_TEST_SUITE(retry_after)

BOOST_AUTO_TEST_CASE(parses_delay_seconds) {
  const auto uut = parse_retry_after("120", rfc_date);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut->count() == 120);
  BOOST_TEST(parse_retry_after(" 0 ", rfc_date)->count() == 0);
}

BOOST_AUTO_TEST_CASE(parses_http_date_relative_to_now) {
  const auto uut = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date - 90s);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut->count() == 90);
}

BOOST_AUTO_TEST_CASE(http_date_in_the_past_means_now) {
  const auto uut = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date + 1h);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut->count() == 0);
}

BOOST_AUTO_TEST_CASE(caps_huge_delays_at_one_day) {
  BOOST_TEST(parse_retry_after("999999999999", rfc_date)->count() == 86400);
  BOOST_TEST(parse_retry_after("90000", rfc_date)->count() == 86400);
}

BOOST_AUTO_TEST_CASE(rejects_garbage) {
  BOOST_TEST(!parse_retry_after("", rfc_date).has_value());
  BOOST_TEST(!parse_retry_after("-5", rfc_date).has_value());
  BOOST_TEST(!parse_retry_after("soon", rfc_date).has_value());
  BOOST_TEST(!parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", rfc_date).has_value());
  BOOST_TEST(!parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", rfc_date).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
