#pragma once

// The registry conformance suite: behaviours every `herald::store::registry` engine must
// show, written against the interface only. A test file defines `engine_fixture` (a
// default-constructible struct with `std::unique_ptr<registry> make_registry()` that gives a
// new object on one empty database per case), opens its suite, and includes this header
// inside it. test_sqlite_registry.cpp and test_postgres_registry.cpp do so.

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/registry.hpp"

namespace conformance {

using namespace std::chrono_literals;
using herald::protocol::environment;
using herald::protocol::platform;
using herald::protocol::registration;
using herald::store::errc;
using herald::store::registry;
using time_point = registry::time_point;

/// A fixed instant on a millisecond boundary (the stores keep milliseconds).
inline const time_point t0 = time_point(std::chrono::milliseconds(1'750'000'000'000));

inline registration make(std::string app, std::string device, std::string identity,
                         platform channel, std::string token, time_point updated = t0,
                         std::optional<time_point> expires = t0 + 24h) {
  registration r;
  r.app = std::move(app);
  r.device_id = std::move(device);
  r.identity = std::move(identity);
  r.channel = channel;
  r.token = std::move(token);
  r.env = environment::sandbox;
  r.locale = "fr-CH";
  r.tags = {"beta", "quote\"d"};
  r.updated_at = updated;
  r.expires_at = expires;
  return r;
}

/// The engine's fixture plus the object under test and two lookup helpers.
struct conformance_fixture : engine_fixture {
  std::unique_ptr<registry> uut = make_registry();

  std::vector<registration> by_identity(const std::string& identity, time_point now = t0) {
    auto found = uut->find_by_identity(identity, now);
    BOOST_REQUIRE_MESSAGE(found.has_value(), (found ? std::string() : found.error().describe()));
    return std::move(found).value();
  }

  std::vector<registration> device(const std::string& app, const std::string& id,
                                   time_point now = t0) {
    auto found = uut->find_device(app, id, now);
    BOOST_REQUIRE_MESSAGE(found.has_value(), (found ? std::string() : found.error().describe()));
    return std::move(found).value();
  }
};

} // namespace conformance

using namespace conformance;

BOOST_FIXTURE_TEST_CASE(upsert_is_idempotent_and_round_trips_every_field, conformance_fixture) {
  auto r = make("app1", "dev1", "8:acs:alice", platform::apns_voip, "tok1");
  BOOST_TEST(uut->upsert(r).has_value());
  BOOST_TEST(uut->upsert(r).has_value());
  auto found = by_identity("8:acs:alice");
  BOOST_REQUIRE_EQUAL(found.size(), 1U);
  const auto& got = found.front();
  BOOST_TEST(got.app == "app1");
  BOOST_TEST(got.device_id == "dev1");
  BOOST_TEST(got.identity == "8:acs:alice");
  BOOST_TEST((got.channel == platform::apns_voip));
  BOOST_TEST(got.token == "tok1");
  BOOST_TEST((got.env == environment::sandbox));
  BOOST_TEST(got.locale == "fr-CH");
  BOOST_TEST(got.tags == r.tags, boost::test_tools::per_element());
  BOOST_TEST((got.updated_at == t0));
  BOOST_TEST((got.expires_at == r.expires_at));
}

BOOST_FIXTURE_TEST_CASE(upsert_all_writes_a_batch_in_order, conformance_fixture) {
  std::vector<registration> batch = {
      make("a", "d1", "8:acs:x", platform::apns, "old"),
      make("a", "d2", "8:acs:x", platform::fcm, "t2"),
      make("a", "d1", "8:acs:x", platform::apns, "new"), // the later one wins
  };
  BOOST_TEST(uut->upsert_all(batch).has_value());
  BOOST_TEST(uut->upsert_all({}).has_value());
  auto found = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(found.size(), 2U);
  BOOST_TEST(found[0].token == "new");
  BOOST_TEST(found[1].token == "t2");
}

BOOST_FIXTURE_TEST_CASE(upsert_all_writes_nothing_when_one_fails, conformance_fixture) {
  std::vector<registration> batch = {
      make("a", "d1", "8:acs:x", platform::apns, "t1"),
      make("a", "", "8:acs:x", platform::apns, "t2"), // empty key: refused
  };
  auto written = uut->upsert_all(batch);
  BOOST_REQUIRE(!written.has_value());
  BOOST_TEST((written.error().code == errc::constraint), written.error().describe());
  BOOST_TEST(by_identity("8:acs:x").empty());
  // The object is still usable: the transaction was rolled back.
  BOOST_TEST(uut->upsert_all(std::vector<registration>{batch[0]}).has_value());
  BOOST_TEST(by_identity("8:acs:x").size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(upsert_all_displacing_reports_the_previous_owners, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:alice", platform::apns, "t1")).has_value());
  BOOST_TEST(
      uut->upsert(make("a", "d2", "8:acs:bob", platform::fcm, "t2", t0, t0 - 1h)).has_value());
  auto never = make("a", "d3", "8:acs:carol", platform::wns, "https://w/1", t0, std::nullopt);
  std::vector<registration> batch = {
      make("a", "d1", "8:acs:carol", platform::apns, "t1"),     // from alice
      make("a", "d2", "8:acs:carol", platform::fcm, "t2"),      // from bob (expired)
      make("a", "d1", "8:acs:dave", platform::apns_voip, "v1"), // another platform: new
      never,                                                    // new, never expires
      make("a", "d1", "8:acs:carol", platform::apns, "t1b"),    // same key again: wins
  };
  auto displaced = uut->upsert_all_displacing(batch);
  BOOST_REQUIRE_MESSAGE(displaced.has_value(),
                        (displaced ? std::string() : displaced.error().describe()));
  auto got = displaced.value();
  std::sort(got.begin(), got.end());
  got.erase(std::unique(got.begin(), got.end()), got.end());
  BOOST_TEST(got == (std::vector<std::string>{"8:acs:alice", "8:acs:bob"}),
             boost::test_tools::per_element());
  auto carol = by_identity("8:acs:carol");
  BOOST_REQUIRE_EQUAL(carol.size(), 3U);
  BOOST_TEST(carol[0].token == "t1b");
  BOOST_TEST(carol[2].token == "https://w/1");
  BOOST_TEST(!carol[2].expires_at.has_value());
  BOOST_TEST(carol[2].tags == never.tags, boost::test_tools::per_element());
  BOOST_TEST(by_identity("8:acs:alice").empty());
  // Written again: nobody else held those keys.
  auto again = uut->upsert_all_displacing(batch);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again.value().empty());
  BOOST_TEST(uut->upsert_all_displacing({}).has_value());
}

BOOST_FIXTURE_TEST_CASE(keeps_one_registration_per_device_and_platform, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("app1", "dev1", "8:acs:alice", platform::apns, "old")).has_value());
  auto renewed = make("app1", "dev1", "8:acs:bob", platform::apns, "new", t0 + 1h, t0 + 48h);
  BOOST_TEST(uut->upsert(renewed).has_value());
  BOOST_TEST(
      uut->upsert(make("app1", "dev1", "8:acs:bob", platform::apns_voip, "voip")).has_value());
  auto found = device("app1", "dev1");
  BOOST_REQUIRE_EQUAL(found.size(), 2U);
  BOOST_TEST((found[0].channel == platform::apns));
  BOOST_TEST(found[0].token == "new");
  BOOST_TEST(found[0].identity == "8:acs:bob");
  BOOST_TEST((found[0].updated_at == t0 + 1h));
  BOOST_TEST((found[0].expires_at == t0 + 48h));
  BOOST_TEST(by_identity("8:acs:alice").empty());
}

BOOST_FIXTURE_TEST_CASE(finds_an_identity_across_apps, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("app2", "d2", "8:acs:alice", platform::fcm, "t2")).has_value());
  BOOST_TEST(uut->upsert(make("app1", "d1", "8:acs:alice", platform::apns, "t1")).has_value());
  BOOST_TEST(uut->upsert(make("app1", "d3", "8:acs:carol", platform::wns, "t3")).has_value());
  auto found = by_identity("8:acs:alice");
  BOOST_REQUIRE_EQUAL(found.size(), 2U);
  BOOST_TEST(found[0].app == "app1");
  BOOST_TEST(found[1].app == "app2");
}

BOOST_FIXTURE_TEST_CASE(hides_expired_registrations, conformance_fixture) {
  BOOST_TEST(
      uut->upsert(make("a", "short", "8:acs:x", platform::fcm, "t1", t0, t0 + 1h)).has_value());
  BOOST_TEST(uut->upsert(make("a", "forever", "8:acs:x", platform::fcm, "t2", t0, std::nullopt))
                 .has_value());
  BOOST_TEST(by_identity("8:acs:x", t0 + 1h - 1ms).size() == 2U);
  auto later = by_identity("8:acs:x", t0 + 1h);
  BOOST_REQUIRE_EQUAL(later.size(), 1U);
  BOOST_TEST(later[0].device_id == "forever");
  BOOST_TEST(!later[0].expires_at.has_value());
  BOOST_TEST(device("a", "short", t0 + 2h).empty());
}

BOOST_FIXTURE_TEST_CASE(removes_a_device_on_one_platform_or_all, conformance_fixture) {
  for (auto p : {platform::apns, platform::apns_voip, platform::fcm}) {
    BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", p, "t")).has_value());
  }
  BOOST_TEST(uut->upsert(make("a", "other", "8:acs:x", platform::fcm, "t")).has_value());
  auto one = uut->remove_device("a", "d", platform::apns_voip);
  BOOST_REQUIRE(one.has_value());
  BOOST_TEST(one.value() == 1U);
  BOOST_TEST(device("a", "d").size() == 2U);
  auto rest = uut->remove_device("a", "d", std::nullopt);
  BOOST_REQUIRE(rest.has_value());
  BOOST_TEST(rest.value() == 2U);
  BOOST_TEST(device("a", "d").empty());
  BOOST_TEST(device("a", "other").size() == 1U);
  BOOST_TEST(uut->remove_device("a", "d", std::nullopt).value() == 0U);
}

BOOST_FIXTURE_TEST_CASE(removes_an_identity_within_one_app_only, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t1")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:x", platform::apns, "t2")).has_value());
  BOOST_TEST(uut->upsert(make("b", "d3", "8:acs:x", platform::fcm, "t3")).has_value());
  auto removed = uut->remove_identity("a", "8:acs:x");
  BOOST_REQUIRE(removed.has_value());
  BOOST_TEST(removed.value() == 2U);
  auto left = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(left.size(), 1U);
  BOOST_TEST(left[0].app == "b");
}

BOOST_FIXTURE_TEST_CASE(prunes_a_dead_token_unless_renewed_after_it_died, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::apns, "dead", t0)).has_value());
  BOOST_TEST(
      uut->upsert(make("a", "d2", "8:acs:y", platform::apns, "back", t0 + 10min)).has_value());
  // APNs says "back" died at t0 + 5 min, but it was registered again at t0 + 10 min.
  auto kept = uut->prune_token("a", platform::apns, "back", t0 + 5min);
  BOOST_REQUIRE(kept.has_value());
  BOOST_TEST(!kept.value());
  BOOST_TEST(device("a", "d2").size() == 1U);

  auto pruned = uut->prune_token("a", platform::apns, "dead", t0 + 5min);
  BOOST_REQUIRE(pruned.has_value());
  BOOST_TEST(pruned.value());
  BOOST_TEST(device("a", "d1").empty());

  // Without a timestamp (FCM UNREGISTERED, WNS 410) the token goes regardless.
  BOOST_TEST(uut->prune_token("a", platform::apns, "back", std::nullopt).value());
  BOOST_TEST(device("a", "d2").empty());
}

BOOST_FIXTURE_TEST_CASE(prunes_only_the_given_app_and_platform, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "same")).has_value());
  BOOST_TEST(uut->upsert(make("b", "d1", "8:acs:x", platform::fcm, "same")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::wns, "same")).has_value());
  BOOST_TEST(uut->prune_token("a", platform::fcm, "same", std::nullopt).value());
  BOOST_TEST(by_identity("8:acs:x").size() == 2U);
}

BOOST_FIXTURE_TEST_CASE(purges_only_expired_registrations, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:x", platform::fcm, "t", t0, t0 + 1h)).has_value());
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:x", platform::fcm, "t", t0, t0 + 3h)).has_value());
  BOOST_TEST(
      uut->upsert(make("a", "d3", "8:acs:x", platform::fcm, "t", t0, std::nullopt)).has_value());
  auto purged = uut->purge_expired(t0 + 2h);
  BOOST_REQUIRE(purged.has_value());
  BOOST_TEST(purged.value() == 1U);
  BOOST_TEST(by_identity("8:acs:x", t0).size() == 2U);
  BOOST_TEST(uut->purge_expired(t0 + 2h).value() == 0U);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_registration_with_an_empty_key, conformance_fixture) {
  auto r = make("a", "", "8:acs:x", platform::fcm, "t");
  auto written = uut->upsert(r);
  BOOST_REQUIRE(!written.has_value());
  BOOST_TEST((written.error().code == errc::constraint), written.error().describe());
}

BOOST_FIXTURE_TEST_CASE(keeps_data_in_a_new_registry_object, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", platform::wns, "t")).has_value());
  uut.reset();
  uut = make_registry();
  auto found = by_identity("8:acs:x");
  BOOST_REQUIRE_EQUAL(found.size(), 1U);
  BOOST_TEST(found[0].token == "t");
}

BOOST_FIXTURE_TEST_CASE(lets_two_objects_share_one_database, conformance_fixture) {
  auto second = make_registry();
  BOOST_TEST(uut->upsert(make("a", "d", "8:acs:x", platform::fcm, "t")).has_value());
  auto seen = second->find_by_identity("8:acs:x", t0);
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST(seen.value().size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_string_with_a_nul_byte_or_keeps_it_whole, conformance_fixture) {
  // SQLite keeps the bytes; PostgreSQL refuses them. Neither may silently cut the string.
  auto r = make("a", "d", "8:acs:x", platform::fcm, std::string("to\0ken", 6));
  auto written = uut->upsert(r);
  if (written.has_value()) {
    auto found = device("a", "d");
    BOOST_REQUIRE_EQUAL(found.size(), 1U);
    BOOST_TEST(found[0].token.size() == 6U);
  } else {
    BOOST_TEST((written.error().code == errc::constraint), written.error().describe());
  }
}

BOOST_FIXTURE_TEST_CASE(orders_an_identity_byte_wise_by_app_device_platform, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("b", "d", "8:acs:o", platform::fcm, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "e", "8:acs:o", platform::fcm, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "D", "8:acs:o", platform::wns, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "D", "8:acs:o", platform::apns_voip, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "D", "8:acs:o", platform::apns, "t")).has_value());
  auto found = by_identity("8:acs:o");
  std::vector<std::string> order;
  for (const auto& r : found) {
    order.push_back(r.app + "/" + r.device_id + "/" + std::string(to_string(r.channel)));
  }
  // Upper case sorts before lower case and "apns" before "apns-voip", as bytes do.
  std::vector<std::string> expected = {"a/D/apns", "a/D/apns-voip", "a/D/wns", "a/e/fcm",
                                       "b/d/fcm"};
  BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(lists_an_app_page_by_page_after_a_key, conformance_fixture) {
  BOOST_TEST(uut->upsert(make("a", "d2", "8:acs:o", platform::fcm, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:o", platform::apns_voip, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d1", "8:acs:p", platform::apns, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "D0", "8:acs:o", platform::wns, "t")).has_value());
  BOOST_TEST(uut->upsert(make("a", "d3", "8:acs:o", platform::fcm, "t", t0, t0)).has_value());
  BOOST_TEST(uut->upsert(make("b", "d1", "8:acs:o", platform::fcm, "t")).has_value());
  std::vector<std::string> seen;
  std::string after_device;
  std::string after_platform;
  int pages = 0;
  for (; pages < 10; ++pages) {
    auto page = uut->list_app("a", t0, after_device, after_platform, 2);
    BOOST_REQUIRE_MESSAGE(page.has_value(), (page ? std::string() : page.error().describe()));
    if (page.value().empty()) {
      break;
    }
    BOOST_TEST(page.value().size() <= 2U);
    for (const auto& r : page.value()) {
      BOOST_TEST(r.app == "a");
      seen.push_back(r.device_id + "/" + std::string(to_string(r.channel)));
    }
    after_device = page.value().back().device_id;
    after_platform = std::string(to_string(page.value().back().channel));
  }
  // Byte order, every unexpired row once ("d3" expired at t0), other apps left out.
  std::vector<std::string> expected = {"D0/wns", "d1/apns", "d1/apns-voip", "d2/fcm"};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
  BOOST_TEST(pages == 2);
}
