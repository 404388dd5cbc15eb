#include "protocol/explain.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

using namespace herald::protocol;

namespace {

const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string sample(const std::string& name) {
  return read_file(std::filesystem::path{HERALD_SAMPLES_DIR} / name);
}

/// Explains `body` (kind detected) and parses the printed JSON.
rapidjson::Document explained(const std::string& body) {
  auto text = explain(body, detect_content_kind(body), now);
  BOOST_TEST_REQUIRE(text.has_value(), (text ? "" : text.error().describe()));
  rapidjson::Document doc;
  doc.Parse(text.value().data(), text.value().size());
  BOOST_TEST_REQUIRE(!doc.HasParseError());
  return doc;
}

/// The request of `platform` in the first intent of the first event.
const rapidjson::Value& request_for(const rapidjson::Value& doc, std::string_view platform) {
  const auto& requests = doc["events"][0]["intents"][0]["requests"];
  for (const auto& r : requests.GetArray()) {
    if (r["platform"].GetString() == platform) {
      return r;
    }
  }
  BOOST_FAIL("no request for " << platform);
  return requests;
}

/// The IncomingCall sample with a well-formed incomingCallContext (the sample's is corrupt).
std::string ring_with_valid_context() {
  rapidjson::Document doc;
  const std::string text = sample("eventgrid-IncomingCall-1.json");
  doc.Parse(text.data(), text.size());
  // header {"alg":"none"}, payload {"cc":"Y2FsbA"} ("call" in base64url).
  doc[0]["data"]["incomingCallContext"].SetString("eyJhbGciOiJub25lIn0.eyJjYyI6IlkyRnNiQSJ9.c2ln");
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  doc.Accept(w);
  return out.GetString();
}

} // namespace

BOOST_AUTO_TEST_SUITE(explain_suite)

BOOST_AUTO_TEST_CASE(explains_every_event_sample_without_error) {
  int explained_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator{HERALD_SAMPLES_DIR}) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("eventgrid-", 0) != 0 && name.rfind("cloudevents-", 0) != 0 &&
        name.rfind("validation-eventgrid-", 0) != 0) {
      continue;
    }
    BOOST_TEST_CONTEXT(name) {
      const std::string body = read_file(entry.path());
      const auto uut = explain(body, detect_content_kind(body), now);
      BOOST_TEST(uut.has_value(), (uut ? "" : uut.error().describe()));
      ++explained_files;
    }
  }
  BOOST_TEST(explained_files >= 30);
}

BOOST_AUTO_TEST_CASE(detects_the_schema_from_the_content) {
  BOOST_TEST(to_string(detect_content_kind(sample("cloudevents-IncomingCall-1.json"))) ==
             to_string(content_kind::cloud_event));
  BOOST_TEST(to_string(detect_content_kind(sample("eventgrid-IncomingCall-1.json"))) ==
             to_string(content_kind::event_grid));
  BOOST_TEST(to_string(detect_content_kind("[" + sample("cloudevents-IncomingCall-1.json") +
                                           "]")) == to_string(content_kind::cloud_event_batch));
  BOOST_TEST(to_string(detect_content_kind("not json")) == to_string(content_kind::event_grid));
}

BOOST_AUTO_TEST_CASE(shows_the_apns_voip_error_for_the_corrupt_call_context) {
  const auto uut = explained(sample("eventgrid-IncomingCall-1.json"));
  const auto& in = uut["events"][0]["intents"][0];
  BOOST_TEST(std::string{in["kind"].GetString()} == "ring");
  BOOST_TEST(std::string{in["lane"].GetString()} == "call");
  const auto& voip = request_for(uut, "apns-voip");
  BOOST_TEST_REQUIRE(voip.HasMember("error"));
  BOOST_TEST(std::string{voip["error"].GetString()}.find("incomingCallContext") !=
             std::string::npos);
  BOOST_TEST(!voip.HasMember("headers"));
  BOOST_TEST(in["requests"].Size() == 4u);
}

BOOST_AUTO_TEST_CASE(prints_the_exact_apns_voip_request_of_a_ring) {
  const auto uut = explained(ring_with_valid_context());
  const auto& voip = request_for(uut, "apns-voip");
  BOOST_TEST_REQUIRE(!voip.HasMember("error"));
  BOOST_TEST(std::string{voip["method"].GetString()} == "POST");
  BOOST_TEST(std::string{voip["path"].GetString()} == "/3/device/" + std::string(64, 'b'));
  BOOST_TEST(std::string{voip["headers"]["apns-topic"].GetString()} == "com.example.app.voip");
  BOOST_TEST(std::string{voip["headers"]["apns-expiration"].GetString()} == "1700000030");
  BOOST_TEST(std::string{voip["body"]["data"]["cp"].GetString()} == "Y2FsbA");
  BOOST_TEST(voip["body"]["data"]["eventId"].GetInt() == 107);
}

BOOST_AUTO_TEST_CASE(fcm_ring_data_values_are_all_strings) {
  const auto uut = explained(ring_with_valid_context());
  const auto& fcm = request_for(uut, "fcm");
  BOOST_TEST_REQUIRE(!fcm.HasMember("error"));
  BOOST_TEST(std::string{fcm["path"].GetString()} == "/v1/projects/example-project/messages:send");
  const auto& data = fcm["body"]["message"]["data"];
  BOOST_TEST_REQUIRE(data.IsObject());
  BOOST_TEST(data.MemberCount() >= 6u);
  for (const auto& m : data.GetObject()) {
    BOOST_TEST(m.value.IsString(), m.name.GetString());
  }
  BOOST_TEST(std::string{data["eventId"].GetString()} == "107");
}

BOOST_AUTO_TEST_CASE(wns_request_goes_to_the_channel_host) {
  const auto uut = explained(ring_with_valid_context());
  const auto& wns = request_for(uut, "wns");
  BOOST_TEST_REQUIRE(!wns.HasMember("error"));
  BOOST_TEST(std::string{wns["authority"].GetString()} == "db5.notify.windows.com");
  BOOST_TEST(std::string{wns["headers"]["x-wns-type"].GetString()} == "wns/raw");
}

BOOST_AUTO_TEST_CASE(reports_the_validation_handshake) {
  const auto uut = explained(sample("validation-eventgrid-1.json"));
  BOOST_TEST_REQUIRE(uut.HasMember("validation"));
  BOOST_TEST(uut["validation"]["code"].GetStringLength() > 0u);
  BOOST_TEST(uut["events"].Size() == 0u);
}

BOOST_AUTO_TEST_CASE(rejects_a_body_that_is_not_json) {
  const auto uut = explain("{not json", content_kind::event_grid, now);
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(static_cast<int>(uut.error().code) == static_cast<int>(errc::malformed_json));
}

BOOST_AUTO_TEST_CASE(rejects_a_cloud_event_explained_as_a_batch) {
  const auto uut =
      explain(sample("cloudevents-IncomingCall-1.json"), content_kind::cloud_event_batch, now);
  BOOST_TEST(!uut.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
