#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>

#include "store/registry.hpp"
#include "store/sqlite_statement.hpp"

struct sqlite3;

namespace herald::store {

/// Options of `sqlite_registry::open`.
struct sqlite_registry_options {
  /// How long a call waits for another connection's write lock before failing with
  /// `errc::busy`, retrying every 50–200 µs (a write holds the lock for microseconds; SQLite's
  /// own `sqlite3_busy_timeout` backs off to sleeps of up to 100 ms).
  std::chrono::milliseconds busy_timeout{5000};
};

/// The device registry in an embedded SQLite file (one-node deployments).
///
/// Lifecycle: `open` creates or migrates the file (WAL journal, `synchronous=NORMAL`: a
/// committed write survives a process crash; an OS crash may lose the last transactions,
/// never corrupt the file), prepares every statement once; destruction closes it.
/// Threading: one object per thread. The connection is opened without SQLite's own mutex, so
/// an object must never be used by two threads at once; several objects (threads or
/// processes) may open the same file: WAL gives concurrent readers and one writer at a time,
/// other writers wait up to the busy timeout.
class sqlite_registry final : public registry {
public:
  /// Opens (creating if needed) the database at `path`. Fails with `unavailable` (no such
  /// folder, no permission, newer schema), `corrupt` (not a database) or `busy`.
  [[nodiscard]] static result<std::unique_ptr<sqlite_registry>>
  open(const std::filesystem::path& path, sqlite_registry_options options = {});

  ~sqlite_registry() override;
  sqlite_registry(const sqlite_registry&) = delete;
  sqlite_registry& operator=(const sqlite_registry&) = delete;

  [[nodiscard]] result<void> upsert(const protocol::registration& r) override;
  [[nodiscard]] result<void>
  upsert_all(std::span<const protocol::registration> registrations) override;
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

  /// Schema version recorded in the file.
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
    statement_count
  };

  /// State of the busy handler for the current lock attempt.
  struct busy_wait {
    std::chrono::milliseconds timeout{0};
    std::chrono::steady_clock::time_point since;
  };
  /// `sqlite3_busy_handler` callback; `arg` is a `busy_wait`.
  static int wait_for_lock(void* arg, int attempt);

  explicit sqlite_registry(sqlite3* db) : db_(db) {}
  [[nodiscard]] result<void> prepare_all();
  [[nodiscard]] result<std::vector<protocol::registration>> read_rows(sqlite_statement& s);
  [[nodiscard]] result<std::size_t> run_delete(sqlite_statement& s);

  sqlite3* db_;
  busy_wait busy_;
  std::array<sqlite_statement, statement_count> statements_;
};

} // namespace herald::store
