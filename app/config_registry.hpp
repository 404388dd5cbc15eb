#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "app/config_env.hpp"
#include "app/config_error.hpp"
#include "app/config_secret.hpp"

namespace herald::app {

/// `[registry]`: where device registrations live and how they are cached and swept.
struct registry_config {
  /// Identities the router shards cache, node-wide (split evenly between the shards);
  /// 0 disables the cache.
  std::size_t cache_capacity = 100'000;
  /// How long a cached identity is served before it is read again: the bound on how long a
  /// change made by another node sharing PostgreSQL goes unseen (changes made through this
  /// node are seen at once). nullopt ("never"): no bound, for one node alone on its store.
  std::optional<std::chrono::milliseconds> cache_max_age = std::chrono::seconds(30);
  /// Period of the sweeper that deletes expired registrations.
  std::chrono::milliseconds sweep_interval = std::chrono::hours(1);
  /// libpq URI or connection string of a shared PostgreSQL registry; empty: the node's own
  /// SQLite file (`node.data_dir/registry.db`). A secret: it may hold a password.
  secret postgres_url;
  /// Connections of the PostgreSQL pool; 0: one per shard plus one for the sweeper.
  std::size_t postgres_connections = 0;
};

/// Reads `[registry]` (`table` may be null) with its `HERALD_REGISTRY_…` overrides; internal
/// to the config loader. Fails naming the key: a capacity out of 0..100000000, a cache age
/// under one second (or "never"), a sweep
/// interval under one second, a PostgreSQL URL that is neither a `postgresql://` /
/// `postgres://` URI nor a `key=value` connection string.
[[nodiscard]] config_result<registry_config>
read_registry(const toml::table* table, const config_env& env,
              std::set<std::string, std::less<>>& seen_env);

/// One line for `summarize`: the store (the PostgreSQL URL without its password), cache
/// capacity and sweep interval.
[[nodiscard]] std::string summarize(const registry_config& cfg);

} // namespace herald::app
