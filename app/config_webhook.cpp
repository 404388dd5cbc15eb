#include "app/config_webhook.hpp"

#include <fstream>
#include <sstream>

#include "app/config_reader.hpp"

namespace herald::app {
namespace {

/// `"a, b,c"` → `{a, b, c}`: lists are comma-separated strings so that one `HERALD_*`
/// variable can hold them too.
config_result<std::vector<std::string>> parse_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    auto item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    if (!item.empty()) {
      out.emplace_back(item);
    }
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

config_result<std::vector<webhook_jwt_key_file>> parse_key_files(std::string_view s) {
  auto items = parse_list(s);
  HERALD_CONFIG_TRY(items);
  std::vector<webhook_jwt_key_file> out;
  for (const auto& item : items.value()) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return config_failure("", "expected \"kid=public-key.pem, ...\", got \"" + item + "\"");
    }
    out.push_back({item.substr(0, eq), std::filesystem::path(item.substr(eq + 1))});
  }
  return out;
}

config_result<std::string> parse_parameter(std::string_view s) {
  if (s.empty() || s.find_first_of("&=#? ") != std::string_view::npos) {
    return config_failure("", "expected a query parameter name like \"code\"");
  }
  return std::string(s);
}

config_result<std::string> read_text_file(const std::string& key,
                                          const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec)) {
    return config_failure(key, "cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

config_result<protocol::webhook_auth_settings> to_auth_settings(const webhook_config& cfg) {
  protocol::webhook_auth_settings out;
  out.query_parameter = cfg.query_parameter;
  for (const auto* s : {&cfg.query_secret, &cfg.query_secret_next}) {
    if (!s->empty()) {
      out.query_secrets.push_back(s->reveal());
    }
  }
  for (const auto* s : {&cfg.sas_key, &cfg.sas_key_next}) {
    if (!s->empty()) {
      out.sas_keys.push_back(s->reveal());
    }
  }
  if (!cfg.jwt_audience.empty()) {
    protocol::webhook_jwt_settings jwt;
    jwt.audience = cfg.jwt_audience;
    jwt.issuers = cfg.jwt_issuers;
    jwt.app_id = cfg.jwt_app_id;
    jwt.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(cfg.jwt_clock_skew);
    for (const auto& k : cfg.jwt_keys) {
      auto pem = read_text_file("webhook.jwt_keys", k.file);
      HERALD_CONFIG_TRY(pem);
      jwt.keys.push_back({k.kid, std::move(pem).value()});
    }
    out.jwt = std::move(jwt);
  }
  return out;
}

} // namespace

config_result<void> read_webhook(const toml::table* table, const config_env& env,
                                 std::set<std::string, std::less<>>& seen_env,
                                 webhook_config& out) {
  config_reader r(table, "webhook", "HERALD_WEBHOOK_", env, seen_env);
  HERALD_CONFIG_TRY(r.only_keys({"query_parameter", "query_secret", "query_secret_next", "sas_key",
                                 "sas_key_next", "subscriptions", "jwt_audience", "jwt_issuers",
                                 "jwt_app_id", "jwt_keys", "jwt_clock_skew"}));
  HERALD_CONFIG_TRY(r.parsed("query_parameter", out.query_parameter, parse_parameter));
  HERALD_CONFIG_TRY(r.text("query_secret", out.query_secret));
  HERALD_CONFIG_TRY(r.text("query_secret_next", out.query_secret_next));
  HERALD_CONFIG_TRY(r.text("sas_key", out.sas_key));
  HERALD_CONFIG_TRY(r.text("sas_key_next", out.sas_key_next));
  HERALD_CONFIG_TRY(r.parsed("subscriptions", out.subscriptions, parse_list));
  HERALD_CONFIG_TRY(r.text("jwt_audience", out.jwt_audience));
  HERALD_CONFIG_TRY(r.parsed("jwt_issuers", out.jwt_issuers, parse_list));
  HERALD_CONFIG_TRY(r.text("jwt_app_id", out.jwt_app_id));
  HERALD_CONFIG_TRY(r.parsed("jwt_keys", out.jwt_keys, parse_key_files));
  HERALD_CONFIG_TRY(r.duration("jwt_clock_skew", std::chrono::milliseconds(0), out.jwt_clock_skew));
  if (!out.jwt_audience.empty()) {
    if (out.jwt_issuers.empty()) {
      return config_failure(r.key_path("jwt_issuers"), "required with jwt_audience (e.g. "
                                                       "\"https://sts.windows.net/<tenant-id>/\")");
    }
    if (out.jwt_keys.empty()) {
      return config_failure(r.key_path("jwt_keys"),
                            "required with jwt_audience (\"kid=public-key.pem, ...\")");
    }
  }
  return config_ok();
}

config_result<void> check_webhook(const webhook_config& cfg, bool dev) {
  if (!dev && !cfg.any_method()) {
    return config_failure("webhook.query_secret",
                          "no webhook authentication configured: set webhook.query_secret, "
                          "webhook.sas_key or webhook.jwt_audience (or node.dev = true to "
                          "accept unauthenticated events)");
  }
  HERALD_CONFIG_TRY(make_webhook_authenticator(cfg));
  return config_ok();
}

config_result<std::shared_ptr<const protocol::webhook_authenticator>>
make_webhook_authenticator(const webhook_config& cfg) {
  auto settings = to_auth_settings(cfg);
  HERALD_CONFIG_TRY(settings);
  auto auth = protocol::webhook_authenticator::make(std::move(settings).value());
  if (!auth) {
    // Key files are the only input left to fail here (the reader checked the rest); the
    // error names the kid, never a secret.
    return config_failure("webhook.jwt_keys", auth.error().field + ": " + auth.error().message);
  }
  if (!auth.value().enabled()) {
    return std::shared_ptr<const protocol::webhook_authenticator>{};
  }
  return std::make_shared<const protocol::webhook_authenticator>(std::move(auth).value());
}

std::string summarize(const webhook_config& cfg) {
  std::string methods;
  auto add = [&](bool on, const char* name) {
    if (on) {
      methods += methods.empty() ? name : std::string(",") + name;
    }
  };
  add(!cfg.query_secret.empty() || !cfg.query_secret_next.empty(), "query");
  add(!cfg.sas_key.empty() || !cfg.sas_key_next.empty(), "sas");
  add(!cfg.jwt_audience.empty(), "jwt");
  return "webhook: auth=" + (methods.empty() ? std::string("none") : methods) +
         " subscriptions=" + std::to_string(cfg.subscriptions.size()) + "\n";
}

} // namespace herald::app
