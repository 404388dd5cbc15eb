#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_error.hpp"

namespace herald::store {

struct journal_entry;

/// Bits of a journal entry id that hold the event's position in its batch; the rest is the
/// batch id. A batch holds at most `max_batch_events` events.
inline constexpr int entry_position_bits = 20;
inline constexpr std::size_t max_batch_events = std::size_t{1} << entry_position_bits;

/// The entry id of the event at `position` of batch `batch_id`.
[[nodiscard]] constexpr std::int64_t make_entry_id(std::int64_t batch_id, std::size_t position) {
  return (batch_id << entry_position_bits) | static_cast<std::int64_t>(position);
}

/// The batch id of an entry id.
[[nodiscard]] constexpr std::int64_t batch_of(std::int64_t entry_id) {
  return entry_id >> entry_position_bits;
}

/// The position in its batch of an entry id.
[[nodiscard]] constexpr std::size_t position_of(std::int64_t entry_id) {
  return static_cast<std::size_t>(entry_id & ((std::int64_t{1} << entry_position_bits) - 1));
}

/// Packs a batch's entries (index, source, event id) into one BLOB: per entry, little-endian
/// u32 index, u32 length + source bytes, u32 length + id bytes.
[[nodiscard]] std::string pack_entries(const std::vector<journal_entry>& entries);

/// Reads what `pack_entries` wrote; a truncated or overlong BLOB is `errc::corrupt`.
[[nodiscard]] result<std::vector<journal_entry>> unpack_entries(std::string_view blob);

/// Packs dedupe keys (`dedupe_window::key_of`) into one BLOB: u32 length + bytes each.
[[nodiscard]] std::string pack_keys(const std::vector<std::string>& keys);

/// Reads what `pack_keys` wrote; a truncated BLOB is `errc::corrupt`.
[[nodiscard]] result<std::vector<std::string>> unpack_keys(std::string_view blob);

/// A batch's done marks: one bit per position, `count` of them set.
struct done_bits {
  std::string bits;      ///< ceil(n / 8) bytes, bit `i % 8` of byte `i / 8` for position i.
  std::size_t count = 0; ///< Positions set.
  std::size_t size = 0;  ///< Positions in all.

  /// An all-clear set for `n` positions.
  [[nodiscard]] static done_bits of_size(std::size_t n);
  /// Reads a stored set for `n` positions (a missing or short BLOB is treated as clear).
  [[nodiscard]] static done_bits from_blob(std::string_view blob, std::size_t n);
  /// True when position `i` is set.
  [[nodiscard]] bool test(std::size_t i) const;
  /// Sets position `i`; false when it was already set or is out of range.
  bool set(std::size_t i);
  /// True when every position is set.
  [[nodiscard]] bool all() const { return count == size; }
};

} // namespace herald::store
