#include "app/config.hpp"
#include "app/http_listeners.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace app = herald::app;
using namespace std::chrono_literals;

namespace {

const std::string minimal_app = R"(
[[apps]]
name = "contoso"
[apps.apns]
team_id = "ABCDE12345"
key_id = "KEY1234567"
key_file = "keys/a.p8"
bundle_id = "com.contoso.app"
)";

app::config_result<app::config> parse(const std::string& text, app::config_env env = {}) {
  return app::parse_config(text, env, "test.toml");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The error key of a config that must fail; fails the test when it loads.
std::string error_key(const std::string& text, app::config_env env = {}) {
  auto uut = parse(text, std::move(env));
  BOOST_TEST_REQUIRE(!uut.has_value(), "expected an error for:\n" << text);
  BOOST_TEST_MESSAGE(uut.error().describe());
  return uut.error().key;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(empty_file_gives_every_default) {
  auto uut = parse("");
  BOOST_TEST_REQUIRE(uut.has_value());
  const auto& c = uut.value();
  BOOST_TEST(c.node.data_dir == "data");
  BOOST_TEST(c.node.shards == 4);
  BOOST_TEST(c.node.shutdown_timeout.count() == 10'000);
  BOOST_TEST(!c.node.dev);
  BOOST_TEST(c.node.scheduler == "sharing");
  BOOST_TEST(c.node.actor_threads == 0);
  BOOST_TEST(c.http.listen.to_string() == "127.0.0.1:8080");
  BOOST_TEST(c.http.webhook_path == "/api/events");
  BOOST_TEST(c.http.body_limit == 1'114'112u);
  BOOST_TEST(c.http.threads == 0); // one per core
  BOOST_TEST(c.metrics.listen.to_string() == "127.0.0.1:9464");
  BOOST_TEST(app::to_string(c.log.level) == "info");
  BOOST_TEST(app::to_string(c.log.format) == "json");
  BOOST_TEST(c.apps.empty());
}

BOOST_AUTO_TEST_CASE(app_provider_keys_default_when_left_out) {
  auto uut = parse(minimal_app);
  BOOST_TEST_REQUIRE(uut.has_value());
  const auto& a = uut.value().apps.at(0);
  BOOST_TEST(a.name == "contoso");
  BOOST_TEST_REQUIRE(a.registration_ttl.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::hours>(*a.registration_ttl).count() ==
             180 * 24);
  BOOST_TEST_REQUIRE(a.apns.has_value());
  BOOST_TEST(a.apns->server.to_string() == "https://api.push.apple.com:443");
  BOOST_TEST(herald::protocol::to_string(a.apns->environment) == "production");
  BOOST_TEST(a.apns->ca_file.empty());
  BOOST_TEST(a.apns->connections == 1);
  BOOST_TEST(a.apns->max_streams == 1000);
  BOOST_TEST(a.apns->ring_ttl.count() == 30'000);
  BOOST_TEST(!a.fcm.has_value());
  BOOST_TEST(!a.wns.has_value());
}

BOOST_AUTO_TEST_CASE(sandbox_environment_picks_the_sandbox_host) {
  auto uut = parse(minimal_app + "environment = \"sandbox\"\n");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().apps.at(0).apns->server.host == "api.sandbox.push.apple.com");
}

BOOST_AUTO_TEST_CASE(file_values_replace_defaults) {
  auto uut = parse(R"(
[node]
data_dir = "/var/lib/herald"
shards = 16
shutdown_timeout = "2m"
dev = true
scheduler = "stealing"
actor_threads = 3
max_throughput = 50
[http]
listen = "[::1]:9000"
threads = 4
[log]
level = "debug"
format = "text"
)" + minimal_app + "endpoint = \"http://127.0.0.1:8443\"\nring_ttl = \"45s\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& c = uut.value();
  BOOST_TEST(c.node.data_dir == "/var/lib/herald");
  BOOST_TEST(c.node.shards == 16);
  BOOST_TEST(c.node.shutdown_timeout.count() == 120'000);
  BOOST_TEST(c.node.dev);
  BOOST_TEST(c.node.scheduler == "stealing");
  BOOST_TEST(c.node.actor_threads == 3);
  BOOST_TEST(c.node.max_throughput == 50);
  BOOST_TEST(c.http.listen.host == "::1");
  BOOST_TEST(c.http.listen.port == 9000);
  BOOST_TEST(c.http.threads == 4);
  BOOST_TEST(app::to_string(c.log.level) == "debug");
  BOOST_TEST(app::to_string(c.log.format) == "text");
  const auto& apns = *c.apps.at(0).apns;
  BOOST_TEST(!apns.server.tls());
  BOOST_TEST(apns.server.port == 8443);
  BOOST_TEST(apns.ring_ttl.count() == 45'000);
}

BOOST_AUTO_TEST_CASE(ingest_keys_have_defaults_and_are_read_and_checked) {
  auto defaults = parse("");
  BOOST_TEST_REQUIRE(defaults.has_value());
  const auto& d = defaults.value().ingest;
  BOOST_TEST(app::to_string(d.durability) == "journal");
  BOOST_TEST(d.max_in_flight_events == 10'000u);
  BOOST_TEST(d.dedupe_window.count() == 24 * 3'600'000);
  BOOST_TEST(d.dedupe_capacity == 1'000'000u);
  BOOST_TEST(d.journal_commit_delay.count() == 1);
  auto uut =
      parse("[ingest]\ndurability = \"none\"\nmax_in_flight_events = 5\n"
            "dedupe_window = \"1h\"\ndedupe_capacity = 10\njournal_commit_delay = \"0ms\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& c = uut.value().ingest;
  BOOST_TEST(app::to_string(c.durability) == "none");
  BOOST_TEST(c.max_in_flight_events == 5u);
  BOOST_TEST(c.dedupe_window.count() == 3'600'000);
  BOOST_TEST(c.dedupe_capacity == 10u);
  BOOST_TEST(c.journal_commit_delay.count() == 0);
  BOOST_TEST(error_key("[ingest]\njournal_commit_delay = \"101ms\"") ==
             "ingest.journal_commit_delay");
  BOOST_TEST(error_key("[ingest]\ndurability = \"disk\"") == "ingest.durability");
  BOOST_TEST(error_key("[ingest]\nmax_in_flight_events = 0") == "ingest.max_in_flight_events");
  BOOST_TEST(error_key("[ingest]\ndedupe_window = \"24\"") == "ingest.dedupe_window");
  BOOST_TEST(error_key("[ingest]\ndedupe_capacity = -1") == "ingest.dedupe_capacity");
  BOOST_TEST(error_key("[ingest]\ndurable = true") == "ingest.durable");
}

BOOST_AUTO_TEST_CASE(http_listener_keys_have_defaults_and_are_read_and_checked) {
  auto defaults = parse("");
  BOOST_TEST_REQUIRE(defaults.has_value());
  const auto& d = defaults.value().http;
  BOOST_TEST(d.tls_cert_file.empty());
  BOOST_TEST(d.tls_key_file.empty());
  BOOST_TEST(d.h2);
  BOOST_TEST(d.max_concurrent_streams == 100u);
  BOOST_TEST(!d.admin_listen.has_value());
  auto uut = parse("[http]\ntls_cert_file = \"tls/server.pem\"\ntls_key_file = \"tls/server.key\"\n"
                   "h2 = false\nmax_concurrent_streams = 32\nadmin_listen = \"127.0.0.1:8081\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& c = uut.value().http;
  BOOST_TEST(c.tls_cert_file == "tls/server.pem");
  BOOST_TEST(c.tls_key_file == "tls/server.key");
  BOOST_TEST(!c.h2);
  BOOST_TEST(c.max_concurrent_streams == 32u);
  BOOST_TEST_REQUIRE(c.admin_listen.has_value());
  BOOST_TEST(c.admin_listen->to_string() == "127.0.0.1:8081");
  // TLS needs both files: the error names the one that is missing.
  BOOST_TEST(error_key("[http]\ntls_cert_file = \"a.pem\"") == "http.tls_key_file");
  BOOST_TEST(error_key("[http]\ntls_key_file = \"a.key\"") == "http.tls_cert_file");
  BOOST_TEST(error_key("[http]\nh2 = \"yes\"") == "http.h2");
  BOOST_TEST(error_key("[http]\nmax_concurrent_streams = 0") == "http.max_concurrent_streams");
  BOOST_TEST(error_key("[http]\nmax_concurrent_streams = 10001") == "http.max_concurrent_streams");
  BOOST_TEST(error_key("[http]\nadmin_listen = \"8081\"") == "http.admin_listen");
  BOOST_TEST(error_key("[http]\nlisten = \"127.0.0.1:8080\"\nadmin_listen = \"127.0.0.1:8080\"") ==
             "http.admin_listen");
  BOOST_TEST(error_key("[http]\nadmin_listen = \"127.0.0.1:9464\"") == "http.admin_listen");
}

BOOST_AUTO_TEST_CASE(http_abuse_limits_have_defaults_and_are_read_and_checked) {
  auto defaults = parse("");
  BOOST_TEST_REQUIRE(defaults.has_value());
  const auto& d = defaults.value().http;
  BOOST_TEST(d.read_timeout.count() == 30'000);
  BOOST_TEST(d.idle_timeout.count() == 60'000);
  BOOST_TEST(d.write_timeout.count() == 30'000);
  BOOST_TEST(d.max_connections == 10'000u);
  BOOST_TEST(d.max_client_resets == 200u);
  BOOST_TEST(d.reset_window.count() == 10'000);
  auto uut =
      parse("[http]\nread_timeout = \"5s\"\nidle_timeout = \"2m\"\nwrite_timeout = "
            "\"750ms\"\nmax_connections = 50\nmax_client_resets = 0\nreset_window = \"1s\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& c = uut.value().http;
  BOOST_TEST(c.read_timeout.count() == 5'000);
  BOOST_TEST(c.idle_timeout.count() == 120'000);
  BOOST_TEST(c.write_timeout.count() == 750);
  BOOST_TEST(c.max_connections == 50u);
  BOOST_TEST(c.max_client_resets == 0u); // the guard off
  BOOST_TEST(c.reset_window.count() == 1'000);
  auto options = herald::app::make_http_server_options(c);
  BOOST_TEST_REQUIRE(options.has_value());
  BOOST_TEST(options.value().write_timeout.count() == 750);
  BOOST_TEST(options.value().max_connections == 50u);
  BOOST_TEST(options.value().max_client_resets == 0u);
  BOOST_TEST(error_key("[http]\nread_timeout = \"30\"") == "http.read_timeout");
  BOOST_TEST(error_key("[http]\nwrite_timeout = \"10ms\"") == "http.write_timeout");
  BOOST_TEST(error_key("[http]\nmax_connections = 0") == "http.max_connections");
  BOOST_TEST(error_key("[http]\nmax_client_resets = -1") == "http.max_client_resets");
  BOOST_TEST(error_key("[http]\nreset_window = \"forever\"") == "http.reset_window");
}

BOOST_AUTO_TEST_CASE(webhook_keys_have_defaults_and_are_read_and_checked) {
  auto defaults = parse("");
  BOOST_TEST_REQUIRE(defaults.has_value());
  const auto& d = defaults.value().webhook;
  BOOST_TEST(d.query_parameter == "code");
  BOOST_TEST(!d.any_method());
  BOOST_TEST(d.subscriptions.empty());
  BOOST_TEST(d.jwt_app_id == "4962773b-9cdb-44cf-a8bf-237846a00ab7");
  BOOST_TEST(d.jwt_clock_skew.count() == 300'000);

  auto uut = parse(R"([webhook]
query_parameter = "key"
query_secret = "one"
query_secret_next = "two"
sas_key = "three"
subscriptions = "SUB-A, sub-b,,"
jwt_audience = "api://herald"
jwt_issuers = "https://sts.windows.net/t/, https://login.microsoftonline.com/t/v2.0"
jwt_keys = "kid-1=keys/a.pem, kid-2=keys/b=c.pem"
jwt_app_id = "app"
jwt_clock_skew = "30s"
)");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& w = uut.value().webhook;
  BOOST_TEST(w.query_parameter == "key");
  BOOST_TEST(w.query_secret.reveal() == "one");
  BOOST_TEST(w.query_secret_next.reveal() == "two");
  BOOST_TEST(w.sas_key.reveal() == "three");
  BOOST_TEST(w.sas_key_next.empty());
  BOOST_TEST((w.subscriptions == std::vector<std::string>{"SUB-A", "sub-b"}));
  BOOST_TEST(w.jwt_issuers.size() == 2u);
  BOOST_TEST_REQUIRE(w.jwt_keys.size() == 2u);
  BOOST_TEST(w.jwt_keys[1].kid == "kid-2");
  BOOST_TEST(w.jwt_keys[1].file == "keys/b=c.pem");
  BOOST_TEST(w.jwt_app_id == "app");
  BOOST_TEST(w.jwt_clock_skew.count() == 30'000);
  BOOST_TEST(w.any_method());

  BOOST_TEST(error_key("[webhook]\nquery_parameter = \"a&b\"") == "webhook.query_parameter");
  BOOST_TEST(error_key("[webhook]\njwt_audience = \"x\"\njwt_keys = \"k=a.pem\"") ==
             "webhook.jwt_issuers");
  BOOST_TEST(error_key("[webhook]\njwt_audience = \"x\"\njwt_issuers = \"i\"") ==
             "webhook.jwt_keys");
  BOOST_TEST(error_key("[webhook]\njwt_keys = \"no-equals.pem\"") == "webhook.jwt_keys");
  BOOST_TEST(error_key("[webhook]\nsecret = \"x\"") == "webhook.secret");
  BOOST_TEST(error_key("webhook = 1") == "webhook");
}

BOOST_AUTO_TEST_CASE(webhook_secrets_come_from_the_environment) {
  app::config_env env;
  env.vars["HERALD_WEBHOOK_QUERY_SECRET"] = "env-secret";
  env.vars["HERALD_WEBHOOK_SUBSCRIPTIONS"] = "a,b";
  auto uut = parse("[webhook]\nquery_secret = \"file-secret\"", env);
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().webhook.query_secret.reveal() == "env-secret");
  BOOST_TEST(uut.value().webhook.subscriptions.size() == 2u);
  const auto summary = app::summarize(uut.value());
  BOOST_TEST(summary.find("webhook: auth=query subscriptions=2") != std::string::npos, summary);
  BOOST_TEST(summary.find("env-secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(shipped_config_file_loads) {
  const std::string path = HERALD_TEST_DATA_DIR "/../../config/herald.toml";
  auto uut = app::load_config(path, app::config_env{});
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST(uut.value().source == path);
  BOOST_TEST(uut.value().apps.size() == 1u);
}

BOOST_AUTO_TEST_CASE(shipped_config_commented_sections_load_when_uncommented) {
  // The FCM and WNS sections ship commented out; they must still be valid when enabled.
  std::istringstream in(read_file(HERALD_TEST_DATA_DIR "/../../config/herald.toml"));
  std::string text;
  int uncommented = 0;
  for (std::string line; std::getline(in, line);) {
    const bool key_or_table = line.starts_with("# [") || line.starts_with("# # ") ||
                              (line.starts_with("# ") && line.find(" = ") != std::string::npos &&
                               line.find(' ', 2) == line.find(" = "));
    if (key_or_table) {
      line = line.substr(2);
      ++uncommented;
    }
    text += line + "\n";
  }
  BOOST_TEST(uncommented > 10);
  auto uut = parse(text);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST(uut.value().apps.at(0).fcm.has_value());
  BOOST_TEST(uut.value().apps.at(0).wns.has_value());
}

BOOST_AUTO_TEST_CASE(every_validation_error_names_its_key) {
  struct example {
    std::string toml;
    std::string key;
  };
  const std::vector<example> examples = {
      {"[node]\nshards = 0", "node.shards"},
      {"[node]\nshards = 257", "node.shards"},
      {"[node]\nshards = \"4\"", "node.shards"},
      {"[node]\ndata_dir = \"\"", "node.data_dir"},
      {"[node]\nshutdown_timeout = \"10\"", "node.shutdown_timeout"},
      {"[node]\nshutdown_timeout = 10", "node.shutdown_timeout"},
      {"[node]\ndev = \"yes\"", "node.dev"},
      {"[node]\nscheduler = \"spinning\"", "node.scheduler"},
      {"[node]\nactor_threads = -1", "node.actor_threads"},
      {"[node]\nmax_throughput = 0.5", "node.max_throughput"},
      {"[http]\nlisten = \"localhost\"", "http.listen"},
      {"[http]\nlisten = \"127.0.0.1:99999\"", "http.listen"},
      {"[http]\nwebhook_path = \"api/events\"", "http.webhook_path"},
      {"[http]\nbody_limit = 10", "http.body_limit"},
      {"[http]\nthreads = -1", "http.threads"},
      {"[http]\nthreads = 65", "http.threads"},
      {"[metrics]\nlisten = \"127.0.0.1:8080\"", "metrics.listen"},
      {"[log]\nlevel = \"verbose\"", "log.level"},
      {"[log]\nformat = \"xml\"", "log.format"},
      {"node = 1", "node"},
      {"[apps]\nname = \"x\"", "apps"},
      {"[[apps]]\nregistration_ttl = \"1d\"", "apps[0].name"},
      {"[[apps]]\nname = \"Contoso!\"", "apps[0].name"},
      {"[[apps]]\nname = \"contoso\"", "apps[0]"},
      {minimal_app + "[[apps]]\nname = \"contoso\"\n[apps.wns]\nclient_id = \"a\"\n"
                     "client_secret = \"b\"",
       "apps[1].name"},
      {minimal_app + "[[apps]]\nname = \"Contoso\"", "apps[1].name"},
      {minimal_app + "environment = \"staging\"", "apps[0].apns.environment"},
      {minimal_app + "endpoint = \"ftp://x\"", "apps[0].apns.endpoint"},
      {minimal_app + "endpoint = \"https://:443\"", "apps[0].apns.endpoint"},
      {minimal_app + "connections = 0", "apps[0].apns.connections"},
      {minimal_app + "max_streams = 100000", "apps[0].apns.max_streams"},
      {minimal_app + "ring_ttl = \"0s\"", "apps[0].apns.ring_ttl"},
      {minimal_app + "ring_ttl = \"500ms\"", "apps[0].apns.ring_ttl"},
      {"[[apps]]\nname = \"a\"\n[apps.apns]\nteam_id = \"\"\nkey_id = \"K\"\nkey_file = "
       "\"k\"\nbundle_id = \"b\"",
       "apps[0].apns.team_id"},
      {"[[apps]]\nname = \"my-app\"\n[apps.wns]\nclient_id = \"a\"\nclient_secret = \"b\"\n"
       "[[apps]]\nname = \"my_app\"\n[apps.wns]\nclient_id = \"a\"\nclient_secret = \"b\"",
       "apps[1].name"},
      {"[[apps]]\nname = \"a\"\n[apps.apns]\nkey_id = \"K\"\nkey_file = \"k\"\nbundle_id = \"b\"",
       "apps[0].apns.team_id"},
      {"[[apps]]\nname = \"a\"\n[apps.apns]\nteam_id = \"T\"\nkey_file = \"k\"\nbundle_id = \"b\"",
       "apps[0].apns.key_id"},
      {"[[apps]]\nname = \"a\"\n[apps.apns]\nteam_id = \"T\"\nkey_id = \"K\"\nbundle_id = \"b\"",
       "apps[0].apns.key_file"},
      {"[[apps]]\nname = \"a\"\n[apps.apns]\nteam_id = \"T\"\nkey_id = \"K\"\nkey_file = \"k\"",
       "apps[0].apns.bundle_id"},
      {"[[apps]]\nname = \"a\"\nregistration_ttl = \"forever\"\n[apps.wns]\nclient_id = "
       "\"a\"\nclient_secret = \"b\"",
       "apps[0].registration_ttl"},
      {"[[apps]]\nname = \"a\"\n[apps.fcm]\nproject_id = \"p\"",
       "apps[0].fcm.service_account_file"},
      {"[[apps]]\nname = \"a\"\n[apps.fcm]\nservice_account_file = \"f\"\ntoken_endpoint = \"x\"",
       "apps[0].fcm.token_endpoint"},
      {"[[apps]]\nname = \"a\"\n[apps.wns]\nclient_id = \"a\"", "apps[0].wns.client_secret"},
      {"[[apps]]\nname = \"a\"\n[apps.wns]\nclient_secret = \"s\"", "apps[0].wns.client_id"},
      {"[[apps]]\nname = \"a\"\napns = 3", "apps[0].apns"},
  };
  for (const auto& e : examples) {
    BOOST_TEST(error_key(e.toml) == e.key, "for:\n" << e.toml);
  }
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_rejected_by_name) {
  BOOST_TEST(error_key("[nodes]\nshards = 2") == "nodes");
  BOOST_TEST(error_key("[node]\nshard = 2") == "node.shard");
  BOOST_TEST(error_key("[http]\nlisten_address = \"127.0.0.1:1\"") == "http.listen_address");
  BOOST_TEST(error_key(minimal_app + "keyfile = \"x\"") == "apps[0].apns.keyfile");
  BOOST_TEST(error_key("[[apps]]\nname = \"a\"\nregistration_tll = \"1d\"") ==
             "apps[0].registration_tll");
  BOOST_TEST(error_key("[[apps]]\nname = \"a\"\n[apps.gcm]\nx = 1") == "apps[0].gcm");
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_the_file_and_line) {
  auto uut = parse("[node]\nshards = = 4\n");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().key == "test.toml");
  BOOST_TEST(uut.error().line == 2);
}

BOOST_AUTO_TEST_CASE(errors_carry_the_line_of_the_bad_value) {
  auto uut = parse("[node]\n\ndata_dir = \"d\"\nshards = 0\n");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().line == 4);
  BOOST_TEST(uut.error().describe().find("node.shards: out of range") == 0u);
}

BOOST_AUTO_TEST_CASE(environment_overrides_win_over_the_file) {
  app::config_env env;
  env.vars = {{"HERALD_HTTP_LISTEN", "0.0.0.0:9999"},
              {"HERALD_NODE_SHARDS", "32"},
              {"HERALD_NODE_DEV", "true"},
              {"HERALD_NODE_SHUTDOWN_TIMEOUT", "1s"},
              {"HERALD_LOG_FORMAT", "text"},
              {"HERALD_APPS_CONTOSO_REGISTRATION_TTL", "never"},
              {"HERALD_APPS_CONTOSO_APNS_KEY_FILE", "/run/keys/a.p8"},
              {"HERALD_APPS_CONTOSO_APNS_ENVIRONMENT", "sandbox"}};
  auto uut = parse("[node]\nshards = 2\n[http]\nlisten = \"127.0.0.1:1\"\n" + minimal_app, env);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& c = uut.value();
  BOOST_TEST(c.http.listen.to_string() == "0.0.0.0:9999");
  BOOST_TEST(c.node.shards == 32);
  BOOST_TEST(c.node.dev);
  BOOST_TEST(c.node.shutdown_timeout.count() == 1000);
  BOOST_TEST(app::to_string(c.log.format) == "text");
  BOOST_TEST(!c.apps.at(0).registration_ttl.has_value());
  BOOST_TEST(c.apps.at(0).apns->key_file == "/run/keys/a.p8");
  BOOST_TEST(herald::protocol::to_string(c.apps.at(0).apns->environment) == "sandbox");
}

BOOST_AUTO_TEST_CASE(environment_alone_can_enable_a_provider) {
  app::config_env env;
  env.vars = {{"HERALD_APPS_CONTOSO_WNS_CLIENT_ID", "ms-app://s-1"},
              {"HERALD_APPS_CONTOSO_WNS_CLIENT_SECRET", "hunter2"}};
  auto uut = parse(minimal_app, env);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST_REQUIRE(uut.value().apps.at(0).wns.has_value());
  BOOST_TEST(uut.value().apps.at(0).wns->client_secret.reveal() == "hunter2");
}

BOOST_AUTO_TEST_CASE(bad_environment_values_name_the_variable) {
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"HERALD_NODE_SHARDS", "many"},
      {"HERALD_NODE_SHARDS", "0"},
      {"HERALD_NODE_SHARDS", "4x"},
      {"HERALD_NODE_DEV", "yes"},
      {"HERALD_HTTP_LISTEN", "nowhere"},
      {"HERALD_HTTP_BODY_LIMIT", ""},
      {"HERALD_LOG_LEVEL", "loud"},
      {"HERALD_NODE_SHUTDOWN_TIMEOUT", "5"},
      {"HERALD_APPS_CONTOSO_APNS_ENDPOINT", "api.push.apple.com"},
      {"HERALD_APPS_CONTOSO_APNS_TEAM_ID", "A B"},
      {"HERALD_APPS_CONTOSO_REGISTRATION_TTL", "-1d"},
  };
  for (const auto& [name, value] : examples) {
    app::config_env env;
    env.vars[name] = value;
    auto uut = parse(minimal_app, env);
    BOOST_TEST_REQUIRE(!uut.has_value(), name << "=" << value << " was accepted");
    BOOST_TEST(uut.error().key == name);
    BOOST_TEST(uut.error().line == 0);
  }
}

BOOST_AUTO_TEST_CASE(unknown_herald_variables_are_rejected) {
  app::config_env env;
  env.vars = {{"HERALD_NODE_SHARDZ", "4"}};
  BOOST_TEST(error_key(minimal_app, env) == "HERALD_NODE_SHARDZ");
  env.vars = {{"HERALD_APPS_FABRIKAM_APNS_KEY_FILE", "k.p8"}};
  BOOST_TEST(error_key(minimal_app, env) == "HERALD_APPS_FABRIKAM_APNS_KEY_FILE");
  env.vars = {{"HERALD_CONFIG", "x.toml"}};
  BOOST_TEST(parse(minimal_app, env).has_value());
}

BOOST_AUTO_TEST_CASE(process_environment_is_read_by_load_config) {
  ::setenv("HERALD_NODE_SHARDS", "7", 1);
  const auto env = app::config_env::from_process();
  ::unsetenv("HERALD_NODE_SHARDS");
  const auto* value = env.find("HERALD_NODE_SHARDS");
  BOOST_TEST_REQUIRE(value != nullptr);
  BOOST_TEST(*value == "7");
  auto uut = parse("", env);
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().node.shards == 7);
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_error_naming_the_option) {
  auto uut = app::load_config("no/such/herald.toml", app::config_env{});
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().key == "--config");
}

BOOST_AUTO_TEST_CASE(summary_shows_settings_but_never_the_secret) {
  auto uut = parse(minimal_app + "[apps.wns]\nclient_id = \"ms-app://s-1\"\n"
                                 "client_secret = \"hunter2-very-secret\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto summary = app::summarize(uut.value());
  BOOST_TEST(summary.find("shards=4") != std::string::npos);
  BOOST_TEST(summary.find("contoso") != std::string::npos);
  BOOST_TEST(summary.find("client_secret=***") != std::string::npos);
  BOOST_TEST(summary.find("hunter2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(error_messages_never_echo_a_bad_secret_value) {
  auto uut = parse("[[apps]]\nname = \"a\"\n[apps.wns]\nclient_id = \"i\"\nclient_secret = 42\n");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST(uut.error().key == "apps[0].wns.client_secret");
  BOOST_TEST(uut.error().describe().find("42") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
