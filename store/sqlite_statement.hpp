#pragma once

#include <cstdint>
#include <string_view>

#include "store/store_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace herald::store {

/// Maps a SQLite result code (and the connection's message) to a `store_error`;
/// `context` names the operation for the log line.
[[nodiscard]] store_error sqlite_failure(sqlite3* db, int rc, std::string_view context);

/// Runs `sql` (one or more statements, no results) on `db`; a failure names its first 40
/// characters.
[[nodiscard]] result<void> sqlite_exec(sqlite3* db, std::string_view sql);

/// One prepared SQLite statement, kept for reuse (RAII over `sqlite3_stmt`).
///
/// Lifecycle: `prepare`, then per use: bind (1-based parameters), `step` until it returns
/// false, and let the `use` guard reset it, so a finished read never pins a WAL snapshot.
/// Threading: as its connection, one thread at a time.
class sqlite_statement {
public:
  sqlite_statement() = default;
  ~sqlite_statement();
  sqlite_statement(sqlite_statement&& other) noexcept;
  sqlite_statement& operator=(sqlite_statement&& other) noexcept;
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  /// Compiles `sql` on `db`.
  [[nodiscard]] static result<sqlite_statement> prepare(sqlite3* db, std::string_view sql);

  /// Resets the statement and clears its bindings when it goes out of scope.
  class [[nodiscard]] use {
  public:
    explicit use(sqlite_statement& s) : s_(s) {}
    ~use() { s_.reset(); }
    use(const use&) = delete;
    use& operator=(const use&) = delete;

  private:
    sqlite_statement& s_;
  };

  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  /// Binds `bytes` as a BLOB without copying them: they must outlive the statement's use.
  void bind_blob_static(int index, std::string_view bytes);
  void bind_null(int index);

  /// Runs one step: true when a row is available, false when done.
  [[nodiscard]] result<bool> step();

  /// Steps through every row, calling `on_row()` on each (it reads the columns from this
  /// statement). `on_row` returns `result<void>`: a failure ends the walk and is returned, as
  /// is a failed step.
  template <class F>
  [[nodiscard]] result<void> each_row(F&& on_row) {
    for (;;) {
      auto row = step();
      if (!row) {
        return row.error();
      }
      if (!row.value()) {
        return ok();
      }
      if (auto r = on_row(); !r) {
        return r.error();
      }
    }
  }

  [[nodiscard]] std::string_view text(int column) const;
  /// The column's bytes as a BLOB (valid until the next step or reset).
  [[nodiscard]] std::string_view blob(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] bool is_null(int column) const;

  void reset();

private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace herald::store
