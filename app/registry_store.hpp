#pragma once

#include <string>

#include "actors/router_shard.hpp"
#include "store/store_error.hpp"

namespace herald::app {

struct config;

/// The node's device registry engine, opened once at start.
struct registry_store {
  /// Makes one registry object per caller (each router shard, the sweeper): SQLite objects
  /// open their own connection to the file; PostgreSQL objects share one connection pool.
  actors::registry_factory open;
  /// For logs: `sqlite <path>` or `postgresql` (never the URL: it may hold a password).
  std::string description;
};

/// Opens the registry `cfg.registry` names: PostgreSQL when `registry.postgres_url` is set
/// (a pool of `postgres_connections`, or shards + 1, connections; the schema migrated),
/// else the SQLite file `node.data_dir/registry.db` (created and migrated). Opening once
/// here means a registry that cannot be reached stops the start with a clear error, instead
/// of a shard quitting later and dropping what is routed to it.
[[nodiscard]] store::result<registry_store> open_registry_store(const config& cfg);

} // namespace herald::app
