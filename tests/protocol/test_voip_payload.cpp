#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/voip_payload.hpp"

using namespace herald::protocol;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(HERALD_SAMPLES_DIR) + "/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing sample " << name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Every incomingCallContext string in a sample file (Event Grid array or single CloudEvent).
std::vector<std::string> contexts_in(const std::string& json) {
  std::vector<std::string> out;
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  BOOST_REQUIRE(!doc.HasParseError());
  auto visit = [&](const rapidjson::Value& ev) {
    out.emplace_back(ev["data"]["incomingCallContext"].GetString());
  };
  if (doc.IsArray()) {
    for (const auto& ev : doc.GetArray()) {
      visit(ev);
    }
  } else {
    visit(doc);
  }
  return out;
}

const std::string crafted_cc = base64_encode("opaque call context bytes");

std::string crafted_context(const std::string& payload_json) {
  return base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload_json) +
         ".sig";
}

intent ring_intent() {
  intent in;
  in.kind = intent_kind::ring;
  in.recipient = "8:acs:callee";
  in.event_id = "ev-1";
  in.event_type = "Microsoft.Communication.IncomingCall";
  in.call.call_id = "6ba4ab8f-6f5c-4e6b-8c1f-1d1c2a2b7e10";
  in.call.caller_raw_id = "8:acs:caller";
  in.call.caller_display_name = "Grace \"G\" Hopper";
  in.call.incoming_call_context =
      crafted_context(R"({"cc":")" + crafted_cc + R"(","shrToken":"x"})");
  return in;
}

} // namespace

BOOST_AUTO_TEST_SUITE(voip_payload)

BOOST_AUTO_TEST_CASE(extracts_cc_from_crafted_context) {
  const auto uut = extract_call_context_cp(ring_intent().call.incoming_call_context);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value() == crafted_cc);
}

BOOST_AUTO_TEST_CASE(sample_contexts_are_errors_not_crashes) {
  for (const char* file : {"eventgrid-IncomingCall-1.json", "cloudevents-IncomingCall-1.json",
                           "cloudevents-IncomingCall-2.json"}) {
    for (const auto& ctx : contexts_in(sample(file))) {
      const auto uut = extract_call_context_cp(ctx);
      BOOST_REQUIRE_MESSAGE(!uut.has_value(), file);
      BOOST_TEST(uut.error().field == "data.incomingCallContext");
      BOOST_TEST((uut.error().code == errc::invalid_field));
    }
  }
}

BOOST_AUTO_TEST_CASE(rejects_each_kind_of_malformed_context) {
  BOOST_TEST((extract_call_context_cp("").error().code == errc::missing_field));
  BOOST_TEST(!extract_call_context_cp("no-dots").has_value());
  BOOST_TEST(!extract_call_context_cp("a.!!!.c").has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context("not json")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context("[1]")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":5})")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":""})")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":"not base64!"})")).has_value());
}

BOOST_AUTO_TEST_CASE(ring_payload_has_the_sdk_keys_and_types) {
  const auto fields = make_call_push_fields(ring_intent());
  BOOST_REQUIRE(fields.has_value());
  const auto uut = make_voip_payload(fields.value());
  rapidjson::Document doc;
  doc.Parse(uut.c_str());
  BOOST_REQUIRE(!doc.HasParseError());
  BOOST_TEST(doc["aps"].IsObject());
  BOOST_TEST(doc["aps"].MemberCount() == 0u);
  const auto& data = doc["data"];
  BOOST_TEST(data["eventId"].IsInt());
  BOOST_TEST(data["eventId"].GetInt() == 107);
  BOOST_TEST(data["cp"].GetString() == crafted_cc);
  BOOST_TEST(data["callId"].GetString() == ring_intent().call.call_id);
  BOOST_TEST(data["recipientId"].GetString() == std::string("8:acs:callee"));
  BOOST_TEST(data["callerId"].GetString() == std::string("8:acs:caller"));
  BOOST_TEST(data["displayName"].GetString() == std::string("Grace \"G\" Hopper"));
  BOOST_TEST(data["videoCall"].GetString() == std::string("false"));
}

BOOST_AUTO_TEST_CASE(ring_without_valid_context_is_an_error) {
  auto in = ring_intent();
  in.call.incoming_call_context = "{incoming-call-contextValue}";
  const auto uut = make_call_push_fields(in);
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "data.incomingCallContext");
}

BOOST_AUTO_TEST_CASE(cancel_ring_is_stop_ringing_and_needs_no_context) {
  auto in = ring_intent();
  in.kind = intent_kind::cancel_ring;
  in.call.incoming_call_context.clear();
  const auto uut = make_call_push_fields(in);
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().event_id == 110);
  BOOST_TEST(make_voip_payload(uut.value()).find("\"cp\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(fcm_data_has_the_same_fields_as_strings) {
  auto in = ring_intent();
  in.call.video = true;
  const auto uut = make_call_data(make_call_push_fields(in).value());
  BOOST_TEST(uut.at("eventId") == "107");
  BOOST_TEST(uut.at("cp") == crafted_cc);
  BOOST_TEST(uut.at("videoCall") == "true");
  BOOST_TEST(uut.at("callerId") == "8:acs:caller");
  BOOST_TEST(uut.size() == 7u);
}

BOOST_AUTO_TEST_CASE(chat_intent_and_missing_call_id_are_refused) {
  auto in = ring_intent();
  in.call.call_id.clear();
  BOOST_TEST(make_call_push_fields(in).error().field == "data.correlationId");
  in.kind = intent_kind::chat_alert;
  BOOST_TEST((make_call_push_fields(in).error().code == errc::unsupported));
}

BOOST_AUTO_TEST_SUITE_END()
