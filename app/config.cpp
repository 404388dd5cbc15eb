#include "app/config.hpp"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "app/config_apps.hpp"
#include "app/config_duration.hpp"
#include "app/config_reader.hpp"
#include "app/http_listeners.hpp"

namespace herald::app {
namespace {

using seen_set = std::set<std::string, std::less<>>;

config_result<log_level> parse_log_level(std::string_view s) {
  for (auto l :
       {log_level::trace, log_level::debug, log_level::info, log_level::warn, log_level::error}) {
    if (to_string(l) == s) {
      return l;
    }
  }
  return config_failure("", "unknown level \"" + std::string(s) +
                                "\" (trace, debug, info, warn, error)");
}

config_result<log_format> parse_log_format(std::string_view s) {
  if (s == "json") {
    return log_format::json;
  }
  if (s == "text") {
    return log_format::text;
  }
  return config_failure("", "unknown format \"" + std::string(s) + "\" (json, text)");
}

config_result<std::string> parse_http_path(std::string_view s) {
  if (s.empty() || s.front() != '/' || s.find_first_of("?# ") != std::string_view::npos) {
    return config_failure("", "expected an absolute path like \"/api/events\", got \"" +
                                  std::string(s) + "\"");
  }
  return std::string(s);
}

config_result<std::filesystem::path> parse_non_empty_path(std::string_view s) {
  if (s.empty()) {
    return config_failure("", "must not be empty");
  }
  return std::filesystem::path(s);
}

/// The `[section]` table, or nullptr when absent; an error when it is not a table.
config_result<const toml::table*> section(const toml::table& root, std::string_view name) {
  const auto* node = root.get(name);
  if (node == nullptr) {
    return static_cast<const toml::table*>(nullptr);
  }
  if (const auto* t = node->as_table()) {
    return t;
  }
  return config_failure(std::string(name),
                        "expected a table ([" + std::string(name) + "]), got " +
                            std::string(type_name(*node)),
                        line_of(*node));
}

config_result<std::string> parse_scheduler(std::string_view s) {
  if (s == "stealing" || s == "sharing") {
    return std::string(s);
  }
  return config_failure("", "unknown scheduler \"" + std::string(s) + "\" (stealing, sharing)");
}

config_result<void> read_node(const toml::table& root, const config_env& env, seen_set& seen,
                              node_config& out) {
  auto t = section(root, "node");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "node", "HERALD_NODE_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"data_dir", "shards", "shutdown_timeout", "dev", "scheduler",
                                 "actor_threads", "max_throughput"}));
  HERALD_CONFIG_TRY(r.parsed("data_dir", out.data_dir, parse_non_empty_path));
  std::int64_t shards = out.shards;
  HERALD_CONFIG_TRY(r.integer("shards", 1, 256, shards));
  out.shards = static_cast<int>(shards);
  HERALD_CONFIG_TRY(
      r.duration("shutdown_timeout", std::chrono::milliseconds(0), out.shutdown_timeout));
  HERALD_CONFIG_TRY(r.boolean("dev", out.dev));
  HERALD_CONFIG_TRY(r.parsed("scheduler", out.scheduler, parse_scheduler));
  std::int64_t threads = out.actor_threads;
  HERALD_CONFIG_TRY(r.integer("actor_threads", 0, 256, threads));
  out.actor_threads = static_cast<int>(threads);
  std::int64_t throughput = out.max_throughput;
  HERALD_CONFIG_TRY(r.integer("max_throughput", 0, 1'000'000, throughput));
  out.max_throughput = static_cast<int>(throughput);
  return config_ok();
}

config_result<void> read_http(const toml::table& root, const config_env& env, seen_set& seen,
                              http_config& out) {
  auto t = section(root, "http");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "http", "HERALD_HTTP_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"listen", "webhook_path", "body_limit", "threads", "tls_cert_file",
                                 "tls_key_file", "h2", "max_concurrent_streams", "admin_listen",
                                 "read_timeout", "idle_timeout", "write_timeout", "max_connections",
                                 "max_client_resets", "reset_window"}));
  HERALD_CONFIG_TRY(r.parsed("listen", out.listen, parse_listen_address));
  HERALD_CONFIG_TRY(r.parsed("webhook_path", out.webhook_path, parse_http_path));
  // Below 64 KiB a single Event Grid event could already be refused; above 64 MiB one
  // request could take a node's memory.
  auto limit = static_cast<std::int64_t>(out.body_limit);
  HERALD_CONFIG_TRY(r.integer("body_limit", 65'536, 64 * 1'048'576, limit));
  out.body_limit = static_cast<std::size_t>(limit);
  std::int64_t threads = out.threads;
  HERALD_CONFIG_TRY(r.integer("threads", 0, 64, threads));
  out.threads = static_cast<int>(threads);
  return read_http_listener(r, out);
}

config_result<durability_mode> parse_durability(std::string_view s) {
  if (s == "journal") {
    return durability_mode::journal;
  }
  if (s == "none") {
    return durability_mode::none;
  }
  return config_failure("", "unknown durability \"" + std::string(s) + "\" (journal, none)");
}

config_result<void> read_ingest(const toml::table& root, const config_env& env, seen_set& seen,
                                ingest_config& out) {
  auto t = section(root, "ingest");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "ingest", "HERALD_INGEST_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"durability", "max_in_flight_events", "dedupe_window",
                                 "dedupe_capacity", "journal_commit_delay"}));
  HERALD_CONFIG_TRY(r.parsed("durability", out.durability, parse_durability));
  auto budget = static_cast<std::int64_t>(out.max_in_flight_events);
  HERALD_CONFIG_TRY(r.integer("max_in_flight_events", 1, 100'000'000, budget));
  out.max_in_flight_events = static_cast<std::size_t>(budget);
  HERALD_CONFIG_TRY(r.duration("dedupe_window", std::chrono::milliseconds(0), out.dedupe_window));
  auto capacity = static_cast<std::int64_t>(out.dedupe_capacity);
  HERALD_CONFIG_TRY(r.integer("dedupe_capacity", 0, 100'000'000, capacity));
  out.dedupe_capacity = static_cast<std::size_t>(capacity);
  HERALD_CONFIG_TRY(r.parsed("journal_commit_delay", out.journal_commit_delay,
                             [](std::string_view s) -> config_result<std::chrono::milliseconds> {
                               auto d = parse_duration(s);
                               if (d && d.value() > std::chrono::milliseconds(100)) {
                                 return config_failure(
                                     "", "at most 100ms (it delays every webhook answer)");
                               }
                               return d;
                             }));
  return config_ok();
}

config_result<void> read_metrics(const toml::table& root, const config_env& env, seen_set& seen,
                                 metrics_config& out) {
  auto t = section(root, "metrics");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "metrics", "HERALD_METRICS_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"listen"}));
  HERALD_CONFIG_TRY(r.parsed("listen", out.listen, parse_listen_address));
  return config_ok();
}

config_result<void> read_notifications(const toml::table& root, const config_env& env,
                                       seen_set& seen, notifications_config& out) {
  auto t = section(root, "notifications");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "notifications", "HERALD_NOTIFICATIONS_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"retention", "max_tracked"}));
  HERALD_CONFIG_TRY(r.duration("retention", std::chrono::seconds(1), out.retention));
  auto tracked = static_cast<std::int64_t>(out.max_tracked);
  HERALD_CONFIG_TRY(r.integer("max_tracked", 1, 10'000'000, tracked));
  out.max_tracked = static_cast<std::size_t>(tracked);
  return config_ok();
}

config_result<void> read_log(const toml::table& root, const config_env& env, seen_set& seen,
                             log_config& out) {
  auto t = section(root, "log");
  HERALD_CONFIG_TRY(t);
  config_reader r(t.value(), "log", "HERALD_LOG_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"level", "format"}));
  HERALD_CONFIG_TRY(r.parsed("level", out.level, parse_log_level));
  HERALD_CONFIG_TRY(r.parsed("format", out.format, parse_log_format));
  return config_ok();
}

config_result<void> check_listeners(const config& cfg) {
  const auto& a = cfg.http.listen;
  const auto& b = cfg.metrics.listen;
  if (a.port != 0 && a.port == b.port && a.host == b.host) {
    return config_failure("metrics.listen", "same address as http.listen (" + a.to_string() + ")");
  }
  if (const auto& admin = cfg.http.admin_listen; admin && admin->port != 0) {
    for (const auto* other : {&a, &b}) {
      if (admin->port == other->port && admin->host == other->host) {
        return config_failure("http.admin_listen",
                              "same address as " + std::string(other == &a ? "http" : "metrics") +
                                  ".listen (" + admin->to_string() + ")");
      }
    }
  }
  return config_ok();
}

config_result<void> reject_unknown_env(const config_env& env, const seen_set& seen) {
  for (const auto& [name, value] : env.vars) {
    if (!name.starts_with("HERALD_") || seen.contains(name)) {
      continue;
    }
    bool reserved = false;
    for (const auto r : config_env::reserved) {
      reserved = reserved || name == r;
    }
    if (!reserved) {
      return config_failure(name, "no configuration key has this variable (misspelt, or an "
                                  "app that is not in the file?)");
    }
  }
  return config_ok();
}

} // namespace

std::string_view to_string(log_level l) noexcept {
  switch (l) {
  case log_level::trace:
    return "trace";
  case log_level::debug:
    return "debug";
  case log_level::info:
    return "info";
  case log_level::warn:
    return "warn";
  case log_level::error:
    return "error";
  }
  return "info";
}

std::string_view to_string(log_format f) noexcept {
  return f == log_format::text ? "text" : "json";
}

std::string_view to_string(durability_mode d) noexcept {
  return d == durability_mode::none ? "none" : "journal";
}

config_result<config> parse_config(std::string_view toml_text, const config_env& env,
                                   std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    // toml++ reports syntax errors only by exception; turn it into a value here.
    return config_failure(std::string(source_name), std::string(e.description()),
                          static_cast<int>(e.source().begin.line));
  }
  for (const auto& [key, node] : root) {
    const auto k = key.str();
    if (k != "node" && k != "http" && k != "webhook" && k != "ingest" && k != "metrics" &&
        k != "log" && k != "apps" && k != "servicebus" && k != "registry" && k != "notifications") {
      return config_failure(std::string(k), "unknown key", line_of(node));
    }
  }
  config cfg;
  seen_set seen;
  HERALD_CONFIG_TRY(read_node(root, env, seen, cfg.node));
  HERALD_CONFIG_TRY(read_http(root, env, seen, cfg.http));
  auto webhook = section(root, "webhook");
  HERALD_CONFIG_TRY(webhook);
  HERALD_CONFIG_TRY(read_webhook(webhook.value(), env, seen, cfg.webhook));
  HERALD_CONFIG_TRY(read_ingest(root, env, seen, cfg.ingest));
  auto registry_table = section(root, "registry");
  HERALD_CONFIG_TRY(registry_table);
  auto registry = read_registry(registry_table.value(), env, seen);
  HERALD_CONFIG_TRY(registry);
  cfg.registry = std::move(registry).value();
  HERALD_CONFIG_TRY(read_metrics(root, env, seen, cfg.metrics));
  HERALD_CONFIG_TRY(read_notifications(root, env, seen, cfg.notifications));
  HERALD_CONFIG_TRY(read_log(root, env, seen, cfg.log));
  auto apps = read_apps(root.get("apps"), env, seen);
  HERALD_CONFIG_TRY(apps);
  cfg.apps = std::move(apps.value());
  auto servicebus = read_servicebus(root.get("servicebus"), env, seen);
  HERALD_CONFIG_TRY(servicebus);
  cfg.servicebus = std::move(servicebus.value());
  HERALD_CONFIG_TRY(check_listeners(cfg));
  HERALD_CONFIG_TRY(reject_unknown_env(env, seen));
  return cfg;
}

config_result<config> load_config(const std::filesystem::path& file, const config_env& env) {
  std::error_code ec;
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file, ec)) {
    return config_failure("--config", "cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto cfg = parse_config(text.str(), env, file.string());
  if (cfg) {
    cfg.value().source = file;
  }
  return cfg;
}

config_result<config> load_config(const std::filesystem::path& file) {
  return load_config(file, config_env::from_process());
}

} // namespace herald::app
