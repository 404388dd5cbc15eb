#include "app/registry_store.hpp"

#include "app/config.hpp"
#include "store/postgres_registry.hpp"
#include "store/sqlite_registry.hpp"

namespace herald::app {

store::result<registry_store> open_registry_store(const config& cfg) {
  if (!cfg.registry.postgres_url.empty()) {
    store::postgres_pool_options options;
    options.url = cfg.registry.postgres_url.reveal();
    // Each shard and the sweeper hold at most one connection at a time.
    options.connections = cfg.registry.postgres_connections != 0
                              ? cfg.registry.postgres_connections
                              : static_cast<std::size_t>(cfg.node.shards) + 1;
    auto pool = store::postgres_registry::connect(std::move(options));
    if (!pool) {
      return pool.error();
    }
    registry_store out;
    out.description = "postgresql";
    out.open = [pool =
                    std::move(pool).value()]() -> store::result<std::unique_ptr<store::registry>> {
      return std::unique_ptr<store::registry>(std::make_unique<store::postgres_registry>(pool));
    };
    return out;
  }
  auto path = cfg.node.data_dir / "registry.db";
  if (auto first = store::sqlite_registry::open(path); !first) {
    return first.error();
  }
  registry_store out;
  out.description = "sqlite " + path.string();
  out.open = [path]() -> store::result<std::unique_ptr<store::registry>> {
    auto opened = store::sqlite_registry::open(path);
    if (!opened) {
      return opened.error();
    }
    return std::unique_ptr<store::registry>(std::move(opened).value());
  };
  return out;
}

} // namespace herald::app
