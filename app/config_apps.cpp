#include "app/config_apps.hpp"

#include "app/config_duration.hpp"
#include "app/config_reader.hpp"
#include "app/config_templates.hpp"

namespace herald::app {
namespace {

using seen_set = std::set<std::string, std::less<>>;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

config_result<std::string> parse_app_name(std::string_view s) {
  bool ok = !s.empty() && is_lower_alnum(s.front()) && s.size() <= 64;
  for (const char c : s) {
    ok = ok && (is_lower_alnum(c) || c == '-' || c == '_');
  }
  if (!ok) {
    return config_failure("", "\"" + std::string(s) +
                                  "\" is not an app name (1..64 of a-z 0-9 - _, starting with a "
                                  "letter or digit; it appears in /v1/apps/<name>/ URLs)");
  }
  return std::string(s);
}

// Apple's team and key identifiers are short alphanumeric strings ("ABCDE12345").
config_result<std::string> parse_apple_id(std::string_view s) {
  bool ok = !s.empty();
  for (const char c : s) {
    ok = ok && is_alnum(c);
  }
  if (!ok) {
    return config_failure("", "expected letters and digits (as shown in the Apple developer "
                              "account), got \"" +
                                  std::string(s) + "\"");
  }
  return std::string(s);
}

config_result<protocol::environment> parse_env_name(std::string_view s) {
  if (auto e = protocol::parse_environment(s)) {
    return *e;
  }
  return config_failure("",
                        "expected \"production\" or \"sandbox\", got \"" + std::string(s) + "\"");
}

/// Fails with "required" when `value` is still empty after the file and the environment.
template <class T>
config_result<void> require(const config_reader& r, std::string_view key, const T& value) {
  if (!value.empty()) {
    return config_ok();
  }
  return config_failure(r.key_path(key),
                        "required (set it in the file or in " + r.env_name(key) + ")");
}

/// The provider sub-table `apps[i].<name>`, or nullptr; an error when it is not a table.
config_result<const toml::table*> provider_table(const toml::table& app, std::string_view name,
                                                 const std::string& path) {
  const auto* node = app.get(name);
  if (node == nullptr) {
    return static_cast<const toml::table*>(nullptr);
  }
  if (const auto* t = node->as_table()) {
    return t;
  }
  return config_failure(path + "." + std::string(name),
                        "expected a table, got " + std::string(type_name(*node)), line_of(*node));
}

config_result<void> read_pool_size(config_reader& r, int& connections, int& max_streams) {
  std::int64_t c = connections;
  HERALD_CONFIG_TRY(r.integer("connections", 1, 64, c));
  connections = static_cast<int>(c);
  std::int64_t s = max_streams;
  HERALD_CONFIG_TRY(r.integer("max_streams", 1, 10'000, s));
  max_streams = static_cast<int>(s);
  return config_ok();
}

config_result<std::optional<apns_config>> read_apns(config_reader& r) {
  if (!r.present({"team_id", "key_id", "key_file", "bundle_id", "environment", "endpoint",
                  "ca_file", "connections", "max_streams", "ring_ttl"})) {
    return std::optional<apns_config>();
  }
  HERALD_CONFIG_TRY(r.only_keys({"team_id", "key_id", "key_file", "bundle_id", "environment",
                                 "endpoint", "ca_file", "connections", "max_streams", "ring_ttl"}));
  apns_config out;
  HERALD_CONFIG_TRY(r.parsed("team_id", out.team_id, parse_apple_id));
  HERALD_CONFIG_TRY(require(r, "team_id", out.team_id));
  HERALD_CONFIG_TRY(r.parsed("key_id", out.key_id, parse_apple_id));
  HERALD_CONFIG_TRY(require(r, "key_id", out.key_id));
  HERALD_CONFIG_TRY(r.path("key_file", out.key_file));
  HERALD_CONFIG_TRY(require(r, "key_file", out.key_file));
  HERALD_CONFIG_TRY(r.text("bundle_id", out.bundle_id));
  HERALD_CONFIG_TRY(require(r, "bundle_id", out.bundle_id));
  HERALD_CONFIG_TRY(r.parsed("environment", out.environment, parse_env_name));
  // The default host follows the environment (Apple, "Sending notification requests to
  // APNs": api.push.apple.com for production, api.sandbox.push.apple.com for development).
  if (out.environment == protocol::environment::sandbox) {
    out.server.host = "api.sandbox.push.apple.com";
  }
  HERALD_CONFIG_TRY(r.parsed("endpoint", out.server, parse_endpoint));
  HERALD_CONFIG_TRY(r.path("ca_file", out.ca_file));
  HERALD_CONFIG_TRY(read_pool_size(r, out.connections, out.max_streams));
  HERALD_CONFIG_TRY(r.duration("ring_ttl", std::chrono::seconds(1), out.ring_ttl));
  return std::optional<apns_config>(std::move(out));
}

config_result<std::optional<fcm_config>> read_fcm(config_reader& r) {
  if (!r.present({"service_account_file", "project_id", "endpoint", "token_endpoint", "ca_file",
                  "connections", "max_streams"})) {
    return std::optional<fcm_config>();
  }
  HERALD_CONFIG_TRY(r.only_keys({"service_account_file", "project_id", "endpoint", "token_endpoint",
                                 "ca_file", "connections", "max_streams"}));
  fcm_config out;
  HERALD_CONFIG_TRY(r.path("service_account_file", out.service_account_file));
  HERALD_CONFIG_TRY(require(r, "service_account_file", out.service_account_file));
  HERALD_CONFIG_TRY(r.text("project_id", out.project_id));
  HERALD_CONFIG_TRY(r.parsed("endpoint", out.server, parse_endpoint));
  HERALD_CONFIG_TRY(r.parsed("token_endpoint", out.token_server, parse_endpoint));
  HERALD_CONFIG_TRY(r.path("ca_file", out.ca_file));
  HERALD_CONFIG_TRY(read_pool_size(r, out.connections, out.max_streams));
  return std::optional<fcm_config>(std::move(out));
}

config_result<std::optional<wns_config>> read_wns(config_reader& r) {
  if (!r.present({"client_id", "client_secret", "token_endpoint", "endpoint", "ca_file",
                  "connections", "max_streams", "max_hosts"})) {
    return std::optional<wns_config>();
  }
  HERALD_CONFIG_TRY(r.only_keys({"client_id", "client_secret", "token_endpoint", "endpoint",
                                 "ca_file", "connections", "max_streams", "max_hosts"}));
  wns_config out;
  HERALD_CONFIG_TRY(r.text("client_id", out.client_id));
  HERALD_CONFIG_TRY(require(r, "client_id", out.client_id));
  HERALD_CONFIG_TRY(r.text("client_secret", out.client_secret));
  HERALD_CONFIG_TRY(require(r, "client_secret", out.client_secret));
  HERALD_CONFIG_TRY(r.parsed("token_endpoint", out.token_server, parse_endpoint));
  endpoint server{"https", "", 443, ""};
  HERALD_CONFIG_TRY(r.parsed("endpoint", server, parse_endpoint));
  if (!server.host.empty()) {
    out.server = std::move(server);
  }
  HERALD_CONFIG_TRY(r.path("ca_file", out.ca_file));
  HERALD_CONFIG_TRY(read_pool_size(r, out.connections, out.max_streams));
  std::int64_t hosts = out.max_hosts;
  HERALD_CONFIG_TRY(r.integer("max_hosts", 1, 1024, hosts));
  out.max_hosts = static_cast<int>(hosts);
  return std::optional<wns_config>(std::move(out));
}

// Key ids appear in logs and metrics: short and plain.
bool valid_key_id(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64;
  for (const char c : s) {
    ok = ok && (is_alnum(c) || c == '-' || c == '_' || c == '.');
  }
  return ok;
}

config_result<protocol::api_key> read_api_key(const toml::table& t, const std::string& path) {
  for (const auto& [k, v] : t) {
    const auto name = k.str();
    if (name != "id" && name != "sha256" && name != "scopes" && name != "rate_per_second") {
      return config_failure(path + "." + std::string(k.str()),
                            "unknown key (expected id, sha256, scopes, rate_per_second)",
                            line_of(v));
    }
  }
  protocol::api_key out;
  const auto* id = t.get_as<std::string>("id");
  if (id == nullptr || !valid_key_id(id->get())) {
    return config_failure(path + ".id", "required: 1..64 of A-Z a-z 0-9 - _ .", line_of(t));
  }
  out.id = id->get();
  const auto* hex = t.get_as<std::string>("sha256");
  auto digest = hex != nullptr ? protocol::parse_sha256_hex(hex->get()) : std::nullopt;
  if (!digest) {
    return config_failure(path + ".sha256",
                          "required: the 64 hex digits of the key's SHA-256 (`herald hash-key` "
                          "prints them)",
                          hex != nullptr ? line_of(*hex) : line_of(t));
  }
  out.digest = *digest;
  const auto* scopes = t.get_as<toml::array>("scopes");
  if (scopes == nullptr || scopes->empty()) {
    return config_failure(path + ".scopes",
                          "required: a non-empty array of \"register\", \"send\", \"admin\"",
                          line_of(t));
  }
  for (const auto& s : *scopes) {
    const auto* name = s.as_string();
    auto scope = name != nullptr ? protocol::parse_api_scope(name->get()) : std::nullopt;
    if (!scope) {
      return config_failure(path + ".scopes", "expected \"register\", \"send\" or \"admin\"",
                            line_of(s));
    }
    out.scopes |= static_cast<std::uint8_t>(*scope);
  }
  if (const auto* rate = t.get("rate_per_second")) {
    auto value = rate->value<double>();
    if (!value || !(*value > 0.0) || *value > 1e6) {
      return config_failure(path + ".rate_per_second", "expected a number in (0, 1000000]",
                            line_of(*rate));
    }
    out.rate_per_second = *value;
  }
  return out;
}

config_result<std::vector<protocol::api_key>> read_api_keys(const toml::table& app,
                                                            const std::string& path) {
  std::vector<protocol::api_key> out;
  const auto* node = app.get("api_keys");
  if (node == nullptr) {
    return out;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    return config_failure(path + ".api_keys", "expected an array of tables ([[apps.api_keys]])",
                          line_of(*node));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto key_path = path + ".api_keys[" + std::to_string(i) + "]";
    const auto* t = array->get(i)->as_table();
    if (t == nullptr) {
      return config_failure(key_path, "expected a table ([[apps.api_keys]])",
                            line_of(*array->get(i)));
    }
    auto key = read_api_key(*t, key_path);
    HERALD_CONFIG_TRY(key);
    for (const auto& other : out) {
      if (other.id == key.value().id) {
        return config_failure(key_path + ".id", "duplicate key id \"" + other.id + "\"",
                              line_of(*t));
      }
    }
    out.push_back(std::move(key.value()));
  }
  return out;
}

config_result<app_config> read_app(const toml::table& t, const std::string& path,
                                   const config_env& env, seen_set& seen) {
  app_config out;
  // The name cannot come from the environment: the variable names are derived from it.
  const auto* name = t.get("name");
  if (name == nullptr || name->as_string() == nullptr) {
    return config_failure(
        path + ".name",
        name == nullptr ? "required" : "expected a string, got " + std::string(type_name(*name)),
        name == nullptr ? line_of(t) : line_of(*name));
  }
  auto parsed_name = parse_app_name(name->as_string()->get());
  if (!parsed_name) {
    return config_failure(path + ".name", parsed_name.error().message, line_of(*name));
  }
  out.name = parsed_name.value();
  const auto prefix = "HERALD_APPS_" + env_name_part(out.name) + "_";
  config_reader r(&t, path, prefix, env, seen);
  HERALD_CONFIG_TRY(
      r.only_keys({"name", "registration_ttl", "apns", "fcm", "wns", "api_keys", "templates"}));
  HERALD_CONFIG_TRY(
      r.duration_or_never("registration_ttl", std::chrono::minutes(1), out.registration_ttl));

  auto apns_t = provider_table(t, "apns", path);
  HERALD_CONFIG_TRY(apns_t);
  config_reader apns_r(apns_t.value(), path + ".apns", prefix + "APNS_", env, seen);
  auto apns = read_apns(apns_r);
  HERALD_CONFIG_TRY(apns);
  out.apns = std::move(apns.value());

  auto fcm_t = provider_table(t, "fcm", path);
  HERALD_CONFIG_TRY(fcm_t);
  config_reader fcm_r(fcm_t.value(), path + ".fcm", prefix + "FCM_", env, seen);
  auto fcm = read_fcm(fcm_r);
  HERALD_CONFIG_TRY(fcm);
  out.fcm = std::move(fcm.value());

  auto wns_t = provider_table(t, "wns", path);
  HERALD_CONFIG_TRY(wns_t);
  config_reader wns_r(wns_t.value(), path + ".wns", prefix + "WNS_", env, seen);
  auto wns = read_wns(wns_r);
  HERALD_CONFIG_TRY(wns);
  out.wns = std::move(wns.value());

  auto keys = read_api_keys(t, path);
  HERALD_CONFIG_TRY(keys);
  out.api_keys = std::move(keys.value());

  auto templates = read_templates(t, path);
  HERALD_CONFIG_TRY(templates);
  out.templates = std::move(templates.value());

  if (!out.apns && !out.fcm && !out.wns) {
    return config_failure(path,
                          "app \"" + out.name +
                              "\" has no provider: add [apps.apns], [apps.fcm] or "
                              "[apps.wns]",
                          line_of(t));
  }
  return out;
}

} // namespace

config_result<std::vector<app_config>> read_apps(const toml::node* node, const config_env& env,
                                                 seen_set& seen_env) {
  std::vector<app_config> apps;
  if (node == nullptr) {
    return apps;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    return config_failure(
        "apps", "expected an array of tables ([[apps]]), got " + std::string(type_name(*node)),
        line_of(*node));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto path = "apps[" + std::to_string(i) + "]";
    const auto& element = *array->get(i);
    const auto* t = element.as_table();
    if (t == nullptr) {
      return config_failure(path,
                            "expected a table ([[apps]]), got " + std::string(type_name(element)),
                            line_of(element));
    }
    auto app = read_app(*t, path, env, seen_env);
    HERALD_CONFIG_TRY(app);
    for (const auto& other : apps) {
      if (env_name_part(other.name) == env_name_part(app.value().name)) {
        return config_failure(path + ".name",
                              other.name == app.value().name
                                  ? "duplicate app name \"" + other.name + "\""
                                  : "\"" + app.value().name + "\" and \"" + other.name +
                                        "\" share the variable prefix HERALD_APPS_" +
                                        env_name_part(other.name) + "_",
                              line_of(*t));
      }
    }
    // A key must name one app: the REST API tells "another app's key" (403) from "unknown".
    for (const auto& key : app.value().api_keys) {
      for (const auto& other : apps) {
        for (const auto& taken : other.api_keys) {
          if (taken.digest == key.digest) {
            return config_failure(path + ".api_keys",
                                  "key " + key.id + " is also a key of app \"" + other.name +
                                      "\" (" + taken.id + "): give each app its own keys",
                                  line_of(*t));
          }
        }
      }
    }
    apps.push_back(std::move(app.value()));
  }
  return apps;
}

} // namespace herald::app
