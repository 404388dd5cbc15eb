#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "store/dead_letters.hpp"
#include "tests/support/temp_dir.hpp"

namespace hs = herald::store;
using sys_clock = std::chrono::system_clock;

namespace {

hs::dead_letter letter(const std::string& event, const std::string& reason) {
  hs::dead_letter d;
  d.app = "demo";
  d.provider = "apns";
  d.device_id = "iphone-1";
  d.identity = "8:acs:x_1";
  d.event_id = event;
  d.lane = "call";
  d.reason = reason;
  d.detail = "HTTP 503 ServiceUnavailable";
  d.attempts = 5;
  d.recorded_at = sys_clock::time_point(std::chrono::milliseconds(1'750'000'000'123));
  return d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dead_letters)

BOOST_AUTO_TEST_CASE(records_survive_reopening_and_list_newest_first) {
  herald::test::temp_dir dir;
  {
    auto uut = hs::sqlite_dead_letters::open(dir / "dead_letters.db");
    BOOST_TEST_REQUIRE(uut.has_value());
    BOOST_TEST_REQUIRE(uut.value()->record(letter("e1", "failed")).has_value());
    BOOST_TEST_REQUIRE(uut.value()->record(letter("e2", "expired")).has_value());
  }
  auto uut = hs::sqlite_dead_letters::open(dir / "dead_letters.db");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value()->count().value() == 2);
  auto all = uut.value()->list(10);
  BOOST_TEST_REQUIRE(all.has_value());
  BOOST_TEST_REQUIRE(all.value().size() == 2u);
  const auto& newest = all.value()[0];
  BOOST_TEST(newest.event_id == "e2");
  BOOST_TEST(newest.reason == "expired");
  BOOST_TEST(newest.app == "demo");
  BOOST_TEST(newest.provider == "apns");
  BOOST_TEST(newest.device_id == "iphone-1");
  BOOST_TEST(newest.identity == "8:acs:x_1");
  BOOST_TEST(newest.lane == "call");
  BOOST_TEST(newest.detail == "HTTP 503 ServiceUnavailable");
  BOOST_TEST(newest.attempts == 5u);
  BOOST_TEST((newest.recorded_at == letter("e2", "expired").recorded_at));
  BOOST_TEST(all.value()[1].event_id == "e1");
  BOOST_TEST(uut.value()->list(1).value().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_a_clear_error) {
  herald::test::temp_dir dir;
  std::ofstream(dir / "dead_letters.db") << std::string(4096, 'x');
  auto uut = hs::sqlite_dead_letters::open(dir / "dead_letters.db");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(!uut.error().message.empty());
}

BOOST_AUTO_TEST_SUITE_END()
