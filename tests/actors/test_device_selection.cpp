#include "actors/device_selection.hpp"

#include <boost/test/unit_test.hpp>

using herald::actors::select_devices;
using herald::protocol::intent_kind;
using herald::protocol::platform;
using herald::protocol::registration;

namespace {

registration reg(std::string app, std::string device, platform p) {
  registration r;
  r.app = std::move(app);
  r.device_id = std::move(device);
  r.channel = p;
  r.token = "t";
  return r;
}

std::vector<std::string> names(const std::vector<const registration*>& regs) {
  std::vector<std::string> out;
  for (const auto* r : regs) {
    out.push_back(r->app + "/" + r->device_id + "/" + std::string(to_string(r->channel)));
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(device_selection)

BOOST_AUTO_TEST_CASE(a_ring_prefers_the_voip_token_of_a_device_that_has_both) {
  std::vector<registration> all{reg("a", "iphone", platform::apns),
                                reg("a", "iphone", platform::apns_voip),
                                reg("a", "pixel", platform::fcm)};
  auto uut = select_devices(intent_kind::ring, all);
  BOOST_TEST((names(uut) == std::vector<std::string>{"a/iphone/apns-voip", "a/pixel/fcm"}));
}

BOOST_AUTO_TEST_CASE(a_ring_uses_a_plain_apns_token_when_the_device_has_no_voip_token) {
  std::vector<registration> all{reg("a", "ipad", platform::apns),
                                reg("b", "ipad", platform::apns_voip)};
  auto uut = select_devices(intent_kind::cancel_ring, all);
  BOOST_TEST((names(uut) == std::vector<std::string>{"a/ipad/apns", "b/ipad/apns-voip"}));
}

BOOST_AUTO_TEST_CASE(a_chat_alert_never_goes_to_a_voip_token) {
  std::vector<registration> all{reg("a", "iphone", platform::apns_voip),
                                reg("a", "iphone", platform::apns), reg("a", "pc", platform::wns)};
  auto uut = select_devices(intent_kind::chat_alert, all);
  BOOST_TEST((names(uut) == std::vector<std::string>{"a/iphone/apns", "a/pc/wns"}));
}

BOOST_AUTO_TEST_CASE(the_chosen_devices_point_into_the_list_without_copies) {
  std::vector<registration> all{reg("a", "iphone", platform::apns_voip),
                                reg("a", "iphone", platform::apns), reg("a", "pc", platform::wns)};
  auto uut = select_devices(intent_kind::chat_alert, all);
  BOOST_TEST_REQUIRE(uut.size() == 2U);
  BOOST_TEST(uut[0] == &all[1]);
  BOOST_TEST(uut[1] == &all[2]);
}

BOOST_AUTO_TEST_CASE(an_identity_without_devices_gets_nothing) {
  BOOST_TEST(select_devices(intent_kind::ring, {}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
