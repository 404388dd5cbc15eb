#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "actors/node_metrics.hpp"
#include "actors/registry_cache.hpp"
#include "store/registry.hpp"

namespace herald::actors {

/// A router shard's registry: a `store::registry` that answers `find_by_identity` from a
/// bounded `registry_cache` and keeps that cache right through every write it makes.
///
/// Writes go to the store first, then each identity whose registrations they changed is
/// dropped from the cache and reported to `changed`: an upsert that moves a device to another
/// identity also changes the old identity, which may be cached by another shard (the shard
/// forwards it there). Writes by other processes sharing the store (nodes on one PostgreSQL)
/// are not seen: `max_age` bounds how long an entry may miss them. Upserts learn those
/// identities from `upsert_all_displacing` (PostgreSQL: from the write statement itself);
/// a failed upsert also drops every local entry holding a written key. Removing a device
/// reads the device's current registrations first; with capacity 0 (no cache anywhere)
/// neither is asked for. A pruned token's identities are unknown, so every entry holding the
/// token is dropped here; another shard may keep one until its next write (a push to a token
/// the provider already refused, which prunes it again). Expiry needs no invalidation: the
/// cache never serves an expired registration. Other reads pass through.
/// Counts `herald_registry_cache_{hits,misses,evictions}_total` and the entries gauge (not
/// with capacity 0).
/// Lifecycle: owns the store object; one per shard. Threading: like every `registry`, used by
/// one thread at a time.
class cached_registry final : public store::registry {
public:
  /// Called after a write with each identity whose registrations it changed.
  using change_hook = std::function<void(const std::string& identity)>;

  cached_registry(std::unique_ptr<store::registry> inner, registry_cache_options cache,
                  std::shared_ptr<node_metrics> metrics, change_hook changed = {});
  ~cached_registry() override;
  cached_registry(const cached_registry&) = delete;
  cached_registry& operator=(const cached_registry&) = delete;

  /// Drops `identity`'s cache entry: another shard changed its registrations.
  void forget(std::string_view identity);

  /// The identity's unexpired registrations at `now`, like `find_by_identity`, without
  /// copying a cached list: the router's lookup on every push.
  [[nodiscard]] store::result<registry_cache::shared_registrations>
  find_shared_by_identity(std::string_view identity, time_point now);

  /// Identities cached now.
  [[nodiscard]] std::size_t cached() const noexcept { return cache_.size(); }

  [[nodiscard]] store::result<void> upsert(const protocol::registration& r) override;
  [[nodiscard]] store::result<void>
  upsert_all(std::span<const protocol::registration> registrations) override;
  [[nodiscard]] store::result<std::vector<protocol::registration>>
  find_by_identity(std::string_view identity, time_point now) override;
  [[nodiscard]] store::result<std::vector<protocol::registration>>
  find_device(std::string_view app, std::string_view device_id, time_point now) override;
  [[nodiscard]] store::result<std::vector<protocol::registration>>
  list_app(std::string_view app, time_point now, std::string_view after_device,
           std::string_view after_platform, std::size_t limit) override;
  [[nodiscard]] store::result<std::size_t>
  remove_device(std::string_view app, std::string_view device_id,
                std::optional<protocol::platform> channel) override;
  [[nodiscard]] store::result<std::size_t> remove_identity(std::string_view app,
                                                           std::string_view identity) override;
  [[nodiscard]] store::result<bool> prune_token(std::string_view app, protocol::platform channel,
                                                std::string_view token,
                                                std::optional<time_point> dead_since) override;
  [[nodiscard]] store::result<std::size_t> purge_expired(time_point now) override;

private:
  /// Drops `identity` and reports it to the hook.
  void changed(const std::string& identity);
  /// Moves the entries gauge by the cache's change in size since the last call.
  void track_size();

  std::unique_ptr<store::registry> inner_;
  registry_cache cache_;
  std::shared_ptr<node_metrics> metrics_;
  change_hook changed_;
  std::size_t gauged_ = 0; ///< Cache size last added to the entries gauge.
};

} // namespace herald::actors
