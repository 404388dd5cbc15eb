#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
  in.call.incoming_call_context = {};
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
  in.call.call_id = {};
  BOOST_TEST(make_call_push_fields(in).error().field == "data.correlationId");
  in.kind = intent_kind::chat_alert;
  BOOST_TEST((make_call_push_fields(in).error().code == errc::unsupported));
}

BOOST_AUTO_TEST_CASE(cc_is_the_first_top_level_member_only) {
  const std::string other = base64_encode("other");
  // A nested `cc` is not the claim; the first top-level one wins, as with FindMember.
  const auto nested = extract_call_context_cp(
      crafted_context(R"({"x":{"cc":")" + other + R"("},"cc":")" + crafted_cc + R"("})"));
  BOOST_REQUIRE(nested.has_value());
  BOOST_TEST(nested.value() == crafted_cc);
  const auto twice = extract_call_context_cp(
      crafted_context(R"({"cc":")" + crafted_cc + R"(","cc":")" + other + R"("})"));
  BOOST_REQUIRE(twice.has_value());
  BOOST_TEST(twice.value() == crafted_cc);
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":{"cc":"QUJD"}})")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":5,"cc":"QUJD"})")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"("QUJD")")).has_value());
  BOOST_TEST(!extract_call_context_cp(crafted_context(R"({"cc":"QUJD"} x)")).has_value());
}

BOOST_AUTO_TEST_CASE(exact_cc_only_payload_and_look_alikes_read_as_json) {
  // `{"cc":"<base64>"}` is read without the JSON reader; anything merely shaped like it must
  // give what the reader gives.
  const auto only = extract_call_context_cp(crafted_context(R"({"cc":")" + crafted_cc + R"("})"));
  BOOST_REQUIRE(only.has_value());
  BOOST_TEST(only.value() == crafted_cc);
  // Starts and ends like it, but the middle holds a second member: the first cc wins.
  const auto two = extract_call_context_cp(crafted_context(R"({"cc":"QUJD","x":"y"})"));
  BOOST_REQUIRE(two.has_value());
  BOOST_TEST(two.value() == "QUJD");
  // An escape, a space, a NUL or an unterminated string is not base64: the reader decides.
  for (const std::string& bad :
       {std::string{R"({"cc":"QU\"JD"})"}, std::string{R"({"cc":"QU JD"})"},
        std::string{"{\"cc\":\"QU\0JD\"}", 13}, std::string{R"({"cc":"QUJD\"})"}}) {
    const auto uut = extract_call_context_cp(crafted_context(bad));
    BOOST_REQUIRE_MESSAGE(!uut.has_value(), bad);
    BOOST_TEST(uut.error().field == "data.incomingCallContext");
  }
}

BOOST_AUTO_TEST_CASE(deeply_nested_context_payload_is_an_error_not_a_crash) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const auto uut = extract_call_context_cp(crafted_context(R"({"x":)" + deep + R"(,"cc":"QUJD"})"));
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().field == "data.incomingCallContext");
  // Shallow nesting next to the claim is fine.
  const auto shallow = extract_call_context_cp(
      crafted_context(R"({"x":[[{"y":[1]}]],"cc":")" + crafted_cc + R"("})"));
  BOOST_REQUIRE(shallow.has_value());
  BOOST_TEST(shallow.value() == crafted_cc);
}

BOOST_AUTO_TEST_CASE(payload_escapes_every_byte_as_rapidjson_writer_does) {
  // The payload writer is hand-made for speed; RapidJSON's Writer is the reference.
  auto in = ring_intent();
  std::string name;
  for (int c = 1; c < 256; ++c) {
    name.push_back(static_cast<char>(c));
  }
  name.push_back('\0');
  name += "tail \"quoted\" \\ end";
  in.call.caller_display_name = name.substr(0, 200);
  in.call.call_id = "id\twith\ncontrols\x01\x1f\"";
  in.recipient = "8:acs:callee-\\-\x7f";
  rapidjson::StringBuffer expected_buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(expected_buffer);
  const auto str = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  str("aps");
  w.StartObject();
  w.EndObject();
  str("data");
  w.StartObject();
  str("eventId");
  w.Int64(107);
  str("cp");
  str(crafted_cc);
  str("callId");
  str(in.call.call_id);
  str("recipientId");
  str(in.recipient);
  str("callerId");
  str(in.call.caller_raw_id);
  str("displayName");
  str(in.call.caller_display_name);
  str("videoCall");
  str("false");
  w.EndObject();
  w.EndObject();
  const std::string expected{expected_buffer.GetString(), expected_buffer.GetSize()};

  const auto fields = make_call_push_fields(in);
  BOOST_REQUIRE(fields.has_value());
  BOOST_TEST(make_voip_payload(fields.value()) == expected);
  std::string appended = "prefix";
  BOOST_REQUIRE(append_voip_payload(in, appended).has_value());
  BOOST_TEST(appended == "prefix" + expected);
}

BOOST_AUTO_TEST_CASE(append_matches_make_for_cancel_long_names_and_errors) {
  auto in = ring_intent();
  in.call.caller_display_name = std::string(300, 'n') + "\xC3\xA9";
  in.call.video = true;
  std::string appended;
  BOOST_REQUIRE(append_voip_payload(in, appended).has_value());
  BOOST_TEST(appended == make_voip_payload(make_call_push_fields(in).value()));
  BOOST_TEST(make_call_push_fields(in).value().display_name.size() <= max_call_display_name);

  in.kind = intent_kind::cancel_ring;
  in.call.incoming_call_context = "{incoming-call-contextValue}";
  appended.clear();
  BOOST_REQUIRE(append_voip_payload(in, appended).has_value());
  BOOST_TEST(appended == make_voip_payload(make_call_push_fields(in).value()));
  BOOST_TEST(appended.find("\"cp\"") == std::string::npos);

  in.kind = intent_kind::ring;
  appended = "kept";
  const auto bad = append_voip_payload(in, appended);
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().field == "data.incomingCallContext");
  BOOST_TEST(appended == "kept");
}

BOOST_AUTO_TEST_CASE(cp_extracted_at_build_time_is_used_when_it_is_base64) {
  auto in = ring_intent();
  const std::string other = base64_encode("extracted before");
  in.call.cp = other;
  in.call.incoming_call_context = "{incoming-call-contextValue}"; // not read when cp is set
  const auto fields = make_call_push_fields(in);
  BOOST_REQUIRE(fields.has_value());
  BOOST_TEST(fields.value().cp == other);
  std::string body;
  BOOST_REQUIRE(append_voip_payload(in, body).has_value());
  BOOST_TEST(body == make_voip_payload(fields.value()));
  // A cp that is not base64 (set by hand) is not trusted: the context decides, here an error.
  in.call.cp = R"(x","injected":")";
  BOOST_TEST(!make_call_push_fields(in).has_value());
  BOOST_TEST(!append_voip_payload(in, body).has_value());
  in.call.incoming_call_context = ring_intent().call.incoming_call_context;
  BOOST_TEST(make_call_push_fields(in).value().cp == crafted_cc);
}

BOOST_AUTO_TEST_SUITE_END()
