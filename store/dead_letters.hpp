#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_statement.hpp"
#include "store/store_error.hpp"

struct sqlite3;

namespace herald::store {

/// A notification the delivery engine gave up on: no provider verdict will ever come (attempt
/// cap reached, deadline passed, no credential). Kept for operators to inspect or resend; the
/// payload is not kept (it may carry a caller's name), the device is.
struct dead_letter {
  std::string app;
  std::string provider; ///< `apns`, `fcm`, ...
  std::string device_id;
  std::string identity; ///< Normalised `rawId` of the recipient.
  std::string event_id; ///< The originating ACS event.
  std::string lane;     ///< `call`, `chat`, `bulk`.
  std::string reason;   ///< `failed`, `expired`, `credential_error`.
  std::string detail;   ///< Last provider status / reason or transport failure, if any.
  std::uint32_t attempts = 0;
  std::chrono::system_clock::time_point recorded_at{};
};

/// Dead letters in their own SQLite file (`dead_letters.db` in the node's data dir; WAL,
/// `synchronous=NORMAL`: a crash may lose the last records, never corrupt the file). Rows are
/// append-only; `list` returns the newest first.
/// Threading: one object per thread (the connection has no mutex of its own).
class sqlite_dead_letters {
public:
  /// Opens or creates the file and its table.
  [[nodiscard]] static result<std::unique_ptr<sqlite_dead_letters>>
  open(const std::filesystem::path& path);
  ~sqlite_dead_letters();
  sqlite_dead_letters(const sqlite_dead_letters&) = delete;
  sqlite_dead_letters& operator=(const sqlite_dead_letters&) = delete;

  /// Appends one record.
  [[nodiscard]] result<void> record(const dead_letter& letter);
  /// Up to `limit` records, newest first.
  [[nodiscard]] result<std::vector<dead_letter>> list(std::size_t limit);
  /// Records kept.
  [[nodiscard]] result<std::int64_t> count();

private:
  explicit sqlite_dead_letters(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  sqlite_statement insert_, select_, count_;
};

} // namespace herald::store
