// The bounded store of direct sends' per-device outcomes.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <thread>

#include "actors/notification_log.hpp"

using namespace herald::actors;
using herald::protocol::delivery_state;
using herald::protocol::lane;
using herald::protocol::platform;
using namespace std::chrono_literals;

namespace {

std::vector<tracked_device> two_devices() {
  return {{"iphone-1", platform::apns, "aaaa…", delivery_state::pending, {}},
          {"pixel-1", platform::fcm, "ffff…", delivery_state::pending, {}}};
}

rapidjson::Document described(const notification_log& log, const std::string& id) {
  auto text = log.describe("demo", id);
  BOOST_TEST_REQUIRE(text.has_value());
  rapidjson::Document doc;
  doc.Parse(text->c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), *text);
  return doc;
}

} // namespace

BOOST_AUTO_TEST_SUITE(notification_log_suite)

BOOST_AUTO_TEST_CASE(a_send_is_pending_until_each_device_settles_and_the_first_verdict_wins) {
  notification_log uut(10, 3600s);
  auto id = uut.open("demo", lane::bulk, 60s, two_devices());
  BOOST_TEST(id.size() == 32u);
  auto fresh = described(uut, id);
  BOOST_TEST(!fresh["complete"].GetBool());
  BOOST_TEST(fresh["outcomes"][0]["state"].GetString() == std::string("pending"));
  BOOST_TEST(fresh["lane"].GetString() == std::string("bulk"));
  BOOST_TEST(fresh["ttl"].GetInt() == 60);

  uut.settle(id, 0, delivery_state::accepted, "apns-id-1");
  uut.settle(id, 0, delivery_state::failed, "late");
  uut.settle(id, 1, delivery_state::rejected, "UNREGISTERED");
  uut.settle(id, 7, delivery_state::failed, "no such device");
  auto done = described(uut, id);
  BOOST_TEST(done["complete"].GetBool());
  BOOST_TEST(done["outcomes"][0]["state"].GetString() == std::string("accepted"));
  BOOST_TEST(done["outcomes"][0]["reason"].GetString() == std::string("apns-id-1"));
  BOOST_TEST(done["outcomes"][1]["state"].GetString() == std::string("rejected"));
  BOOST_TEST(done["outcomes"][1]["reason"].GetString() == std::string("UNREGISTERED"));
}

BOOST_AUTO_TEST_CASE(finishing_fails_only_the_devices_still_pending) {
  notification_log uut(10, 3600s);
  auto id = uut.open("demo", lane::chat, 60s, two_devices());
  uut.settle(id, 0, delivery_state::accepted, "");
  uut.finish(id);
  auto doc = described(uut, id);
  BOOST_TEST(doc["outcomes"][0]["state"].GetString() == std::string("accepted"));
  BOOST_TEST(doc["outcomes"][1]["state"].GetString() == std::string("failed"));
}

BOOST_AUTO_TEST_CASE(another_apps_send_is_not_served) {
  notification_log uut(10, 3600s);
  auto id = uut.open("demo", lane::chat, 60s, two_devices());
  BOOST_TEST(!uut.describe("other", id).has_value());
  BOOST_TEST(!uut.describe("demo", "feedfeedfeedfeedfeedfeedfeedfeed").has_value());
}

BOOST_AUTO_TEST_CASE(the_oldest_sends_are_forgotten_beyond_capacity) {
  notification_log uut(3, 3600s);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(uut.open("demo", lane::chat, 60s, two_devices()));
  }
  BOOST_TEST(uut.size() == 3u);
  BOOST_TEST(!uut.describe("demo", ids[0]).has_value());
  BOOST_TEST(!uut.describe("demo", ids[1]).has_value());
  BOOST_TEST(uut.describe("demo", ids[4]).has_value());
  uut.settle(ids[0], 0, delivery_state::accepted, ""); // Forgotten: ignored, no crash.
}

BOOST_AUTO_TEST_CASE(sends_past_retention_are_not_served_and_are_evicted) {
  notification_log uut(10, 0s);
  auto id = uut.open("demo", lane::chat, 60s, two_devices());
  std::this_thread::sleep_for(2ms);
  BOOST_TEST(!uut.describe("demo", id).has_value());
  (void)uut.open("demo", lane::chat, 60s, two_devices());
  BOOST_TEST(uut.size() <= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
