// A call that ends stops the ringing: the CallEnded event names no recipient, so the router
// finds the devices it rang for that call in its ring memory.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// The sample IncomingCall's call id (`correlationId`).
const std::string rung_call_id = "d732db64-4803-462d-be9c-518943ea2b7a";

/// The eventgrid-CallEnded-1.json sample for the call `call_id`.
std::string call_ended(const std::string& call_id) {
  rapidjson::Document doc;
  doc.Parse(read_sample("eventgrid-CallEnded-1.json").c_str());
  BOOST_TEST_REQUIRE(doc.IsArray());
  doc[0]["data"]["correlationId"].SetString(call_id.c_str(), doc.GetAllocator());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(call_end, herald_fixture)

BOOST_AUTO_TEST_CASE(a_call_end_reaches_the_device_the_call_rang) {
  auto reg = register_device("iphone-1", registration_body(test_identity, "apns-voip", test_token));
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  auto rang = post_events(incoming_call_for(test_identity, false));
  BOOST_TEST_REQUIRE(rang.status == 200, rang.body);
  BOOST_TEST_REQUIRE(wait_accepted(test_token, 1, 15s), herald->stderr_text());

  auto ended = post_events(call_ended(rung_call_id));
  BOOST_TEST_REQUIRE(ended.status == 200, ended.body);
  BOOST_TEST_REQUIRE(wait_accepted(test_token, 2, 15s), herald->stderr_text());

  auto doc = json_of(http_get("127.0.0.1", mock_admin_port, "/notifications?token=" + test_token));
  BOOST_TEST_REQUIRE(doc.IsArray());
  BOOST_TEST_REQUIRE(doc.Size() == 2u);
  std::vector<std::string> calls;
  for (const auto& push : doc.GetArray()) {
    auto body = json_of(push["body"].GetString());
    calls.emplace_back(body["data"]["callId"].GetString());
  }
  BOOST_TEST((calls == std::vector<std::string>{rung_call_id, rung_call_id}));
  BOOST_TEST(metric(R"(herald_notifications_total{outcome="accepted",provider="apns"})") == 2.0);
}

BOOST_AUTO_TEST_SUITE_END()
