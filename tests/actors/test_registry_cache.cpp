#include "actors/registry_cache.hpp"

#include <boost/test/unit_test.hpp>

using herald::actors::registry_cache;
using herald::protocol::platform;
using herald::protocol::registration;
using namespace std::chrono_literals;

namespace {

const registry_cache::time_point t0{std::chrono::milliseconds(1'700'000'000'000)};

registration make(std::string identity, std::string device,
                  std::optional<registry_cache::time_point> expires = std::nullopt) {
  registration r;
  r.app = "contoso";
  r.device_id = std::move(device);
  r.identity = std::move(identity);
  r.channel = platform::apns_voip;
  r.token = std::string(64, 'a');
  r.updated_at = t0;
  r.expires_at = expires;
  return r;
}

std::vector<std::string> devices_of(const std::optional<registry_cache::registrations>& found) {
  std::vector<std::string> out;
  if (found) {
    for (const auto& r : *found) {
      out.push_back(r.device_id);
    }
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(registry_cache_suite)

BOOST_AUTO_TEST_CASE(serves_what_was_put_and_misses_what_was_not) {
  registry_cache uut{{4, std::nullopt}};
  BOOST_TEST(!uut.find("8:acs:a", t0).has_value());
  uut.put("8:acs:a", {make("8:acs:a", "d1"), make("8:acs:a", "d2")}, t0);
  BOOST_TEST((devices_of(uut.find("8:acs:a", t0)) == std::vector<std::string>{"d1", "d2"}));
  BOOST_TEST(!uut.find("8:acs:b", t0).has_value());
}

BOOST_AUTO_TEST_CASE(keeps_an_identity_without_devices_as_an_empty_entry) {
  registry_cache uut{{4, std::nullopt}};
  uut.put("8:acs:nobody", {}, t0);
  auto found = uut.find("8:acs:nobody", t0);
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(found->empty());
}

BOOST_AUTO_TEST_CASE(never_holds_more_entries_than_its_capacity) {
  registry_cache uut{{3, std::nullopt}};
  std::size_t evicted = 0;
  for (int i = 0; i < 10; ++i) {
    evicted += uut.put("8:acs:" + std::to_string(i), {}, t0);
    BOOST_TEST(uut.size() <= 3u);
  }
  BOOST_TEST(uut.size() == 3u);
  BOOST_TEST(evicted == 7u);
}

BOOST_AUTO_TEST_CASE(evicts_the_least_recently_used_entry_first) {
  registry_cache uut{{3, std::nullopt}};
  uut.put("8:acs:a", {}, t0);
  uut.put("8:acs:b", {}, t0);
  uut.put("8:acs:c", {}, t0);
  // A lookup makes `a` the most recently used: `b` is now the oldest.
  BOOST_TEST(uut.find("8:acs:a", t0).has_value());
  BOOST_TEST(uut.put("8:acs:d", {}, t0) == 1u);
  BOOST_TEST(!uut.find("8:acs:b", t0).has_value());
  BOOST_TEST(uut.find("8:acs:a", t0).has_value());
  BOOST_TEST(uut.find("8:acs:c", t0).has_value());
  BOOST_TEST(uut.find("8:acs:d", t0).has_value());
  // Replacing an entry refreshes it too: `a` was used before `c` and `d`, then replaced.
  uut.put("8:acs:a", {make("8:acs:a", "d9")}, t0);
  uut.put("8:acs:e", {}, t0);
  BOOST_TEST(!uut.find("8:acs:c", t0).has_value());
  BOOST_TEST((devices_of(uut.find("8:acs:a", t0)) == std::vector<std::string>{"d9"}));
}

BOOST_AUTO_TEST_CASE(replacing_an_entry_does_not_evict_another) {
  registry_cache uut{{2, std::nullopt}};
  uut.put("8:acs:a", {}, t0);
  uut.put("8:acs:b", {}, t0);
  BOOST_TEST(uut.put("8:acs:a", {make("8:acs:a", "d1")}, t0) == 0u);
  BOOST_TEST(uut.size() == 2u);
  BOOST_TEST(uut.find("8:acs:b", t0).has_value());
}

BOOST_AUTO_TEST_CASE(never_serves_a_registration_at_or_after_its_expiry) {
  registry_cache uut{{4, std::nullopt}};
  uut.put("8:acs:a",
          {make("8:acs:a", "short", t0 + 10s), make("8:acs:a", "long", t0 + 1h),
           make("8:acs:a", "forever")},
          t0);
  BOOST_TEST((devices_of(uut.find("8:acs:a", t0 + 9s)) ==
              std::vector<std::string>{"short", "long", "forever"}));
  BOOST_TEST(
      (devices_of(uut.find("8:acs:a", t0 + 10s)) == std::vector<std::string>{"long", "forever"}));
  BOOST_TEST((devices_of(uut.find("8:acs:a", t0 + 2h)) == std::vector<std::string>{"forever"}));
  // Nothing is lost if the clock steps back.
  BOOST_TEST(uut.find("8:acs:a", t0)->size() == 3u);
}

BOOST_AUTO_TEST_CASE(an_entry_older_than_max_age_is_a_miss) {
  registry_cache uut{{4, std::chrono::milliseconds(30s)}};
  uut.put("8:acs:a", {make("8:acs:a", "d1")}, t0);
  uut.put("8:acs:b", {make("8:acs:b", "d2")}, t0 + 20s);
  BOOST_TEST(uut.find("8:acs:a", t0 + 29s).has_value());
  BOOST_TEST(!uut.find("8:acs:a", t0 + 30s).has_value());
  BOOST_TEST(uut.size() == 1u); // dropped, not only hidden
  BOOST_TEST(uut.find("8:acs:b", t0 + 30s).has_value());
  // Reloading refreshes the age.
  uut.put("8:acs:b", {make("8:acs:b", "d2")}, t0 + 45s);
  BOOST_TEST(uut.find("8:acs:b", t0 + 60s).has_value());
}

BOOST_AUTO_TEST_CASE(drop_invalidates_one_entry) {
  registry_cache uut{{4, std::nullopt}};
  uut.put("8:acs:a", {make("8:acs:a", "d1")}, t0);
  uut.put("8:acs:b", {make("8:acs:b", "d2")}, t0);
  BOOST_TEST(uut.drop("8:acs:a"));
  BOOST_TEST(!uut.drop("8:acs:a"));
  BOOST_TEST(!uut.find("8:acs:a", t0).has_value());
  BOOST_TEST((devices_of(uut.find("8:acs:b", t0)) == std::vector<std::string>{"d2"}));
  BOOST_TEST(uut.size() == 1u);
  // The freed slot is reused without evicting.
  BOOST_TEST(uut.put("8:acs:c", {}, t0) == 0u);
}

BOOST_AUTO_TEST_CASE(drop_holding_invalidates_every_entry_with_a_matching_registration) {
  registry_cache uut{{4, std::nullopt}};
  auto dead = make("8:acs:a", "d1");
  dead.token = "dead";
  auto also = make("8:acs:b", "d2");
  also.token = "dead";
  uut.put("8:acs:a", {make("8:acs:a", "d0"), dead}, t0);
  uut.put("8:acs:b", {also}, t0);
  uut.put("8:acs:c", {make("8:acs:c", "d3")}, t0);
  BOOST_TEST(uut.drop_holding([](const registration& r) { return r.token == "dead"; }) == 2u);
  BOOST_TEST(!uut.find("8:acs:a", t0).has_value());
  BOOST_TEST(!uut.find("8:acs:b", t0).has_value());
  BOOST_TEST(uut.find("8:acs:c", t0).has_value());
  BOOST_TEST(uut.size() == 1u);
}

BOOST_AUTO_TEST_CASE(capacity_zero_disables_caching) {
  registry_cache uut{{0, std::nullopt}};
  BOOST_TEST(uut.put("8:acs:a", {make("8:acs:a", "d1")}, t0) == 0u);
  BOOST_TEST(!uut.find("8:acs:a", t0).has_value());
  BOOST_TEST(uut.size() == 0u);
}

BOOST_AUTO_TEST_CASE(find_shared_hands_out_the_entry_itself_while_nothing_expired) {
  registry_cache uut{{4, std::nullopt}};
  BOOST_TEST(uut.find_shared("8:acs:a", t0) == nullptr);
  uut.put("8:acs:a", {make("8:acs:a", "d1"), make("8:acs:a", "d2", t0 + 10s)}, t0);
  auto first = uut.find_shared("8:acs:a", t0);
  BOOST_TEST_REQUIRE(first != nullptr);
  BOOST_TEST(first->size() == 2u);
  BOOST_TEST(uut.find_shared("8:acs:a", t0 + 9s) == first); // the same list: no copy
}

BOOST_AUTO_TEST_CASE(find_shared_filters_an_expired_registration_into_a_new_list) {
  registry_cache uut{{4, std::nullopt}};
  uut.put("8:acs:a", {make("8:acs:a", "d1"), make("8:acs:a", "d2", t0 + 10s)}, t0);
  auto whole = uut.find_shared("8:acs:a", t0);
  auto later = uut.find_shared("8:acs:a", t0 + 10s);
  BOOST_TEST_REQUIRE(later != nullptr);
  BOOST_TEST(later != whole);
  BOOST_TEST(later->size() == 1u);
  BOOST_TEST(later->front().device_id == "d1");
  BOOST_TEST(whole->size() == 2u); // the entry is kept whole
}

BOOST_AUTO_TEST_CASE(a_shared_list_outlives_its_entry_unchanged) {
  registry_cache uut{{1, std::nullopt}};
  uut.put("8:acs:a", {make("8:acs:a", "d1")}, t0);
  auto held = uut.find_shared("8:acs:a", t0);
  uut.put("8:acs:a", {make("8:acs:a", "d9")}, t0); // replaced
  uut.put("8:acs:b", {}, t0);                      // then evicted
  BOOST_TEST_REQUIRE(held != nullptr);
  BOOST_TEST(held->front().device_id == "d1");
  BOOST_TEST(uut.find_shared("8:acs:a", t0) == nullptr);
}

BOOST_AUTO_TEST_CASE(clear_forgets_everything) {
  registry_cache uut{{4, std::nullopt}};
  uut.put("8:acs:a", {}, t0);
  uut.put("8:acs:b", {}, t0);
  uut.clear();
  BOOST_TEST(uut.size() == 0u);
  BOOST_TEST(!uut.find("8:acs:a", t0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
