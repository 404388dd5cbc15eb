#include "actors/cached_registry.hpp"

namespace herald::actors {

namespace {

/// Before any real expiry: reads at this instant see expired rows too, so every identity a
/// write touches is known whatever the clock says.
constexpr store::registry::time_point any_time{};

} // namespace

cached_registry::cached_registry(std::unique_ptr<store::registry> inner,
                                 registry_cache_options cache,
                                 std::shared_ptr<node_metrics> metrics, change_hook changed)
    : inner_(std::move(inner)), cache_(cache), metrics_(std::move(metrics)),
      changed_(std::move(changed)) {}

cached_registry::~cached_registry() {
  cache_.clear();
  track_size();
}

void cached_registry::forget(std::string_view identity) {
  cache_.drop(identity);
  track_size();
}

void cached_registry::changed(const std::string& identity) {
  cache_.drop(identity);
  if (changed_) {
    changed_(identity);
  }
}

void cached_registry::track_size() {
  const auto now = cache_.size();
  if (metrics_ && now != gauged_) {
    metrics_->registry_cache_entries().Increment(static_cast<double>(now) -
                                                 static_cast<double>(gauged_));
  }
  gauged_ = now;
}

store::result<void> cached_registry::upsert(const protocol::registration& r) {
  return upsert_all(std::span(&r, 1));
}

store::result<void>
cached_registry::upsert_all(std::span<const protocol::registration> registrations) {
  if (cache_.capacity() == 0) { // nothing cached anywhere: no need to learn who lost a device
    auto done = registrations.size() == 1 ? inner_->upsert(registrations.front())
                                          : inner_->upsert_all(registrations);
    for (const auto& r : registrations) {
      changed(r.identity);
    }
    return done;
  }
  auto displaced = inner_->upsert_all_displacing(registrations);
  // Dropped even when the write failed: the store's state is then unknown.
  for (const auto& r : registrations) {
    changed(r.identity);
  }
  if (!displaced) {
    // Who held these keys is unknown too: drop every entry here holding one of them.
    cache_.drop_holding([registrations](const protocol::registration& held) {
      for (const auto& r : registrations) {
        if (held.app == r.app && held.device_id == r.device_id && held.channel == r.channel) {
          return true;
        }
      }
      return false;
    });
    track_size();
    return displaced.error();
  }
  for (const auto& identity : displaced.value()) {
    changed(identity);
  }
  track_size();
  return store::ok();
}

store::result<registry_cache::shared_registrations>
cached_registry::find_shared_by_identity(std::string_view identity, time_point now) {
  if (cache_.capacity() == 0) {
    auto found = inner_->find_by_identity(identity, now);
    if (!found) {
      return found.error();
    }
    return registry_cache::shared_registrations{
        std::make_shared<const registry_cache::registrations>(std::move(found).value())};
  }
  if (auto hit = cache_.find_shared(identity, now)) {
    if (metrics_) {
      metrics_->registry_cache_hits().Increment();
    }
    return hit;
  }
  if (metrics_) {
    metrics_->registry_cache_misses().Increment();
  }
  // Cached as of any time, served filtered by `now`: an entry stays right as time passes.
  auto found = inner_->find_by_identity(identity, any_time);
  if (!found) {
    return found.error();
  }
  auto evicted = cache_.put(std::string(identity), std::move(found).value(), now);
  if (metrics_ && evicted > 0) {
    metrics_->registry_cache_evictions().Increment(static_cast<double>(evicted));
  }
  track_size();
  return cache_.find_shared(identity, now);
}

store::result<std::vector<protocol::registration>>
cached_registry::find_by_identity(std::string_view identity, time_point now) {
  if (cache_.capacity() == 0) {
    return inner_->find_by_identity(identity, now);
  }
  auto found = find_shared_by_identity(identity, now);
  if (!found) {
    return found.error();
  }
  return *found.value();
}

store::result<std::vector<protocol::registration>>
cached_registry::find_device(std::string_view app, std::string_view device_id, time_point now) {
  return inner_->find_device(app, device_id, now);
}

store::result<std::vector<protocol::registration>>
cached_registry::list_app(std::string_view app, time_point now, std::string_view after_device,
                          std::string_view after_platform, std::size_t limit) {
  return inner_->list_app(app, now, after_device, after_platform, limit);
}

store::result<std::size_t>
cached_registry::remove_device(std::string_view app, std::string_view device_id,
                               std::optional<protocol::platform> channel) {
  std::vector<std::string> owners;
  if (cache_.capacity() > 0) {
    auto before = inner_->find_device(app, device_id, any_time);
    if (!before) {
      return before.error();
    }
    for (const auto& old : before.value()) {
      if (!channel || old.channel == *channel) {
        owners.push_back(old.identity);
      }
    }
  }
  auto removed = inner_->remove_device(app, device_id, channel);
  for (const auto& identity : owners) {
    changed(identity);
  }
  track_size();
  return removed;
}

store::result<std::size_t> cached_registry::remove_identity(std::string_view app,
                                                            std::string_view identity) {
  auto removed = inner_->remove_identity(app, identity);
  changed(std::string(identity));
  track_size();
  return removed;
}

store::result<bool> cached_registry::prune_token(std::string_view app, protocol::platform channel,
                                                 std::string_view token,
                                                 std::optional<time_point> dead_since) {
  auto pruned = inner_->prune_token(app, channel, token, dead_since);
  cache_.drop_holding([&](const protocol::registration& r) {
    return r.app == app && r.channel == channel && r.token == token;
  });
  track_size();
  return pruned;
}

store::result<std::size_t> cached_registry::purge_expired(time_point now) {
  // Nothing to drop: the cache never serves what expired.
  return inner_->purge_expired(now);
}

} // namespace herald::actors
