// Webhook authentication, subscription filter and status codes against a real `herald serve`
// (dev mode off) and a mock APNs: query secrets (both rotation values), aeg-sas-key, Entra ID
// style RS256 Bearer tokens, both handshakes, 400/401/403/413/415, curl over HTTP/1.1, and
// every Event Grid / CloudEvents sample of HERALD_SAMPLES_DIR posted as a batch.
// One Herald serves every case of this file (starting it under ASan takes seconds).
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/jwt.hpp"
#include "protocol/webhook_auth.hpp"
#include "tests/integration/herald_fixture.hpp"

using namespace herald;
using namespace herald::test;

namespace {

const std::string issuer = "https://sts.windows.net/00000000-0000-0000-0000-0000000000aa/";
const std::string audience = "api://herald-test";
const std::string subscription = "HERALD-SUB";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The RSA keys of the test's "Entra ID": `trusted` is configured in Herald, `foreign` not.
struct entra_keys {
  temp_dir keys_dir;
  test_rsa_key trusted = make_test_rsa_key(keys_dir.path(), "trusted");
  test_rsa_key foreign = make_test_rsa_key(keys_dir.path(), "foreign");

  [[nodiscard]] std::string webhook_table() const {
    return "[webhook]\nquery_secret = \"q-current\"\nquery_secret_next = \"q-next\"\n"
           "sas_key = \"sas-secret\"\nsubscriptions = \"other-sub, " +
           subscription + "\"\njwt_audience = \"" + audience + "\"\njwt_issuers = \"" + issuer +
           "\"\njwt_keys = \"kid-1=" + trusted.public_key.string() + "\"\n";
  }
};

/// Herald with `[webhook]` credentials and dev mode off.
struct auth_stack : entra_keys, herald_fixture {
  auth_stack() : herald_fixture(herald_fixture_options{0, webhook_table(), false}) {}

  /// A token for `claims`, signed with `key` (PEM file) and kid `kid-1`.
  [[nodiscard]] static std::string token(const std::filesystem::path& key,
                                         const std::string& claims) {
    auto signer = protocol::rs256_signer::from_pem(slurp(key)).value();
    return protocol::make_rs256_jws(signer, R"({"alg":"RS256","typ":"JWT","kid":"kid-1"})", claims)
        .value();
  }

  /// Entra ID v1 style claims valid for the next hour, with one claim overridable.
  [[nodiscard]] static std::string
  claims(const std::string& aud = audience, std::int64_t exp_from_now = 3600,
         const std::string& appid = std::string(protocol::event_grid_app_id)) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return R"({"aud":")" + aud + R"(","iss":")" + issuer + R"(","iat":)" +
           std::to_string(now - 60) + R"(,"nbf":)" + std::to_string(now - 60) + R"(,"exp":)" +
           std::to_string(now + exp_from_now) + R"(,"appid":")" + appid +
           R"(","roles":["AzureEventGridSecureWebhookSubscriber"]})";
  }

  /// POST to the webhook with `query` appended to the path and extra headers.
  http_reply post(const std::string& body, const std::string& query,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  const std::string& content_type = "application/json") {
    headers.emplace_back("content-type", content_type);
    return http_request("POST", "127.0.0.1", http_port, "/api/events" + query, headers, body);
  }

  /// POST with a valid query secret and the accepted subscription name.
  http_reply post_ok(const std::string& body,
                     const std::string& content_type = "application/json") {
    return post(body, "?code=q-current", {{"aeg-subscription-name", subscription}}, content_type);
  }

  /// `herald_webhook_auth_failures_total{reason="..."}`, 0 when never counted.
  double auth_failures(const std::string& reason) {
    return std::max(0.0, metric("herald_webhook_auth_failures_total{reason=\"" + reason + "\"}"));
  }
};

auth_stack& stack() {
  static auto s = std::make_unique<auth_stack>();
  return *s;
}

/// Runs curl with `args` and returns what it wrote to stdout (`-w` output).
std::string curl(const std::string& args) {
  const std::string cmd = "curl --silent --show-error --max-time 10 --http1.1 " + args;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe.get())) {
    out.append(buf, n);
  }
  return out;
}

/// `body` (one event, or an array whose first event is changed) without the event's `id`.
std::string without_id(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError());
  auto& event = doc.IsArray() ? doc[0] : doc;
  BOOST_TEST_REQUIRE(event.RemoveMember("id"));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

bool is_problem(const http_reply& r) {
  return r.header("content-type") == "application/problem+json";
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_auth)

BOOST_AUTO_TEST_CASE(no_credentials_get_401_naming_the_scheme) {
  auto& s = stack();
  const auto before = s.auth_failures("missing");
  auto r = s.post(read_sample("eventgrid-CallStarted-1.json"), "",
                  {{"aeg-subscription-name", subscription}});
  BOOST_TEST(r.status == 401, r.body);
  BOOST_TEST(is_problem(r));
  BOOST_TEST(r.header("www-authenticate") == "Bearer");
  BOOST_TEST(s.auth_failures("missing") == before + 1);
}

BOOST_AUTO_TEST_CASE(both_rotation_query_secrets_are_accepted_and_others_get_403) {
  auto& s = stack();
  const auto body = read_sample("eventgrid-CallStarted-1.json");
  const std::vector<std::pair<std::string, std::string>> sub{
      {"aeg-subscription-name", subscription}};
  BOOST_TEST(s.post(body, "?code=q-current", sub).status == 200);
  BOOST_TEST(s.post(body, "?code=q-next", sub).status == 200);
  const auto before = s.auth_failures("query_secret");
  auto wrong = s.post(body, "?code=q-old", sub);
  BOOST_TEST(wrong.status == 403, wrong.body);
  BOOST_TEST(is_problem(wrong));
  BOOST_TEST(wrong.body.find("q-current") == std::string::npos);
  BOOST_TEST(s.post(body, "?code=", sub).status == 403);
  BOOST_TEST(s.auth_failures("query_secret") == before + 2);
}

BOOST_AUTO_TEST_CASE(the_aeg_sas_key_header_authenticates) {
  auto& s = stack();
  const auto body = read_sample("eventgrid-CallStarted-1.json");
  BOOST_TEST(
      s.post(body, "", {{"aeg-subscription-name", subscription}, {"aeg-sas-key", "sas-secret"}})
          .status == 200);
  BOOST_TEST(
      s.post(body, "", {{"aeg-subscription-name", subscription}, {"aeg-sas-key", "sas-wrong"}})
          .status == 403);
}

BOOST_AUTO_TEST_CASE(bearer_tokens_are_checked_like_entra_id_tokens) {
  auto& s = stack();
  const auto body = read_sample("eventgrid-CallStarted-1.json");
  auto with_token = [&](const std::string& token) {
    return s.post(body, "",
                  {{"aeg-subscription-name", subscription}, {"authorization", "Bearer " + token}});
  };
  const auto& key = s.trusted.private_key;
  auto good = with_token(auth_stack::token(key, auth_stack::claims()));
  BOOST_TEST(good.status == 200, good.body);

  const struct {
    std::string token;
    std::string reason;
  } refused[] = {
      {auth_stack::token(key, auth_stack::claims(audience, -3600)), "jwt_expired"},
      {auth_stack::token(key, auth_stack::claims("api://someone-else")), "jwt_audience"},
      {auth_stack::token(
           key, auth_stack::claims(audience, 3600, "11111111-2222-3333-4444-555555555555")),
       "jwt_app_id"},
      {auth_stack::token(s.foreign.private_key, auth_stack::claims()), "jwt_signature"},
  };
  for (const auto& c : refused) {
    BOOST_TEST_CONTEXT(c.reason) {
      const auto before = s.auth_failures(c.reason);
      auto r = with_token(c.token);
      BOOST_TEST(r.status == 403, r.body);
      BOOST_TEST(is_problem(r));
      BOOST_TEST(s.auth_failures(c.reason) == before + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(only_configured_subscriptions_may_post) {
  auto& s = stack();
  const auto body = read_sample("eventgrid-CallStarted-1.json");
  // Event Grid upper-cases subscription names; the comparison ignores case.
  BOOST_TEST(s.post(body, "?code=q-current", {{"aeg-subscription-name", "herald-sub"}}).status ==
             200);
  BOOST_TEST(s.post(body, "?code=q-current", {{"aeg-subscription-name", "OTHER-SUB"}}).status ==
             200);
  const auto before = s.auth_failures("subscription");
  auto stranger = s.post(body, "?code=q-current", {{"aeg-subscription-name", "STRANGER"}});
  BOOST_TEST(stranger.status == 403, stranger.body);
  BOOST_TEST(stranger.body.find("aeg-subscription-name") != std::string::npos);
  BOOST_TEST(s.post(body, "?code=q-current").status == 403);
  BOOST_TEST(s.auth_failures("subscription") == before + 2);
}

BOOST_AUTO_TEST_CASE(client_mistakes_get_4xx_never_5xx) {
  auto& s = stack();
  auto malformed = s.post_ok("[{\"id\":");
  BOOST_TEST(malformed.status == 400, malformed.body);
  BOOST_TEST(is_problem(malformed));
  auto unknown_type = s.post_ok(read_sample("eventgrid-CallStarted-1.json"), "text/plain");
  BOOST_TEST(unknown_type.status == 415, unknown_type.body);
  BOOST_TEST(unknown_type.body.find("content-type") != std::string::npos);
  // Over the default body limit (1114112 bytes).
  auto too_large = s.post_ok(std::string(1'200'000, ' '));
  BOOST_TEST(too_large.status == 413, too_large.body);
  BOOST_TEST(s.herald->running());
}

BOOST_AUTO_TEST_CASE(the_validation_handshake_needs_credentials_too) {
  auto& s = stack();
  const auto body = read_sample("validation-eventgrid-1.json");
  BOOST_TEST(s.post(body, "", {{"aeg-subscription-name", subscription}}).status == 401);
  auto r = s.post_ok(body);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(r.body.find("\"validationResponse\":\"512d38b6-c7b8-40c8-89fe-f46f9e9622b6\"") !=
                 std::string::npos,
             r.body);
}

BOOST_AUTO_TEST_CASE(the_cloudevents_options_handshake_needs_credentials_too) {
  auto& s = stack();
  const std::vector<std::pair<std::string, std::string>> origin{
      {"webhook-request-origin", "eventgrid.azure.net"}};
  auto anonymous = http_request("OPTIONS", "127.0.0.1", s.http_port, "/api/events", origin);
  BOOST_TEST(anonymous.status == 401);
  auto r = http_request("OPTIONS", "127.0.0.1", s.http_port, "/api/events?code=q-next", origin);
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(r.header("webhook-allowed-origin") == "eventgrid.azure.net");
}

BOOST_AUTO_TEST_CASE(curl_over_http_1_1_sees_401_then_200) {
  auto& s = stack();
  const auto url = "http://127.0.0.1:" + std::to_string(s.http_port) + "/api/events";
  const auto file = (s.dir / "call-started.json").string();
  std::ofstream(file) << read_sample("eventgrid-CallStarted-1.json");
  const std::string common = "-o /dev/null -w '%{http_code} %{http_version}' -H "
                             "'content-type: application/json' -H 'aeg-subscription-name: " +
                             subscription + "' --data-binary @" + file + " ";
  BOOST_TEST(curl(common + "'" + url + "'") == "401 1.1");
  BOOST_TEST(curl(common + "'" + url + "?code=q-current'") == "200 1.1");
  BOOST_TEST(curl(common + "-H 'aeg-sas-key: sas-secret' '" + url + "'") == "200 1.1");
}

BOOST_AUTO_TEST_CASE(webhook_metrics_are_exported) {
  auto& s = stack();
  BOOST_TEST(s.post_ok(read_sample("eventgrid-CallStarted-1.json")).status == 200);
  BOOST_TEST(s.metric("herald_webhook_events_total{result=\"accepted\",schema=\"event-grid\","
                      "type=\"Microsoft.Communication.CallStarted\"}") >= 1.0);
  BOOST_TEST(s.metric("herald_webhook_batch_events_count") >= 1.0);
  BOOST_TEST(s.metric("herald_webhook_ack_latency_seconds_count") >= 1.0);
  BOOST_TEST(s.metric("herald_journal_pending_events") >= 0.0);
}

BOOST_AUTO_TEST_CASE(event_grid_delivery_headers_are_counted) {
  auto& s = stack();
  const std::string first = "herald_webhook_deliveries_total{event_type=\"Notification\","
                            "redelivery=\"no\"}";
  const std::string retry = "herald_webhook_deliveries_total{event_type=\"Notification\","
                            "redelivery=\"yes\"}";
  const std::string other = "herald_webhook_deliveries_total{event_type=\"other\","
                            "redelivery=\"no\"}";
  const double first_before = std::max(0.0, s.metric(first));
  const double retry_before = std::max(0.0, s.metric(retry));
  const double other_before = std::max(0.0, s.metric(other));
  const auto body = read_sample("eventgrid-CallStarted-1.json");
  const auto post = [&](const std::string& type, const std::string& count) {
    return s
        .post(body, "?code=q-current",
              {{"aeg-subscription-name", subscription},
               {"aeg-event-type", type},
               {"aeg-delivery-count", count}})
        .status;
  };
  BOOST_TEST(post("Notification", "0") == 200);
  BOOST_TEST(post("notification", "3") == 200);
  BOOST_TEST(post("Notification", "1") == 200);
  BOOST_TEST(post("x-made-up", "0") == 200);
  BOOST_TEST(s.metric(first) - first_before == 1.0);
  BOOST_TEST(s.metric(retry) - retry_before == 2.0);
  BOOST_TEST(s.metric(other) - other_before == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_samples)

/// Every Event Grid and CloudEvents sample, posted as the batch Event Grid would send.
BOOST_AUTO_TEST_CASE(every_event_sample_is_accepted_and_its_broken_twin_gets_400) {
  auto& s = stack();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(HERALD_SAMPLES_DIR)) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::string cloud_batch;
  int posted = 0;
  for (const auto& path : files) {
    const auto name = path.filename().string();
    const bool grid = name.starts_with("eventgrid-") || name.starts_with("validation-eventgrid-");
    const bool cloud = name.starts_with("cloudevents-");
    if (!grid && !cloud) {
      continue; // provider answers and the handshake's response, not events
    }
    BOOST_TEST_CONTEXT(name) {
      const auto body = slurp(path);
      // A single CloudEvent travels as application/cloudevents+json; Event Grid schema
      // deliveries are JSON arrays already.
      const auto type = grid ? "application/json" : "application/cloudevents+json";
      auto r = s.post_ok(body, type);
      BOOST_TEST(r.status == 200, r.body);
      ++posted;
      if (name.starts_with("validation-")) {
        BOOST_TEST(r.body.find("validationResponse") != std::string::npos, r.body);
        continue;
      }
      BOOST_TEST(r.body.find("\"accepted\":1") != std::string::npos, r.body);
      if (cloud) {
        cloud_batch += (cloud_batch.empty() ? "[" : ",") + body;
      }
      // The same event without its id: malformed, answered 400 naming the field.
      auto bad = s.post_ok(without_id(body), type);
      BOOST_TEST(bad.status == 400, bad.body);
      BOOST_TEST(is_problem(bad));
      BOOST_TEST(bad.body.find("\"field\":\"") != std::string::npos, bad.body);
      BOOST_TEST(bad.body.find("id") != std::string::npos, bad.body);
    }
  }
  BOOST_TEST(posted >= 30); // 38 event and handshake samples when written
  auto batch = s.post_ok(cloud_batch + "]", "application/cloudevents-batch+json");
  BOOST_TEST(batch.status == 200, batch.body);
  BOOST_TEST(s.metric("herald_webhook_batches_total{status=\"500\"}") == -1.0);
  BOOST_TEST(s.metric("herald_webhook_batches_total{status=\"503\"}") == -1.0);
  BOOST_TEST(s.herald->running());
}

BOOST_AUTO_TEST_SUITE_END()
