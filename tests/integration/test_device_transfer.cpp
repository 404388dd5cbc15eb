// NDJSON bulk export and import of the device registry against real `herald serve` nodes.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <fstream>
#include <set>

#include "protocol/api_key.hpp"
#include "tests/integration/herald_fixture.hpp"
#include "tests/integration/test_helpers.hpp"

using namespace herald::test;

namespace {

const std::string second_identity =
    "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000099-0000-0000-0000-000000000002";
const std::string fcm_token = "fcm-token_" + std::string(40, 'f');
const std::string ndjson = "application/x-ndjson";

http_reply call(const herald_fixture& node, const std::string& method, const std::string& target,
                const std::string& body = {}, const std::string& content_type = ndjson,
                const std::string& key = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"content-type", content_type}};
  if (!key.empty()) {
    headers.emplace_back("x-api-key", key);
  }
  return http_request(method, "127.0.0.1", node.http_port, target, headers, body);
}

/// Every line of an export with `updatedAtMs` (the write time) removed: what must survive a
/// round trip.
std::multiset<std::string> comparable_lines(const std::string& body) {
  std::multiset<std::string> out;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    BOOST_TEST_REQUIRE(end != std::string::npos, "export line without newline");
    auto doc = json_of(body.substr(start, end - start));
    doc.RemoveMember("updatedAtMs");
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc.Accept(w);
    out.insert(buf.GetString());
    start = end + 1;
  }
  return out;
}

/// Follows an export's pages of `limit`; returns every line and counts the pages.
std::string export_all(const herald_fixture& node, int limit, int& pages) {
  std::string all;
  std::string target = "/v1/apps/demo/devices:export?limit=" + std::to_string(limit);
  pages = 0;
  while (!target.empty() && pages < 100) {
    auto page = call(node, "GET", target);
    BOOST_TEST_REQUIRE(page.status == 200, page.body);
    BOOST_TEST(page.header("content-type") == ndjson);
    ++pages;
    all += page.body;
    auto cursor = page.header("next-cursor");
    BOOST_TEST((page.header("link").empty() == cursor.empty()));
    target = cursor.empty() ? std::string{}
                            : "/v1/apps/demo/devices:export?limit=" + std::to_string(limit) +
                                  "&cursor=" + cursor;
  }
  return all;
}

} // namespace

BOOST_AUTO_TEST_SUITE(device_transfer)

BOOST_AUTO_TEST_CASE(an_export_imported_into_a_fresh_node_gives_the_same_registrations) {
  herald_fixture source;
  auto put = [&](const std::string& device, const std::string& body) {
    auto r = source.register_device(device, body);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
  };
  put("iphone-1", registration_body(test_identity, "apns", test_token));
  put("iphone-1", registration_body(test_identity, "apns-voip", std::string(64, 'b')));
  put("pixel-1", registration_body(test_identity, "fcm", fcm_token));
  put("pixel-2", R"({"identity":")" + second_identity + R"(","platform":"fcm","token":")" +
                     fcm_token + R"(2","environment":"sandbox","locale":"fr-CA",)" +
                     R"("tags":["beta","vip"],"expiresAt":"2031-05-01T10:00:00.250Z"})");
  put("surface-1", R"({"identity":")" + second_identity +
                       R"(","platform":"wns","token":"https://wns.example/ch/1"})");

  int pages = 0;
  auto exported = export_all(source, 2, pages);
  BOOST_TEST(pages == 3);
  auto expected = comparable_lines(exported);
  BOOST_TEST_REQUIRE(expected.size() == 5u);

  herald_fixture fresh;
  auto imported = call(fresh, "POST", "/v1/apps/demo/devices:import", exported);
  BOOST_TEST_REQUIRE(imported.status == 200, imported.body);
  auto report = json_of(imported.body);
  BOOST_TEST(report["lines"].GetInt() == 5);
  BOOST_TEST(report["imported"].GetInt() == 5);
  BOOST_TEST(report["failed"].GetInt() == 0);
  BOOST_TEST(report["errors"].Size() == 0u);

  int fresh_pages = 0;
  auto again = export_all(fresh, 1000, fresh_pages);
  BOOST_TEST(fresh_pages == 1);
  BOOST_TEST((comparable_lines(again) == expected));
  // The imported identity is served like a registered one.
  auto listed = call(fresh, "GET", "/v1/apps/demo/identities/" + second_identity + "/devices");
  BOOST_TEST(json_of(listed.body)["registrations"].Size() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_lines_are_reported_by_number_and_field_and_the_good_ones_land) {
  herald_fixture node;
  auto good = [](const std::string& device, const std::string& token) {
    return R"({"deviceId":")" + device + R"(","identity":")" + test_identity +
           R"(","platform":"apns","token":")" + token + R"("})";
  };
  const std::string body = good("d1", test_token) + "\n" +                         // 1
                           R"({"deviceId":"d2","identity":")" + test_identity +    // 2
                           R"(","platform":"apns","token":"nothex"})" + "\n" +     //
                           "\n" +                                                  // 3 blank
                           "{not json\n" +                                         // 4
                           good("d1", std::string(64, 'c')) + "\n" +               // 5 duplicate
                           R"({"deviceId":"d3","identity":"4:+15555550100",)" +    // 6
                           R"("platform":"apns","token":")" + test_token + "\"}\n" //
                           + R"({"identity":")" + test_identity + "\"}\r\n" +      // 7
                           good("d4", std::string(64, 'd'));                       // 8, no \n
  auto r = call(node, "POST", "/v1/apps/demo/devices:import", body);
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  auto report = json_of(r.body);
  BOOST_TEST(report["lines"].GetInt() == 7);
  BOOST_TEST(report["imported"].GetInt() == 2);
  BOOST_TEST(report["failed"].GetInt() == 5);
  BOOST_TEST(!report["errorsTruncated"].GetBool());
  std::vector<std::pair<int, std::string>> errors;
  for (const auto& e : report["errors"].GetArray()) {
    errors.emplace_back(e["line"].GetInt(), e["field"].GetString());
  }
  const std::vector<std::pair<int, std::string>> expected{
      {2, "token"}, {4, ""}, {5, "deviceId"}, {6, "identity"}, {7, "deviceId"}};
  BOOST_TEST((errors == expected), r.body);

  auto d1 = call(node, "GET", "/v1/apps/demo/devices/d1");
  BOOST_TEST_REQUIRE(d1.status == 200, d1.body);
  BOOST_TEST(std::string(json_of(d1.body)["registrations"][0]["token"].GetString()) == test_token);
  BOOST_TEST(call(node, "GET", "/v1/apps/demo/devices/d4").status == 200);
  BOOST_TEST(call(node, "GET", "/v1/apps/demo/devices/d2").status == 404);
  BOOST_TEST(node.metric(R"(herald_registry_writes_total{result="invalid"})") == 5.0);

  auto as_json = call(node, "POST", "/v1/apps/demo/devices:import", body, "application/json");
  BOOST_TEST(as_json.status == 415);
  auto bad_limit = call(node, "GET", "/v1/apps/demo/devices:export?limit=0");
  BOOST_TEST(bad_limit.status == 400);
  BOOST_TEST(std::string(json_of(bad_limit.body)["field"].GetString()) == "limit");
  auto bad_cursor = call(node, "GET", "/v1/apps/demo/devices:export?cursor=%21");
  BOOST_TEST(bad_cursor.status == 400);
  BOOST_TEST(std::string(json_of(bad_cursor.body)["field"].GetString()) == "cursor");
  BOOST_TEST(call(node, "GET", "/v1/apps/nope/devices:export").status == 404);
  BOOST_TEST(call(node, "PUT", "/v1/apps/demo/devices:import").status == 405);
}

BOOST_AUTO_TEST_CASE(export_and_import_need_the_admin_scope) {
  herald_fixture node;
  const std::string register_key = "reg-key-5d1e0a";
  const std::string admin_key = "admin-key-77c2e9";
  {
    std::ofstream cfg(node.dir / "herald.toml", std::ios::app);
    const std::vector<std::array<std::string, 3>> keys{{"registrar", register_key, "register"},
                                                       {"operator", admin_key, "admin"}};
    for (const auto& [id, key, scope] : keys) {
      cfg << "[[apps.api_keys]]\nid = \"" << id << "\"\nsha256 = \""
          << herald::protocol::to_hex(herald::protocol::sha256(key)) << "\"\nscopes = [\"" << scope
          << "\"]\n";
    }
  }
  node.start_herald();
  const std::string line = R"({"deviceId":"d1","identity":")" + test_identity +
                           R"(","platform":"apns","token":")" + test_token + "\"}\n";
  BOOST_TEST(call(node, "GET", "/v1/apps/demo/devices:export").status == 401);
  auto denied = call(node, "POST", "/v1/apps/demo/devices:import", line, ndjson, register_key);
  BOOST_TEST(denied.status == 403, denied.body);
  BOOST_TEST(call(node, "GET", "/v1/apps/demo/devices:export", {}, ndjson, register_key).status ==
             403);
  auto done = call(node, "POST", "/v1/apps/demo/devices:import", line, ndjson, admin_key);
  BOOST_TEST_REQUIRE(done.status == 200, done.body);
  BOOST_TEST(json_of(done.body)["imported"].GetInt() == 1);
  auto page = call(node, "GET", "/v1/apps/demo/devices:export", {}, ndjson, admin_key);
  BOOST_TEST(page.status == 200);
  BOOST_TEST(comparable_lines(page.body).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
