// NDJSON bulk transfer of registrations: import lines, export cursors and limits, reports.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <vector>

#include "protocol/device_transfer.hpp"
#include "protocol/registration_json.hpp"

using namespace herald::protocol;
using namespace std::chrono_literals;

namespace {

const auto now = std::chrono::system_clock::time_point{1'800'000'000'000ms};
const std::string identity = "8:acs:11111111-2222-3333-4444-555555555555_00000001-0000-0000-0000";
const std::string apns_token(64, 'a');

std::string line_with(const std::string& extra) {
  return R"({"deviceId":"iphone-1","identity":")" + identity + R"(","platform":"apns","token":")" +
         apns_token + "\"" + extra + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(device_transfer)

BOOST_AUTO_TEST_CASE(an_exported_line_imports_as_the_same_registration) {
  registration reg;
  reg.app = "demo";
  reg.device_id = "pixel.7:a-b_c";
  reg.identity = identity;
  reg.channel = platform::fcm;
  reg.token = "fcm_" + std::string(60, 'x');
  reg.env = environment::sandbox;
  reg.locale = "de-CH";
  reg.tags = {"beta", "vip"};
  reg.updated_at = now - 1h;
  reg.expires_at = now + 48h;
  auto uut = parse_registration_line(registration_to_json(reg), "other", now, 24h);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? std::string{} : uut.error().describe()));
  const auto& got = uut.value();
  BOOST_TEST(got.app == "other"); // The path names the app, not the line.
  BOOST_TEST(got.device_id == reg.device_id);
  BOOST_TEST(got.identity == reg.identity);
  BOOST_TEST((got.channel == reg.channel));
  BOOST_TEST(got.token == reg.token);
  BOOST_TEST((got.env == reg.env));
  BOOST_TEST(got.locale == reg.locale);
  BOOST_TEST((got.tags == reg.tags));
  BOOST_TEST((got.updated_at == now));
  BOOST_TEST((got.expires_at == reg.expires_at));
}

BOOST_AUTO_TEST_CASE(a_line_without_expiry_gets_the_default_ttl_and_expires_at_wins) {
  auto plain = parse_registration_line(line_with(""), "demo", now, 24h);
  BOOST_TEST_REQUIRE(plain.has_value());
  BOOST_TEST((plain.value().expires_at == now + 24h));
  auto both = parse_registration_line(
      line_with(R"(,"expiresAt":"2027-06-01T08:00:00Z","expiresAtMs":1)"), "demo", now, 24h);
  BOOST_TEST_REQUIRE(both.has_value(), (both ? std::string{} : both.error().describe()));
  BOOST_TEST((both.value().expires_at > now));
}

BOOST_AUTO_TEST_CASE(bad_lines_name_their_field) {
  struct bad_case {
    std::string line;
    std::string field;
  };
  const std::vector<bad_case> cases{
      {R"({"identity":")" + identity + R"(","platform":"apns","token":")" + apns_token + "\"}",
       "deviceId"},
      {R"({"deviceId":"has space","identity":"x","platform":"apns","token":"x"})", "deviceId"},
      {R"({"deviceId":7,"identity":"x","platform":"apns","token":"x"})", "deviceId"},
      {line_with(R"(,"expiresAtMs":5)"), "expiresAtMs"},
      {line_with(R"(,"expiresAtMs":"soon")"), "expiresAtMs"},
      {R"({"deviceId":"d","identity":")" + identity + R"(","platform":"apns","token":"zz"})",
       "token"},
      {R"({"deviceId":"d","platform":"apns","token":"zz"})", "identity"},
      {"not json", ""},
      {"[1,2]", ""},
  };
  for (const auto& c : cases) {
    auto uut = parse_registration_line(c.line, "demo", now, 24h);
    BOOST_TEST_REQUIRE(!uut.has_value(), c.line);
    BOOST_TEST(uut.error().field == c.field, c.line);
  }
}

BOOST_AUTO_TEST_CASE(registrable_identities_are_acs_and_teams_users_only) {
  BOOST_TEST(registrable_identity(identity).has_value());
  BOOST_TEST(!registrable_identity("4:+15555550100").has_value());
  BOOST_TEST(!registrable_identity("").has_value());
  BOOST_TEST(!registrable_identity("8:acs:" + std::string(300, 'x')).has_value());
}

BOOST_AUTO_TEST_CASE(a_cursor_round_trips_and_a_forged_one_is_refused) {
  registration last;
  last.device_id = "iphone-1";
  last.channel = platform::apns_voip;
  auto uut = parse_export_cursor(encode_export_cursor(last));
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().device_id == "iphone-1");
  BOOST_TEST((uut.value().channel == platform::apns_voip));
  for (const std::string bad : {"", "!!!", "aXBob25lLTE", "aXBob25lLTEKbm9raWE"}) {
    auto refused = parse_export_cursor(bad);
    BOOST_TEST_REQUIRE(!refused.has_value(), bad);
    BOOST_TEST(refused.error().field == "cursor");
  }
}

BOOST_AUTO_TEST_CASE(the_page_limit_defaults_and_is_bounded) {
  BOOST_TEST(parse_export_limit(std::nullopt).value() == export_default_limit);
  BOOST_TEST(parse_export_limit("1").value() == 1u);
  BOOST_TEST(parse_export_limit("10000").value() == 10000u);
  for (const std::string bad : {"0", "10001", "-1", "ten", "5x", ""}) {
    auto refused = parse_export_limit(bad);
    BOOST_TEST_REQUIRE(!refused.has_value(), bad);
    BOOST_TEST(refused.error().field == "limit");
  }
}

BOOST_AUTO_TEST_CASE(ndjson_lines_are_numbered_and_blank_ones_skipped) {
  std::vector<std::pair<std::size_t, std::string>> seen;
  for_each_ndjson_line("a\r\n\n  \nb\nc", [&](std::size_t n, std::string_view line) {
    seen.emplace_back(n, std::string(line));
  });
  const std::vector<std::pair<std::size_t, std::string>> expected{{1, "a"}, {4, "b"}, {5, "c"}};
  BOOST_TEST((seen == expected));
}

BOOST_AUTO_TEST_CASE(a_report_counts_every_failure_but_lists_at_most_a_hundred) {
  import_report uut;
  uut.lines = 150;
  uut.imported = 20;
  for (std::size_t i = 1; i <= 130; ++i) {
    uut.fail(i, "token", "bad");
  }
  rapidjson::Document doc;
  doc.Parse(uut.to_json().c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError());
  BOOST_TEST(doc["lines"].GetInt() == 150);
  BOOST_TEST(doc["imported"].GetInt() == 20);
  BOOST_TEST(doc["failed"].GetInt() == 130);
  BOOST_TEST(doc["errors"].Size() == 100u);
  BOOST_TEST(doc["errors"][99]["line"].GetInt() == 100);
  BOOST_TEST(std::string(doc["errors"][0]["field"].GetString()) == "token");
  BOOST_TEST(doc["errorsTruncated"].GetBool());
}

BOOST_AUTO_TEST_SUITE_END()
