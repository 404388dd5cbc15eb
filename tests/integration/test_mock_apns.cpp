#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <rapidjson/document.h>

#include "bench/support/spike_schedule.hpp"
#include "protocol/jwt.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "transports/h2_client_connection.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

const std::string token(64, 'a');
const std::string bundle = "com.example.app";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Starts herald-mock-apns over TLS with the test PKI and reads its ports file.
struct fixture {
  test::temp_dir dir;
  test::test_pki pki = test::make_test_pki(dir / "pki");
  std::optional<test::child_process> mock;
  std::uint16_t port = 0, admin = 0;
  boost::asio::io_context io;
  std::shared_ptr<transports::h2_client_connection> client;
  protocol::es256_signer signer = protocol::es256_signer::from_pem(slurp(pki.apns_key)).value();

  explicit fixture(const std::vector<std::string>& extra_args = {}) {
    test::process_options po;
    po.program = HERALD_MOCK_APNS_BIN;
    po.log_dir = dir.path();
    po.name = "mock-apns";
    po.args = {"--tls-cert",
               pki.server_cert.string(),
               "--tls-key",
               pki.server_key.string(),
               "--bundle-id",
               bundle,
               "--team-id",
               "TEAM123456",
               "--key-id",
               "KEY1234567",
               "--public-key",
               pki.apns_public_key.string(),
               "--unregistered-token",
               std::string(64, 'd'),
               "--ports-file",
               (dir / "ports.json").string()};
    po.args.insert(po.args.end(), extra_args.begin(), extra_args.end());
    mock.emplace(po);
    BOOST_TEST_REQUIRE(test::wait_for_file(dir / "ports.json", 10s));
    rapidjson::Document ports;
    ports.Parse(slurp(dir / "ports.json").c_str());
    BOOST_TEST_REQUIRE(ports.IsObject());
    port = static_cast<std::uint16_t>(ports["listen"].GetUint());
    admin = static_cast<std::uint16_t>(ports["admin"].GetUint());
    transports::h2_client_options o;
    o.host = "localhost";
    o.port = port;
    o.ca_file = pki.ca_cert;
    bool ready = false;
    client = transports::h2_client_connection::create(io, o, {[&] { ready = true; }, {}, {}, {}});
    client->start();
    BOOST_TEST_REQUIRE(run_until([&] { return ready; }));
  }

  bool run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(5ms);
    }
    return done();
  }

  std::string jwt(std::chrono::system_clock::time_point iat = std::chrono::system_clock::now(),
                  const std::string& key_id = "KEY1234567") {
    return protocol::make_apns_provider_token(signer, "TEAM123456", key_id, iat).value();
  }

  protocol::provider_request push(const std::string& device, std::string body = R"({"aps":{}})",
                                  const std::string& type = "alert") {
    protocol::provider_request r;
    r.path = "/3/device/" + device;
    r.headers = {{"authorization", "bearer " + jwt()},
                 {"apns-topic", type == "voip" ? bundle + ".voip" : bundle},
                 {"apns-push-type", type}};
    r.body = std::move(body);
    return r;
  }

  /// An alert push with this `authorization` value (none when empty) and `apns-topic`.
  protocol::provider_request push_as(const std::string& device, const std::string& authorization,
                                     const std::string& topic) {
    protocol::provider_request r;
    r.path = "/3/device/" + device;
    if (!authorization.empty()) {
      r.headers.emplace_back("authorization", authorization);
    }
    r.headers.emplace_back("apns-topic", topic);
    r.headers.emplace_back("apns-push-type", "alert");
    r.body = R"({"aps":{}})";
    return r;
  }

  protocol::provider_response send(protocol::provider_request request) {
    std::optional<transports::h2_result> got;
    client->submit(std::move(request), [&](transports::h2_result r) { got = std::move(r); });
    BOOST_TEST_REQUIRE(run_until([&] { return got.has_value(); }));
    BOOST_TEST_REQUIRE(got->has_value());
    return got->value();
  }

  std::string reason(const protocol::provider_response& response) {
    rapidjson::Document doc;
    doc.Parse(response.body.c_str());
    return doc.IsObject() && doc.HasMember("reason") ? doc["reason"].GetString() : "";
  }

  rapidjson::Document admin_json(const std::string& target) {
    rapidjson::Document doc;
    doc.Parse(test::http_get("127.0.0.1", admin, target).c_str());
    return doc;
  }
};

/// The mock with a spike covering every period: every answer waits --spike-ms.
struct always_spiking : fixture {
  always_spiking() : fixture({"--spike-every-ms", "300", "--spike-ms", "300"}) {}
};

} // namespace

BOOST_AUTO_TEST_CASE(spike_schedule_delays_only_the_start_of_each_period) {
  const auto start = std::chrono::steady_clock::now();
  const bench::spike_schedule uut(1000, 200, start);
  BOOST_TEST(uut.delay(start).count() == 200);
  BOOST_TEST(uut.delay(start + 199ms).count() == 200);
  BOOST_TEST(uut.delay(start + 200ms).count() == 0);
  BOOST_TEST(uut.delay(start + 999ms).count() == 0);
  BOOST_TEST(uut.delay(start + 3100ms).count() == 200);
  BOOST_TEST(bench::spike_schedule(0, 0, start).delay(start).count() == 0);
}

BOOST_FIXTURE_TEST_CASE(holds_answers_during_a_latency_spike, always_spiking) {
  for (int i = 0; i < 3; ++i) {
    const auto before = std::chrono::steady_clock::now();
    BOOST_TEST(send(push(token)).status == 200);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - before)
                            .count();
    BOOST_TEST(waited >= 300);
  }
  // The arrival is recorded when the request came in, not when it was answered.
  BOOST_TEST(admin_json("/stats")["accepted"].GetUint() == 3u);
}

BOOST_AUTO_TEST_CASE(refuses_a_spike_longer_than_its_period) {
  test::temp_dir scratch;
  test::process_options po;
  po.program = HERALD_MOCK_APNS_BIN;
  po.log_dir = scratch.path();
  po.name = "mock-apns-bad";
  po.args = {"--h2c", "--spike-every-ms", "100", "--spike-ms", "200"};
  test::child_process bad(po);
  BOOST_TEST(bad.wait_for_exit(10s).value_or(-1) == 2);
  BOOST_TEST(bad.stderr_text().find("--spike-ms") != std::string::npos, bad.stderr_text());
}

BOOST_FIXTURE_TEST_SUITE(mock_apns, fixture)

BOOST_AUTO_TEST_CASE(accepts_a_valid_notification_and_records_it) {
  auto uut = send(push(token, R"({"aps":{"alert":"hi"}})"));
  BOOST_TEST(uut.status == 200);
  BOOST_TEST(uut.header("apns-id").size() == 36u);
  BOOST_TEST(uut.body.empty());
  auto stats = admin_json("/stats");
  BOOST_TEST_REQUIRE(stats.IsObject());
  BOOST_TEST(stats["accepted"].GetUint() == 1u);
  BOOST_TEST(stats["by_token"][token.c_str()].GetUint() == 1u);
  auto recorded = admin_json("/notifications?token=" + token);
  BOOST_TEST_REQUIRE(recorded.IsArray());
  BOOST_TEST_REQUIRE(recorded.Size() == 1u);
  BOOST_TEST(std::string(recorded[0]["body"].GetString()) == R"({"aps":{"alert":"hi"}})");
  BOOST_TEST(std::string(recorded[0]["headers"]["apns-push-type"].GetString()) == "alert");
}

BOOST_AUTO_TEST_CASE(lists_arrivals_by_collapse_id_with_microsecond_times) {
  auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto request = push(token);
  request.headers.emplace_back("apns-collapse-id", "call-42");
  BOOST_TEST_REQUIRE(send(std::move(request)).status == 200);
  auto uut = test::http_get("127.0.0.1", admin, "/arrivals");
  std::istringstream lines(uut);
  std::string collapse_id, device;
  std::int64_t received_us = 0;
  BOOST_TEST_REQUIRE(static_cast<bool>(lines >> collapse_id >> device >> received_us), uut);
  BOOST_TEST(collapse_id == "call-42");
  BOOST_TEST(device == token);
  BOOST_TEST(received_us >= before);
  BOOST_TEST(!static_cast<bool>(lines >> collapse_id));
  auto brief = admin_json("/stats?brief=1");
  BOOST_TEST_REQUIRE(brief.IsObject());
  BOOST_TEST(brief["accepted"].GetUint() == 1u);
  BOOST_TEST(!brief.HasMember("by_token"));
}

BOOST_AUTO_TEST_CASE(rejects_provider_tokens_as_apns_does) {
  auto missing = push_as(token, "", bundle);
  auto r = send(missing);
  BOOST_TEST(r.status == 403);
  BOOST_TEST(reason(r) == "MissingProviderToken");

  auto old = push_as(token, "bearer " + jwt(std::chrono::system_clock::now() - 2h), bundle);
  r = send(old);
  BOOST_TEST(r.status == 403);
  BOOST_TEST(reason(r) == "ExpiredProviderToken");

  auto wrong_kid =
      push_as(token, "bearer " + jwt(std::chrono::system_clock::now(), "OTHERKEY00"), bundle);
  r = send(wrong_kid);
  BOOST_TEST(r.status == 403);
  BOOST_TEST(reason(r) == "InvalidProviderToken");

  auto other_key = test::make_test_pki(dir / "other");
  auto other_signer = protocol::es256_signer::from_pem(slurp(other_key.apns_key)).value();
  auto forged = push_as(
      token,
      "bearer " + protocol::make_apns_provider_token(other_signer, "TEAM123456", "KEY1234567",
                                                     std::chrono::system_clock::now())
                      .value(),
      bundle);
  r = send(forged);
  BOOST_TEST(r.status == 403);
  BOOST_TEST(reason(r) == "InvalidProviderToken");
  BOOST_TEST(admin_json("/stats")["rejected"].GetUint() == 4u);
}

BOOST_AUTO_TEST_CASE(rejects_bad_tokens_topics_and_oversized_payloads) {
  auto r = send(push("not-hex-and-short"));
  BOOST_TEST(r.status == 400);
  BOOST_TEST(reason(r) == "BadDeviceToken");

  auto topic = push_as(token, "bearer " + jwt(), "com.other.app");
  r = send(topic);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(reason(r) == "DeviceTokenNotForTopic");

  r = send(push(token, std::string(4097, ' ')));
  BOOST_TEST(r.status == 413);
  BOOST_TEST(reason(r) == "PayloadTooLarge");

  // VoIP payloads may be up to 5 KB.
  r = send(push(token, "{}" + std::string(5000, ' '), "voip"));
  BOOST_TEST(r.status == 200);
}

BOOST_AUTO_TEST_CASE(answers_unregistered_tokens_with_410_and_a_timestamp) {
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto r = send(push(std::string(64, 'd')));
  BOOST_TEST(r.status == 410);
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  BOOST_TEST_REQUIRE(doc.IsObject());
  BOOST_TEST(std::string(doc["reason"].GetString()) == "Unregistered");
  BOOST_TEST(doc["timestamp"].GetInt64() >= before);
}

BOOST_AUTO_TEST_CASE(counts_a_repeated_apns_id_as_duplicate) {
  auto first = push(token);
  first.headers.emplace_back("apns-id", "123E4567-E89B-12D3-A456-426614174000");
  auto second = first;
  BOOST_TEST(send(first).header("apns-id") == "123E4567-E89B-12D3-A456-426614174000");
  BOOST_TEST(send(second).status == 200);
  auto stats = admin_json("/stats");
  BOOST_TEST(stats["duplicates"].GetUint() == 1u);
  BOOST_TEST(stats["accepted"].GetUint() == 2u);
}

BOOST_AUTO_TEST_CASE(exits_cleanly_on_sigterm) {
  client.reset();
  BOOST_TEST(mock->stop(5s) == 0);
  BOOST_TEST(mock->stdout_text().find("stopped") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
