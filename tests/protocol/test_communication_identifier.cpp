#include "protocol/communication_identifier.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace herald::protocol;
using ident = herald::protocol::communication_identifier;

namespace {

struct raw_case {
  std::string raw;
  identifier_kind kind;
  identifier_cloud cloud;
  std::string id;
};

ident parse_json(const std::string& text) {
  auto r = parse_communication_identifier_json(text);
  BOOST_TEST_REQUIRE(r.has_value(), text << " -> " << (r ? "" : r.error().describe()));
  return r.value();
}

} // namespace

BOOST_AUTO_TEST_SUITE(communication_identifier)

BOOST_AUTO_TEST_CASE(classifies_every_prefix_and_round_trips_canonical_raw_ids) {
  const std::vector<raw_case> cases{
      {"8:acs:res_user", identifier_kind::communication_user, identifier_cloud::public_cloud,
       "8:acs:res_user"},
      {"8:spool:res_user", identifier_kind::communication_user, identifier_cloud::public_cloud,
       "8:spool:res_user"},
      {"8:dod-acs:res_user", identifier_kind::communication_user, identifier_cloud::dod,
       "8:dod-acs:res_user"},
      {"8:gcch-acs:res_user", identifier_kind::communication_user, identifier_cloud::gcch,
       "8:gcch-acs:res_user"},
      {"4:+14255550123", identifier_kind::phone_number, identifier_cloud::public_cloud,
       "+14255550123"},
      {"8:orgid:45ab", identifier_kind::microsoft_teams_user, identifier_cloud::public_cloud,
       "45ab"},
      {"8:dod:45ab", identifier_kind::microsoft_teams_user, identifier_cloud::dod, "45ab"},
      {"8:gcch:45ab", identifier_kind::microsoft_teams_user, identifier_cloud::gcch, "45ab"},
      {"8:teamsvisitor:45ab", identifier_kind::microsoft_teams_user, identifier_cloud::public_cloud,
       "45ab"},
      {"28:orgid:app1", identifier_kind::microsoft_teams_app, identifier_cloud::public_cloud,
       "app1"},
      {"28:dod:app1", identifier_kind::microsoft_teams_app, identifier_cloud::dod, "app1"},
      {"28:gcch:app1", identifier_kind::microsoft_teams_app, identifier_cloud::gcch, "app1"},
      {"28:bot1", identifier_kind::microsoft_teams_app, identifier_cloud::public_cloud, "bot1"},
      {"{recipient-id}", identifier_kind::unknown, identifier_cloud::public_cloud,
       "{recipient-id}"},
      {"48:echo123", identifier_kind::unknown, identifier_cloud::public_cloud, "48:echo123"},
      {"", identifier_kind::unknown, identifier_cloud::public_cloud, ""},
  };
  for (const auto& c : cases) {
    const auto uut = ident::from_raw_id(c.raw);
    BOOST_TEST_CONTEXT(c.raw) {
      BOOST_TEST(uut.to_raw_id() == c.raw);
      BOOST_TEST(to_string(uut.kind()) == to_string(c.kind));
      BOOST_TEST(to_string(uut.cloud()) == to_string(c.cloud));
      BOOST_TEST(uut.id() == c.id);
    }
  }
}

BOOST_AUTO_TEST_CASE(teams_visitor_is_anonymous_and_orgid_is_not) {
  BOOST_TEST(ident::from_raw_id("8:teamsvisitor:x").is_anonymous());
  BOOST_TEST(!ident::from_raw_id("8:orgid:x").is_anonymous());
}

BOOST_AUTO_TEST_CASE(phone_numbers_without_plus_or_with_separators_normalise_to_e164) {
  for (std::string raw : {"4:15555555555", "4:+1 555-555.5555", "4:+1 (555) 555 5555"}) {
    const auto uut = ident::from_raw_id(raw);
    BOOST_TEST(uut.to_raw_id() == "4:+15555555555", raw);
    BOOST_TEST(uut.id() == "+15555555555");
  }
}

BOOST_AUTO_TEST_CASE(phone_values_that_are_not_numbers_are_kept_verbatim) {
  const auto uut = ident::from_raw_id("4:anonymous");
  BOOST_TEST(uut.to_raw_id() == "4:anonymous");
  BOOST_TEST(to_string(uut.kind()) == "phoneNumber");
  BOOST_TEST(ident::from_raw_id("4:").to_raw_id() == "4:");
}

BOOST_AUTO_TEST_CASE(only_users_can_receive_app_pushes) {
  BOOST_TEST(ident::from_raw_id("8:acs:a").can_receive_app_push());
  BOOST_TEST(ident::from_raw_id("8:orgid:a").can_receive_app_push());
  BOOST_TEST(!ident::from_raw_id("4:+1555").can_receive_app_push());
  BOOST_TEST(!ident::from_raw_id("28:bot").can_receive_app_push());
  BOOST_TEST(!ident::from_raw_id("{recipient-id}").can_receive_app_push());
}

BOOST_AUTO_TEST_CASE(reads_every_json_shape_seen_in_acs_events) {
  const std::string raw = "8:acs:r_u";
  const std::vector<std::string> shapes{
      R"("8:acs:r_u")",
      R"({"rawId":"8:acs:r_u"})",
      R"({"kind":"communicationUser","rawId":"8:acs:r_u","communicationUser":{"id":"8:acs:r_u"}})",
      R"({"communicationIdentifier":{"rawId":"8:acs:r_u","communicationUser":{"id":"8:acs:r_u"}},"role":"x"})",
      R"({"kind":"unknown","rawId":"8:acs:r_u"})",
      R"({"communicationUser":{"id":"8:acs:r_u"}})",
      R"({"RAWID":"8:acs:r_u"})",
  };
  for (const auto& s : shapes) {
    const auto uut = parse_json(s);
    BOOST_TEST(uut.to_raw_id() == raw, s);
    BOOST_TEST(to_string(uut.kind()) == "communicationUser");
  }
}

BOOST_AUTO_TEST_CASE(the_raw_id_prefix_decides_the_kind_not_the_kind_field) {
  const auto uut = parse_json(R"({"kind":"communicationUser","rawId":"4:+1555"})");
  BOOST_TEST(to_string(uut.kind()) == "phoneNumber");
}

BOOST_AUTO_TEST_CASE(reads_phone_teams_user_and_teams_app_objects) {
  BOOST_TEST(
      parse_json(R"({"kind":"phoneNumber","phoneNumber":{"value":"+14255550123"}})").to_raw_id() ==
      "4:+14255550123");
  BOOST_TEST(parse_json(R"({"microsoftTeamsUser":{"userId":"u1","cloud":"gcch"}})").to_raw_id() ==
             "8:gcch:u1");
  BOOST_TEST(
      parse_json(R"({"microsoftTeamsUser":{"userId":"u1","isAnonymous":true}})").to_raw_id() ==
      "8:teamsvisitor:u1");
  BOOST_TEST(parse_json(R"({"microsoftTeamsApp":{"appId":"a1","cloud":"dod"}})").to_raw_id() ==
             "28:dod:a1");
}

BOOST_AUTO_TEST_CASE(rejects_objects_without_any_id_naming_the_field) {
  auto uut = parse_communication_identifier_json(R"({"kind":"communicationUser"})");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "rawId");
  BOOST_TEST(static_cast<int>(uut.error().code) == static_cast<int>(errc::missing_field));

  auto nested = parse_communication_identifier_json(R"({"communicationIdentifier":{"rawId":5}})");
  BOOST_TEST_REQUIRE(!nested.has_value());
  BOOST_TEST(nested.error().field == "communicationIdentifier.rawId");
}

BOOST_AUTO_TEST_CASE(rejects_numbers_arrays_and_invalid_json) {
  BOOST_TEST(!parse_communication_identifier_json("42").has_value());
  BOOST_TEST(!parse_communication_identifier_json("[\"8:acs:x\"]").has_value());
  BOOST_TEST(!parse_communication_identifier_json("{\"rawId\":").has_value());
  BOOST_TEST(!parse_communication_identifier_json(
                  R"({"communicationIdentifier":{"communicationIdentifier":{"rawId":"8:acs:x"}}})")
                  .has_value());
}

BOOST_AUTO_TEST_SUITE_END()
