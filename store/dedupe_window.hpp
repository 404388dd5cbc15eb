#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace herald::store {

/// Options of a `dedupe_window`.
struct dedupe_options {
  /// How long an event id is remembered: Event Grid retries for up to 24 h.
  std::chrono::milliseconds window{std::chrono::hours(24)};
  /// Most remembered ids; the oldest are forgotten first beyond it (memory stays bounded).
  std::size_t capacity = 1'000'000;
};

/// Remembers which events (source + event id) were accepted recently, so a redelivered event
/// is acknowledged but not pushed again.
///
/// In memory: a 15-byte SHA-256 prefix per pair in a ring of slots kept in arrival order
/// (24 bytes each), indexed by an open-addressing hash table of slot numbers (4 bytes per
/// cell, at least twice as many cells as slots): ~32 bytes per remembered id, grown by
/// doubling up to `capacity` slots. A slot whose id was forgotten or seen again later stays
/// in the ring until it is the oldest, so at most `capacity` ids are remembered, sometimes
/// fewer. Evicting the oldest is what keeps memory bounded; persistence is the journal's dedupe
/// keys
/// (`key_of`), written in the same commit as the event (see `journal`), and read back at start with
/// `remember`. An id is remembered before its commit and forgotten again if the commit fails,
/// so a refused batch can be retried. Threading: every member is safe to call concurrently.
class dedupe_window {
public:
  using time_point = std::chrono::system_clock::time_point;

  explicit dedupe_window(dedupe_options options = {});

  /// True when (source, id) was seen within the window before `now` (a duplicate); otherwise
  /// remembers it as seen at `now` and returns false.
  [[nodiscard]] bool check_and_remember(std::string_view source, std::string_view id,
                                        time_point now);

  /// Remembers (source, id) as seen at `at` (start-up seeding from the journal).
  void remember(std::string_view source, std::string_view id, time_point at);

  /// Remembers a pair by its `key_of` (the journal persists keys, not pairs).
  void remember_key(std::string key, time_point at);

  /// Forgets (source, id): its journal commit failed, so a retry must not count as a duplicate.
  void forget(std::string_view source, std::string_view id);

  /// Ids remembered now (including expired ones not yet evicted).
  [[nodiscard]] std::size_t size() const;

  /// The key a (source, id) pair is remembered by: 15 bytes of SHA-256 of the length-prefixed
  /// pair (the pair itself, longer, in the never-seen case that hashing fails).
  [[nodiscard]] static std::string key_of(std::string_view source, std::string_view id);

private:
  /// A pair's key as stored: `key_of`'s 15 bytes.
  using key_bytes = std::array<unsigned char, 15>;
  struct slot {
    key_bytes key{};
    bool live = false;
    std::int64_t at = 0; ///< `time_point` ticks.
  };
  static constexpr std::uint32_t no_slot = 0xffffffffU;

  [[nodiscard]] static key_bytes bytes_of(std::string_view key);
  [[nodiscard]] std::uint32_t find(const key_bytes& key) const; ///< Ring position or no_slot.
  void insert(const key_bytes& key, time_point at);
  void erase_live(std::uint32_t position); ///< Unindexes a live slot and marks it dead.
  void pop_oldest();
  void grow();
  void evict(time_point now);
  [[nodiscard]] std::size_t cell_of(const key_bytes& key) const;

  dedupe_options options_;
  mutable std::mutex mutex_;
  std::vector<slot> ring_;           ///< Arrival order from `head_`, `count_` slots used.
  std::size_t head_ = 0, count_ = 0; ///< Ring positions.
  std::size_t live_ = 0;             ///< Slots holding a remembered id.
  std::vector<std::uint32_t> index_; ///< Ring positions; `no_slot` = empty cell.
};

} // namespace herald::store
