#include "protocol/event_catalog.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <rapidjson/document.h>

#include "protocol/acs_event.hpp"

using namespace herald::protocol;
using namespace std::chrono;

namespace {

/// The `data` object of the first event of a sample file, parsed as an acs_event.
acs_event sample_data(const std::string& name) {
  std::ifstream in{std::filesystem::path{HERALD_SAMPLES_DIR} / name};
  BOOST_TEST_REQUIRE(in.good(), name);
  std::ostringstream s;
  s << in.rdbuf();
  // The event's text views the document: the event shares (keeps) it.
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(s.str().c_str());
  BOOST_TEST_REQUIRE(!doc->HasParseError());
  const rapidjson::Value& ev = doc->IsArray() ? (*doc)[0] : *doc;
  const auto* type = ev.HasMember("eventType") ? &ev["eventType"] : &ev["type"];
  acs_event out;
  const auto fault =
      read_acs_event(lookup_event_type(type->GetString()).type, ev["data"], out, doc);
  BOOST_TEST_REQUIRE(!fault.has_value(), (fault ? fault->describe() : ""));
  return out;
}

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_catalog_suite)

BOOST_AUTO_TEST_CASE(rows_follow_the_enum_and_round_trip_through_lookup) {
  std::size_t n = 0;
  for (const auto& row : event_catalog()) {
    ++n;
    BOOST_TEST(static_cast<std::size_t>(row.type) == n, row.name);
    BOOST_TEST((lookup_event_type(row.name).type == row.type));
    BOOST_TEST(catalog_entry(row.type).name == row.name);
    // CallEnded is the one pushed type without a recipient in its data (the router resolves it).
    const bool needs_field =
        row.policy != push_policy::none && row.type != acs_event_type::call_ended;
    BOOST_TEST(needs_field == !row.recipient_field.empty(), row.name);
  }
  BOOST_TEST(n == 29u);
}

BOOST_AUTO_TEST_CASE(lookup_ignores_case_and_rejects_others) {
  BOOST_TEST((lookup_event_type("microsoft.communication.incomingcall").type ==
              acs_event_type::incoming_call));
  for (const char* other :
       {"Microsoft.Communication.RouterJobReceived", "Microsoft.Communication.FutureThing",
        "Microsoft.Storage.BlobCreated", "Microsoft.Communication.", "", "IncomingCall"}) {
    BOOST_TEST((lookup_event_type(other).type == acs_event_type::unknown), other);
    BOOST_TEST(lookup_event_type(other).name.empty());
  }
}

BOOST_AUTO_TEST_CASE(sms_keys_in_pascal_and_camel_case_read_the_same) {
  const auto camel = sample_data("eventgrid-SMSReceived-1.json");
  const auto pascal = sample_data("eventgrid-SMSReceived-2.json");
  for (const auto* uut : {&camel, &pascal}) {
    BOOST_TEST(uut->message_id == "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e");
    BOOST_TEST(uut->message_body == "Great to connect with Azure Communication Services events");
    BOOST_TEST_REQUIRE(uut->from.has_value());
    BOOST_TEST(uut->from->to_raw_id() == "4:+15555555555");
    BOOST_TEST((uut->occurred_at == utc(2020, 9, 18, 0, 27, 45) + milliseconds{320}));
  }
}

BOOST_AUTO_TEST_CASE(sms_numbers_with_and_without_plus_are_one_identity) {
  const auto uut = sample_data("eventgrid-SMSDeliveryReportReceived-1.json");
  BOOST_TEST_REQUIRE((uut.from && uut.to));
  BOOST_TEST((*uut.from == *uut.to));
  BOOST_TEST(uut.status == "Delivered");
  const auto ce = sample_data("cloudevents-SMSDeliveryReportReceived-1.json");
  BOOST_TEST(ce.status == "Delivered");
}

BOOST_AUTO_TEST_CASE(versions_as_numbers_or_strings_read_the_same) {
  BOOST_TEST(sample_data("eventgrid-ChatMessageEdited-1.json").version.value_or(0) ==
             1613694500784);
  BOOST_TEST(sample_data("eventgrid-ChatMessageEditedInThread-1.json").version.value_or(0) ==
             1613782750464);
}

BOOST_AUTO_TEST_CASE(timestamps_with_offsets_are_converted_to_utc) {
  const auto uut = sample_data("cloudevents-ChatThreadParticipantAdded-1.json");
  BOOST_TEST((uut.occurred_at == utc(2021, 2, 20, 0, 54, 42) + nanoseconds{862264600}));
  BOOST_TEST((uut.created_at == utc(2021, 2, 20, 0, 31, 54) + milliseconds{365}));
  BOOST_TEST_REQUIRE(uut.participant.has_value());
  BOOST_TEST(uut.display_name == "Bob");
  BOOST_TEST(uut.actor->to_raw_id() ==
             "8:acs:109f0644-b956-4cd9-87b1-71024f6e2f44_00000008-5cbb-38a0-88f7-084822002453");
}

BOOST_AUTO_TEST_CASE(call_participants_nested_or_flat_read_the_same) {
  const auto nested = sample_data("eventgrid-CallParticipantAdded-1.json");
  const auto flat = sample_data("eventgrid-CallParticipantAdded-2.json");
  BOOST_TEST_REQUIRE((nested.participant && flat.participant));
  BOOST_TEST((*nested.participant == *flat.participant));
  BOOST_TEST((*nested.actor == *flat.actor));
  BOOST_TEST(nested.display_name == "Sharif Edge");
}

BOOST_AUTO_TEST_CASE(call_duration_and_recording_duration_are_milliseconds) {
  BOOST_TEST(sample_data("eventgrid-CallEnded-1.json").duration_ms.value_or(0) == 49729);
  BOOST_TEST(sample_data("eventgrid-RecordingFileStatusUpdated-1.json").duration_ms.value_or(0) ==
             6620);
}

BOOST_AUTO_TEST_CASE(email_reports_read_status_and_either_timestamp_spelling) {
  const auto doc = sample_data("eventgrid-EmailDeliveryReportReceived-1.json");
  const auto ce = sample_data("cloudevents-EmailDeliveryReportReceived-1.json");
  BOOST_TEST(doc.status == "Delivered");
  BOOST_TEST(ce.status == "delivered");
  BOOST_TEST(doc.occurred_at.has_value());
  BOOST_TEST(ce.occurred_at.has_value());
}

BOOST_AUTO_TEST_CASE(incoming_call_needs_a_recipient_and_a_call_id) {
  auto no_to =
      parse_acs_event_json("Microsoft.Communication.IncomingCall", R"({"correlationId":"c"})");
  BOOST_TEST_REQUIRE(!no_to.has_value());
  BOOST_TEST(no_to.error().field == "data.to");
  auto no_call =
      parse_acs_event_json("Microsoft.Communication.IncomingCall", R"({"to":{"rawId":"8:acs:x"}})");
  BOOST_TEST_REQUIRE(!no_call.has_value());
  BOOST_TEST(no_call.error().field == "data.correlationId");
  auto bad_call =
      parse_acs_event_json("Microsoft.Communication.CallEnded", R"({"correlationId":{"x":1}})");
  BOOST_TEST_REQUIRE(!bad_call.has_value());
  BOOST_TEST(static_cast<int>(bad_call.error().code) == static_cast<int>(errc::invalid_field));
}

BOOST_AUTO_TEST_CASE(odd_fields_not_needed_by_the_type_are_warnings) {
  auto uut = parse_acs_event_json("Microsoft.Communication.CallEnded",
                                  R"({"correlationId":"c","startedBy":7,"time":"noon",)"
                                  R"("version":"12x"})");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().warnings.size() == 3u);
  BOOST_TEST(!uut.value().actor.has_value());
}

BOOST_AUTO_TEST_CASE(video_follows_the_voip_header_convention) {
  auto video = parse_acs_event_json(
      "Microsoft.Communication.IncomingCall",
      R"({"to":"8:acs:x","correlationId":"c","customContext":{"voipHeaders":{"Video":"true"}}})");
  BOOST_TEST_REQUIRE(video.has_value());
  BOOST_TEST(video.value().video);
  auto audio = parse_acs_event_json(
      "Microsoft.Communication.IncomingCall",
      R"({"to":"8:acs:x","correlationId":"c","customContext":{"voipHeaders":{"video":"no"}}})");
  BOOST_TEST_REQUIRE(audio.has_value());
  BOOST_TEST(!audio.value().video);
}

BOOST_AUTO_TEST_CASE(data_that_is_not_an_object_or_json_is_rejected) {
  BOOST_TEST(!parse_acs_event_json("Microsoft.Communication.CallEnded", "[]").has_value());
  BOOST_TEST(!parse_acs_event_json("Microsoft.Communication.CallEnded", "{").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
