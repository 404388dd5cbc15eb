// registry_api's checks that run before any shard is asked: routes, app, API keys, rate.
// One fake shard that knows no device: an authorised GET of a device ends in its 404.
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <future>
#include <optional>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/registry_api.hpp"
#include "protocol/api_key.hpp"

using namespace herald;
using transports::http_request;
using transports::http_response;

namespace {

protocol::api_key key(std::string id, std::string_view secret,
                      std::initializer_list<protocol::api_scope> scopes,
                      std::optional<double> rate = std::nullopt) {
  protocol::api_key k;
  k.id = std::move(id);
  k.digest = protocol::sha256(secret);
  for (auto s : scopes) {
    k.scopes |= static_cast<std::uint8_t>(s);
  }
  k.rate_per_second = rate;
  return k;
}

// A parameter, because CAF 0.17 dereferences an empty argument tuple (UBSan) for function
// actors without one.
caf::behavior empty_shard(int /*unused*/) {
  return {
      [](actors::find_atom, actors::device_atom, const std::string&, const std::string&,
         const actors::registry_query_reply& reply) {
        reply(actors::registry_query_outcome{true, {}, {}, 0});
      },
  };
}

struct api_fixture {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  std::shared_ptr<actors::shard_map> shards =
      std::make_shared<actors::shard_map>(std::vector<caf::actor>{system.spawn(empty_shard, 0)});
  ~api_fixture() {
    for (const auto& s : shards->all()) {
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    }
  }
  std::shared_ptr<actors::node_metrics> metrics =
      std::make_shared<actors::node_metrics>(std::make_shared<prometheus::Registry>());

  std::shared_ptr<actors::app_directory> directory() {
    auto apps = std::make_shared<actors::app_directory>();
    actors::app_entry demo;
    demo.name = "demo";
    demo.api_keys.push_back(key("reg", "reg-secret", {protocol::api_scope::register_devices}));
    demo.api_keys.push_back(key("sender", "send-secret", {protocol::api_scope::send}));
    demo.api_keys.push_back(key("slow", "slow-secret", {protocol::api_scope::admin}, 2.0));
    apps->add(std::move(demo));
    actors::app_entry other;
    other.name = "other";
    other.api_keys.push_back(key("o", "other-secret", {protocol::api_scope::admin}));
    apps->add(std::move(other));
    actors::app_entry open;
    open.name = "open";
    apps->add(std::move(open));
    return apps;
  }

  actors::registry_api api(bool dev) {
    actors::registry_api_options options;
    options.dev = dev;
    return actors::registry_api(shards, directory(), metrics, options);
  }

  /// Runs one request and waits (bounded) for its answer.
  static http_response run(const actors::registry_api& uut, std::string method, std::string path,
                           std::vector<std::pair<std::string, std::string>> headers,
                           std::string body = {}) {
    http_request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.target = req.path;
    req.headers = std::move(headers);
    req.body = std::move(body);
    auto answer = std::make_shared<std::promise<http_response>>();
    auto future = answer->get_future();
    uut(std::move(req), [answer](http_response res) { answer->set_value(std::move(res)); });
    BOOST_TEST_REQUIRE((future.wait_for(std::chrono::seconds(10)) == std::future_status::ready));
    return future.get();
  }
};

const std::string device_path = "/v1/apps/demo/devices/d1";

/// Whether the request passed every check and reached the (empty) shard.
bool reached_shard(const http_response& res) {
  return res.status == 404 && res.body.find("\"field\":\"deviceId\"") != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_api_checks, api_fixture)

BOOST_AUTO_TEST_CASE(no_key_is_401_an_unknown_key_401_another_apps_key_403) {
  auto uut = api(true);
  auto none = run(uut, "GET", device_path, {});
  BOOST_TEST(none.status == 401);
  BOOST_TEST(*none.header("www-authenticate") == "ApiKey");
  BOOST_TEST((run(uut, "GET", device_path, {{"x-api-key", "guess"}}).status == 401));
  auto foreign = run(uut, "GET", device_path, {{"x-api-key", "other-secret"}});
  BOOST_TEST(foreign.status == 403);
  BOOST_TEST(foreign.body.find("another app") != std::string::npos, foreign.body);
}

BOOST_AUTO_TEST_CASE(a_key_needs_the_routes_scope_and_admin_holds_all) {
  auto uut = api(true);
  auto wrong = run(uut, "DELETE", device_path, {{"x-api-key", "send-secret"}});
  BOOST_TEST(wrong.status == 403);
  BOOST_TEST(wrong.body.find("register") != std::string::npos, wrong.body);
  // Authorised requests go on to a shard (none here) or to validation.
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"x-api-key", "reg-secret"}})));
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"authorization", "ApiKey reg-secret"}})));
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"x-api-key", "slow-secret"}})));
  auto invalid = run(uut, "GET", "/v1/apps/demo/devices/bad%20id", {{"x-api-key", "reg-secret"}});
  BOOST_TEST(invalid.status == 400);
}

BOOST_AUTO_TEST_CASE(a_key_over_its_rate_gets_429_with_retry_after) {
  auto uut = api(true);
  // Burst of two (rate 2/s): the third request in the same instant is refused.
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"x-api-key", "slow-secret"}})));
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"x-api-key", "slow-secret"}})));
  auto over = run(uut, "GET", device_path, {{"x-api-key", "slow-secret"}});
  BOOST_TEST(over.status == 429);
  BOOST_TEST(*over.header("retry-after") == "1");
  // Other keys have their own buckets.
  BOOST_TEST(reached_shard(run(uut, "GET", device_path, {{"x-api-key", "reg-secret"}})));
}

BOOST_AUTO_TEST_CASE(an_app_without_keys_is_open_in_dev_mode_only) {
  BOOST_TEST(reached_shard(run(api(true), "GET", "/v1/apps/open/devices/d1", {})));
  auto closed = run(api(false), "GET", "/v1/apps/open/devices/d1", {});
  BOOST_TEST(closed.status == 403);
  BOOST_TEST(closed.body.find("api_keys") != std::string::npos, closed.body);
  // An app with keys wants one in dev mode too.
  BOOST_TEST(run(api(true), "GET", device_path, {}).status == 401);
}

BOOST_AUTO_TEST_CASE(routes_and_apps_are_checked_before_keys_and_every_answer_is_counted) {
  auto uut = api(false);
  BOOST_TEST(run(uut, "GET", "/v1/nothing", {}).status == 404);
  auto unknown = run(uut, "GET", "/v1/apps/nope/devices/d1", {});
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(unknown.body.find("\"field\":\"app\"") != std::string::npos, unknown.body);
  BOOST_TEST(run(uut, "POST", device_path, {}).status == 405);
  auto big = run(uut, "PUT", device_path, {{"x-api-key", "reg-secret"}}, std::string(70000, ' '));
  BOOST_TEST(big.status == 413);

  prometheus::TextSerializer text;
  auto exposed = text.Serialize(metrics->registry()->Collect());
  BOOST_TEST(exposed.find(R"(herald_api_requests_total{route="unmatched",status="404"} 1)") !=
                 std::string::npos,
             exposed);
  BOOST_TEST(exposed.find(R"(herald_api_requests_total{route="put_device",status="413"} 1)") !=
                 std::string::npos,
             exposed);
  BOOST_TEST(exposed.find(R"(herald_api_request_duration_seconds_count{route="get_device"} 1)") !=
                 std::string::npos,
             exposed);
}

BOOST_AUTO_TEST_SUITE_END()
