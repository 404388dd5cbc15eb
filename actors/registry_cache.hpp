#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/registration.hpp"

namespace herald::actors {

/// Size and freshness of a `registry_cache`.
struct registry_cache_options {
  /// Most identities held; 0 disables the cache.
  std::size_t capacity = 0;
  /// An entry older than this is a miss (reloaded from the store): the bound on how long a
  /// write made by another node sharing the store may go unseen. nullopt: no limit (only
  /// right when no other process writes the store).
  std::optional<std::chrono::milliseconds> max_age;
};

/// A router shard's bounded cache of registry lookups: identity (`rawId`) → its registrations
/// in every app, as `store::registry::find_by_identity` returned them (an empty list is a
/// valid entry: the identity has no device).
///
/// Least recently used entries are evicted beyond `capacity` entries; capacity 0 disables the
/// cache (every lookup misses, nothing is kept). An entry older than `max_age` is a miss. A
/// registration whose `expires_at` has passed is never served: `find` leaves it out (and keeps it,
/// in case the clock steps back). The owner keeps the entries right: after a write that may change
/// an identity's registrations (upsert, removal, prune) it calls `drop` for that identity before
/// the next `find`. Lifecycle: owned by one router shard for its lifetime. Threading: not
/// thread-safe (one shard thread uses it). No I/O.
class registry_cache {
public:
  using time_point = std::chrono::system_clock::time_point;
  using registrations = std::vector<protocol::registration>;
  /// An immutable list of registrations, shared by the cache and its readers.
  using shared_registrations = std::shared_ptr<const registrations>;

  explicit registry_cache(registry_cache_options options) : options_(options) {}

  /// The identity's unexpired registrations at `now`, marking the entry most recently used;
  /// null on a miss (no entry, or one older than `max_age`: then it is dropped). When none of
  /// the entry's registrations has expired this is the entry's own list, shared without a copy
  /// (it stays valid after the entry is replaced or dropped); otherwise a new filtered list.
  [[nodiscard]] shared_registrations find_shared(std::string_view identity, time_point now);

  /// Like `find_shared`, as a copy; nullopt on a miss.
  [[nodiscard]] std::optional<registrations> find(std::string_view identity, time_point now);

  /// Stores the store's answer for `identity`, read at `now` (replacing an entry), as the most
  /// recently used; returns how many entries were evicted to stay within capacity.
  std::size_t put(std::string identity, registrations found, time_point now);

  /// Forgets `identity`'s entry; returns whether there was one.
  bool drop(std::string_view identity);

  /// Forgets every entry holding a registration for which `held` is true (a pruned token:
  /// its identities are unknown); returns how many. Walks every entry: for rare writes only.
  std::size_t drop_holding(const std::function<bool(const protocol::registration&)>& held);

  /// Forgets every entry.
  void clear() noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return options_.capacity; }

private:
  struct entry {
    std::string identity;
    shared_registrations found;
    time_point loaded_at;
  };
  using entry_list = std::list<entry>;

  /// Heterogeneous lookup: `find(std::string_view)` without building a string.
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  registry_cache_options options_;
  /// Most recently used first.
  entry_list order_;
  std::unordered_map<std::string, entry_list::iterator, key_hash, std::equal_to<>> index_;
};

} // namespace herald::actors
