#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "store/postgres_pool.hpp"
#include "store/registry.hpp"

namespace herald::store {

class postgres_params;

/// The device registry in a shared PostgreSQL database (clusters of nodes).
///
/// Same semantics as `sqlite_registry` (same columns, millisecond times, byte-wise order).
/// Lifecycle: `connect` opens a `postgres_pool` and migrates the schema once; then any
/// number of `postgres_registry` objects are made on that pool: they are cheap views (a
/// shared pointer), typically one per router shard. Statements are prepared lazily on each
/// connection and parameters are always bound, never spliced into SQL.
/// Threading: an object is used by one thread at a time (like every `registry`); the pool
/// behind it is shared and thread-safe. Every call is idempotent, so a call that finds its
/// connection broken (server restart, failover) is retried once on a fresh connection.
class postgres_registry final : public registry {
public:
  /// Opens a pool on `options.url` and brings its schema to `postgres_schema_latest` (safe
  /// when several nodes start at once). Fails with `unavailable` (unreachable, refused
  /// login, newer schema) or another `errc` from the migration.
  [[nodiscard]] static result<std::shared_ptr<postgres_pool>>
  connect(postgres_pool_options options);

  /// A registry view on `pool`, which must have been migrated by `connect`.
  explicit postgres_registry(std::shared_ptr<postgres_pool> pool);

  [[nodiscard]] result<void> upsert(const protocol::registration& r) override;
  [[nodiscard]] result<void>
  upsert_all(std::span<const protocol::registration> registrations) override;
  /// One statement for the whole batch (one round trip, one commit), the previous owners
  /// returned by the same statement.
  [[nodiscard]] result<std::vector<std::string>>
  upsert_all_displacing(std::span<const protocol::registration> registrations) override;
  [[nodiscard]] result<std::vector<protocol::registration>>
  find_by_identity(std::string_view identity, time_point now) override;
  [[nodiscard]] result<std::vector<protocol::registration>>
  find_device(std::string_view app, std::string_view device_id, time_point now) override;
  [[nodiscard]] result<std::vector<protocol::registration>>
  list_app(std::string_view app, time_point now, std::string_view after_device,
           std::string_view after_platform, std::size_t limit) override;
  [[nodiscard]] result<std::size_t>
  remove_device(std::string_view app, std::string_view device_id,
                std::optional<protocol::platform> channel) override;
  [[nodiscard]] result<std::size_t> remove_identity(std::string_view app,
                                                    std::string_view identity) override;
  [[nodiscard]] result<bool> prune_token(std::string_view app, protocol::platform channel,
                                         std::string_view token,
                                         std::optional<time_point> dead_since) override;
  [[nodiscard]] result<std::size_t> purge_expired(time_point now) override;

  /// Schema version recorded in the database.
  [[nodiscard]] result<int> schema_version();

private:
  enum statement_id : std::size_t {
    upsert_stmt,
    find_identity_stmt,
    find_device_stmt,
    remove_device_stmt,
    remove_identity_stmt,
    prune_token_stmt,
    purge_expired_stmt,
    list_app_stmt,
    upsert_batch_stmt,
    statement_count
  };

  /// Rows of a find, the affected-row count of a write, or the displaced identities of a
  /// batch upsert.
  struct outcome {
    std::vector<protocol::registration> rows;
    std::size_t changed = 0;
    std::vector<std::string> identities;
  };

  /// Runs a statement on a pooled connection, retried once on a fresh one if it was broken.
  [[nodiscard]] result<outcome> run(statement_id id, const postgres_params& params);
  /// Runs a statement (prepared on first use) on `lease`; a broken connection is discarded.
  [[nodiscard]] static result<outcome> run_on(postgres_pool::lease& lease, statement_id id,
                                              const postgres_params& params);
  /// The upsert statement's parameters for `r`.
  [[nodiscard]] static postgres_params upsert_params(const protocol::registration& r);
  /// The batch upsert's column arrays for `registrations`, one element per distinct key.
  [[nodiscard]] static postgres_params
  batch_params(std::span<const protocol::registration> registrations);

  std::shared_ptr<postgres_pool> pool_;
};

} // namespace herald::store
