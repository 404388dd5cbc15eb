#include "protocol/rfc3339.hpp"

#include <boost/test/unit_test.hpp>

using namespace herald::protocol;
using namespace std::chrono;

namespace {

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace

BOOST_AUTO_TEST_SUITE(rfc3339)

BOOST_AUTO_TEST_CASE(parses_z_and_zero_offset_alike) {
  const auto z = parse_rfc3339("2020-09-18T00:22:20Z");
  const auto plus = parse_rfc3339("2020-09-18T00:22:20+00:00");
  BOOST_TEST_REQUIRE(z.has_value());
  BOOST_TEST((*z == utc(2020, 9, 18, 0, 22, 20)));
  BOOST_TEST((plus == z));
}

BOOST_AUTO_TEST_CASE(applies_negative_offsets_and_keeps_fractional_seconds) {
  // From cloudevents-ChatThreadParticipantAdded-1.json: 16:54 at -08:00 is 00:54 UTC next day.
  const auto uut = parse_rfc3339("2021-02-19T16:54:42.8622646-08:00");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST((*uut == utc(2021, 2, 20, 0, 54, 42) + nanoseconds{862264600}));
}

BOOST_AUTO_TEST_CASE(ignores_digits_beyond_nanoseconds) {
  const auto uut = parse_rfc3339("2021-01-01T00:00:00.1234567891234Z");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST((*uut == utc(2021, 1, 1, 0, 0, 0) + nanoseconds{123456789}));
}

BOOST_AUTO_TEST_CASE(rejects_malformed_or_impossible_timestamps) {
  for (const char* bad : {"", "2021-02-30T00:00:00Z", "2021-02-19T24:00:00Z", "2021-02-19T10:00:00",
                          "2021-02-19T10:00:00.Z", "2021-02-19T10:00:00+0800", "2021-02-19",
                          "2021-02-19T10:00:00Zjunk", "yyyy-02-19T10:00:00Z", "{eventTime}",
                          "6529-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}) {
    BOOST_TEST(!parse_rfc3339(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
