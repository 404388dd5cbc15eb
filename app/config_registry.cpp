#include "app/config_registry.hpp"

#include "app/config_duration.hpp"
#include "app/config_reader.hpp"

namespace herald::app {
namespace {

/// libpq takes a URI (`postgresql://…`, `postgres://…`) or `key=value` pairs; anything else is
/// a mistake worth catching before the first connect.
bool looks_like_conninfo(std::string_view s) {
  return s.starts_with("postgresql://") || s.starts_with("postgres://") ||
         s.find('=') != std::string_view::npos;
}

} // namespace

config_result<registry_config> read_registry(const toml::table* table, const config_env& env,
                                             std::set<std::string, std::less<>>& seen_env) {
  registry_config out;
  config_reader r(table, "registry", "HERALD_REGISTRY_", env, seen_env);
  HERALD_CONFIG_TRY(r.only_keys({"cache_capacity", "cache_max_age", "sweep_interval",
                                 "postgres_url", "postgres_connections"}));
  auto capacity = static_cast<std::int64_t>(out.cache_capacity);
  HERALD_CONFIG_TRY(r.integer("cache_capacity", 0, 100'000'000, capacity));
  out.cache_capacity = static_cast<std::size_t>(capacity);
  HERALD_CONFIG_TRY(
      r.duration_or_never("cache_max_age", std::chrono::seconds(1), out.cache_max_age));
  HERALD_CONFIG_TRY(r.duration("sweep_interval", std::chrono::seconds(1), out.sweep_interval));
  HERALD_CONFIG_TRY(r.text("postgres_url", out.postgres_url));
  if (!out.postgres_url.empty() && !looks_like_conninfo(out.postgres_url.reveal())) {
    // The value itself stays out of the message: it may hold a password.
    const auto var = r.env_name("postgres_url");
    return config_failure(env.find(var) != nullptr ? var : r.key_path("postgres_url"),
                          "expected postgresql://user@host:port/database or libpq key=value "
                          "pairs (host=… dbname=…)");
  }
  auto connections = static_cast<std::int64_t>(out.postgres_connections);
  HERALD_CONFIG_TRY(r.integer("postgres_connections", 0, 1000, connections));
  out.postgres_connections = static_cast<std::size_t>(connections);
  return out;
}

std::string summarize(const registry_config& cfg) {
  std::string out = "registry: store=";
  out += cfg.postgres_url.empty() ? "sqlite" : "postgresql url=***";
  if (!cfg.postgres_url.empty()) {
    out += " connections=" + (cfg.postgres_connections == 0
                                  ? std::string("auto")
                                  : std::to_string(cfg.postgres_connections));
  }
  out += " cache_capacity=" + std::to_string(cfg.cache_capacity) + " cache_max_age=" +
         (cfg.cache_max_age ? format_duration(*cfg.cache_max_age) : std::string("never")) +
         " sweep_interval=" + format_duration(cfg.sweep_interval) + "\n";
  return out;
}

} // namespace herald::app
