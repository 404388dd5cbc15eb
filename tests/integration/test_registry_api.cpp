// The device registry REST API against a real `herald serve`: every route and every error
// status, over HTTP/1.1 on loopback.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <fstream>
#include <set>
#include <thread>

#include "protocol/api_key.hpp"
#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

const std::string other_identity =
    "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000099-0000-0000-0000-000000000002";
const std::string fcm_token = "fcm-token_" + std::string(40, 'f');

/// The `field` member of a problem+json body, or empty.
std::string field_of(const http_reply& r) {
  auto doc = json_of(r.body);
  auto it = doc.FindMember("field");
  return it == doc.MemberEnd() ? std::string{} : std::string{it->value.GetString()};
}

/// `platform:token` of every registration in a list answer.
std::set<std::string> channels_of(const http_reply& r) {
  auto doc = json_of(r.body);
  std::set<std::string> out;
  for (const auto& reg : doc["registrations"].GetArray()) {
    out.insert(std::string(reg["deviceId"].GetString()) + "/" + reg["platform"].GetString());
  }
  return out;
}

/// Percent-encodes `:` and `+`, as a client encoding a rawId into a path segment would.
std::string encode(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    if (c == ':') {
      out += "%3A";
    } else if (c == '+') {
      out += "%2B";
    } else {
      out += c;
    }
  }
  return out;
}

struct registry_fixture : herald_fixture {
  http_reply call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return http_request(method, "127.0.0.1", http_port, target,
                        {{"content-type", "application/json"}}, body);
  }
  void put(const std::string& device, const std::string& identity, const std::string& platform,
           const std::string& token) {
    auto r = register_device(device, registration_body(identity, platform, token));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_api, registry_fixture)

BOOST_AUTO_TEST_CASE(devices_are_registered_read_and_removed_per_device_and_identity) {
  put("iphone-1", test_identity, "apns", test_token);
  put("iphone-1", test_identity, "apns-voip", std::string(64, 'b'));
  put("pixel-1", test_identity, "fcm", fcm_token);
  put("pixel-2", other_identity, "fcm", fcm_token + "2");

  auto dev = call("GET", "/v1/apps/demo/devices/iphone-1");
  BOOST_TEST_REQUIRE(dev.status == 200, dev.body);
  BOOST_TEST((channels_of(dev) == std::set<std::string>{"iphone-1/apns", "iphone-1/apns-voip"}));
  auto doc = json_of(dev.body);
  BOOST_TEST(std::string(doc["deviceId"].GetString()) == "iphone-1");
  BOOST_TEST(std::string(doc["registrations"][0]["identity"].GetString()) == test_identity);

  auto mine = call("GET", "/v1/apps/demo/identities/" + encode(test_identity) + "/devices");
  BOOST_TEST_REQUIRE(mine.status == 200, mine.body);
  BOOST_TEST((channels_of(mine) ==
              std::set<std::string>{"iphone-1/apns", "iphone-1/apns-voip", "pixel-1/fcm"}));
  BOOST_TEST(std::string(json_of(mine.body)["identity"].GetString()) == test_identity);
  // Unencoded colons are as good.
  BOOST_TEST((channels_of(call("GET", "/v1/apps/demo/identities/" + other_identity + "/devices")) ==
              std::set<std::string>{"pixel-2/fcm"}));

  auto one = call("DELETE", "/v1/apps/demo/devices/iphone-1?platform=apns-voip");
  BOOST_TEST_REQUIRE(one.status == 200, one.body);
  BOOST_TEST(json_of(one.body)["removed"].GetInt() == 1);
  BOOST_TEST((channels_of(call("GET", "/v1/apps/demo/devices/iphone-1")) ==
              std::set<std::string>{"iphone-1/apns"}));
  auto again = call("DELETE", "/v1/apps/demo/devices/iphone-1?platform=apns-voip");
  BOOST_TEST(again.status == 404, again.body);
  BOOST_TEST(field_of(again) == "deviceId");

  auto whole = call("DELETE", "/v1/apps/demo/devices/iphone-1");
  BOOST_TEST_REQUIRE(whole.status == 200, whole.body);
  BOOST_TEST(json_of(whole.body)["removed"].GetInt() == 1);
  BOOST_TEST(call("GET", "/v1/apps/demo/devices/iphone-1").status == 404);

  auto all = call("DELETE", "/v1/apps/demo/identities/" + encode(test_identity) + "/devices");
  BOOST_TEST_REQUIRE(all.status == 200, all.body);
  BOOST_TEST(json_of(all.body)["removed"].GetInt() == 1);
  BOOST_TEST(
      channels_of(call("GET", "/v1/apps/demo/identities/" + test_identity + "/devices")).empty());
  BOOST_TEST(call("GET", "/v1/apps/demo/devices/pixel-2").status == 200);
  BOOST_TEST(
      json_of(
          call("DELETE", "/v1/apps/demo/identities/" + test_identity + "/devices").body)["removed"]
          .GetInt() == 0);
}

BOOST_AUTO_TEST_CASE(a_removed_device_is_not_rung) {
  put("iphone-1", test_identity, "apns-voip", test_token);
  BOOST_TEST_REQUIRE(call("DELETE", "/v1/apps/demo/devices/iphone-1").status == 200);
  auto posted = post_events(incoming_call_for(test_identity, false));
  BOOST_TEST_REQUIRE(posted.status == 200, posted.body);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(accepted_at_mock(test_token) == 0);
  BOOST_TEST(metric("herald_unrouted_intents_total") >= 1.0);
}

BOOST_AUTO_TEST_CASE(bad_requests_get_problem_json_naming_the_field) {
  auto unknown_app = call("GET", "/v1/apps/nope/devices/d1");
  BOOST_TEST(unknown_app.status == 404);
  BOOST_TEST(unknown_app.header("content-type") == "application/problem+json");
  BOOST_TEST(field_of(unknown_app) == "app");
  BOOST_TEST(field_of(call("DELETE", "/v1/apps/nope/identities/" + test_identity + "/devices")) ==
             "app");

  auto unknown_device = call("GET", "/v1/apps/demo/devices/never-seen");
  BOOST_TEST(unknown_device.status == 404);
  BOOST_TEST(field_of(unknown_device) == "deviceId");
  BOOST_TEST(call("DELETE", "/v1/apps/demo/devices/never-seen").status == 404);

  auto bad_device = call("GET", "/v1/apps/demo/devices/bad%20id");
  BOOST_TEST(bad_device.status == 400);
  BOOST_TEST(field_of(bad_device) == "deviceId");
  BOOST_TEST(field_of(call("DELETE", "/v1/apps/demo/devices/bad%20id")) == "deviceId");

  auto bad_platform = call("DELETE", "/v1/apps/demo/devices/d1?platform=nokia");
  BOOST_TEST(bad_platform.status == 400);
  BOOST_TEST(field_of(bad_platform) == "platform");

  for (const std::string id : {"nobody", "4:+15555550100", "28:orgid:bot"}) {
    auto bad_identity = call("GET", "/v1/apps/demo/identities/" + encode(id) + "/devices");
    BOOST_TEST(bad_identity.status == 400, id);
    BOOST_TEST(field_of(bad_identity) == "identity");
    auto bad_put = register_device("d1", registration_body(id, "apns", test_token));
    BOOST_TEST(bad_put.status == 400, id);
    BOOST_TEST(field_of(bad_put) == "identity");
  }
  auto fcm_as_apns = register_device("d1", registration_body(test_identity, "fcm", "short"));
  BOOST_TEST(fcm_as_apns.status == 400);
  BOOST_TEST(field_of(fcm_as_apns) == "token");
  auto wns_http =
      register_device("d1", registration_body(test_identity, "wns", "http://wns.example/x"));
  BOOST_TEST(field_of(wns_http) == "token");

  auto too_big = register_device("d1", std::string(100 * 1024, ' ') + "{}");
  BOOST_TEST(too_big.status == 413);

  auto wrong_method = call("POST", "/v1/apps/demo/devices/d1", "{}");
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(wrong_method.header("allow") == "PUT, GET, DELETE");
  BOOST_TEST(call("GET", "/v1/apps/demo").status == 404);
  BOOST_TEST(call("GET", "/v1/apps/demo/devices/d1/extra").status == 404);
  BOOST_TEST(herald->running());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Keys of the keyed fixture (their SHA-256 digests go into the config).
const std::string register_key = "reg-key-1f6c2b";
const std::string send_key = "send-key-9a0d77";
const std::string reader_key = "reader-key-3c4e11";
const std::string other_app_key = "other-key-55e1a0";

std::string api_key_toml(const std::string& id, const std::string& key, const std::string& scopes,
                         const std::string& extra = {}) {
  return "[[apps.api_keys]]\nid = \"" + id + "\"\nsha256 = \"" +
         herald::protocol::to_hex(herald::protocol::sha256(key)) + "\"\nscopes = " + scopes + "\n" +
         extra;
}

/// The fixture's node restarted with API keys: `demo` gets a rate-limited registrar, a
/// reader and a send-only key, a second app `other` an admin key.
struct keyed_fixture : registry_fixture {
  keyed_fixture() {
    std::ofstream cfg(dir / "herald.toml", std::ios::app);
    cfg << api_key_toml("registrar", register_key, R"(["register"])", "rate_per_second = 0.5\n")
        << api_key_toml("reader", reader_key, R"(["register"])")
        << api_key_toml("sender", send_key, R"(["send"])")
        << "[[apps]]\nname = \"other\"\n[apps.wns]\nclient_id = \"x\"\nclient_secret = \"y\"\n"
        << api_key_toml("admin", other_app_key, R"(["admin"])");
    cfg.close();
    start_herald();
  }
  http_reply put_with(const std::vector<std::pair<std::string, std::string>>& auth,
                      const std::string& device = "d1") {
    auto headers = auth;
    headers.emplace_back("content-type", "application/json");
    return http_request("PUT", "127.0.0.1", http_port, "/v1/apps/demo/devices/" + device, headers,
                        registration_body(test_identity, "apns", test_token));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_api_keys, keyed_fixture)

BOOST_AUTO_TEST_CASE(keys_are_required_scoped_per_app_and_rate_limited) {
  auto none = register_device("d1", registration_body(test_identity, "apns", test_token));
  BOOST_TEST(none.status == 401, none.body);
  BOOST_TEST(none.header("www-authenticate") == "ApiKey");
  BOOST_TEST((put_with({{"x-api-key", "not-a-key"}}).status == 401));
  auto wrong_scope = put_with({{"x-api-key", send_key}});
  BOOST_TEST(wrong_scope.status == 403, wrong_scope.body);
  auto other_app = put_with({{"authorization", "ApiKey " + other_app_key}});
  BOOST_TEST(other_app.status == 403, other_app.body);

  // The registrar may do one request every two seconds (a burst of one).
  BOOST_TEST((put_with({{"x-api-key", register_key}}, "d1").status == 200));
  auto over = put_with({{"x-api-key", register_key}}, "d2");
  BOOST_TEST_REQUIRE(over.status == 429, over.body);
  BOOST_TEST(std::stoi(over.header("retry-after")) >= 1);
  std::this_thread::sleep_for(2100ms);
  BOOST_TEST((put_with({{"x-api-key", register_key}}, "d2").status == 200));
  // Another key of the app has its own (unlimited) budget; Authorization works too.
  BOOST_TEST((put_with({{"authorization", "ApiKey " + reader_key}}, "d3").status == 200));
  auto read = http_request("GET", "127.0.0.1", http_port, "/v1/apps/demo/devices/d2",
                           {{"x-api-key", reader_key}});
  BOOST_TEST(read.status == 200, read.body);

  // The other app's admin key works there (its app has no such device).
  auto there = http_request("GET", "127.0.0.1", http_port, "/v1/apps/other/devices/d1",
                            {{"x-api-key", other_app_key}});
  BOOST_TEST(there.status == 404, there.body);
  BOOST_TEST(field_of(there) == "deviceId");

  BOOST_TEST((metric(R"(herald_api_requests_total{route="put_device",status="401"})") == 2.0));
  BOOST_TEST((metric(R"(herald_api_requests_total{route="put_device",status="200"})") == 3.0));
  BOOST_TEST((metric(R"(herald_api_requests_total{route="put_device",status="429"})") == 1.0));
  BOOST_TEST(metric(R"(herald_registrations_total{platform="apns"})") == 3.0);
  BOOST_TEST(metric(R"(herald_api_request_duration_seconds_count{route="get_device"})") == 2.0);
}

BOOST_AUTO_TEST_SUITE_END()
