#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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
/// In memory (a 15-byte SHA-256 prefix per pair, ~120 bytes per entry with the containers),
/// time-ordered and bounded by `capacity`; persistence is the journal's dedupe keys
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
  struct slot {
    std::string key;
    time_point at;
  };

  void insert(std::string key, time_point at);
  void evict(time_point now);

  dedupe_options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, time_point> seen_;
  std::deque<slot> order_; ///< Insertion order; entries whose time no longer matches are stale.
};

} // namespace herald::store
