#include "store/sqlite_statement.hpp"

#include <cassert>
#include <string>
#include <utility>

#include <sqlite3.h>

namespace herald::store {

store_error sqlite_failure(sqlite3* db, int rc, std::string_view context) {
  store_error e;
  switch (rc & 0xff) { // Primary code; extended codes refine it.
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    e.code = errc::busy;
    break;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    e.code = errc::corrupt;
    break;
  case SQLITE_CONSTRAINT:
    e.code = errc::constraint;
    break;
  case SQLITE_CANTOPEN:
  case SQLITE_PERM:
  case SQLITE_READONLY:
  case SQLITE_AUTH:
    e.code = errc::unavailable;
    break;
  default:
    e.code = errc::io;
  }
  e.message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  e.message += " (";
  e.message += context;
  e.message += ')';
  return e;
}

result<void> sqlite_exec(sqlite3* db, std::string_view sql) {
  std::string text(sql); // sqlite3_exec wants a terminated string
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, sql.substr(0, 40));
  }
  return ok();
}

sqlite_statement::~sqlite_statement() {
  sqlite3_finalize(stmt_);
}

sqlite_statement::sqlite_statement(sqlite_statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

sqlite_statement& sqlite_statement::operator=(sqlite_statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

result<sqlite_statement> sqlite_statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite_statement out;
  out.db_ = db;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &out.stmt_, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "prepare " + std::string(sql.substr(0, 40)));
  }
  return out;
}

// Bind failures are SQLITE_RANGE (a wrong index: a bug) or SQLITE_NOMEM; the assertion
// catches the first, and the second resurfaces from step().
void sqlite_statement::bind(int index, std::string_view text) {
  [[maybe_unused]] int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  assert(rc != SQLITE_RANGE);
}

void sqlite_statement::bind(int index, std::int64_t value) {
  [[maybe_unused]] int rc = sqlite3_bind_int64(stmt_, index, value);
  assert(rc != SQLITE_RANGE);
}

void sqlite_statement::bind_blob_static(int index, std::string_view bytes) {
  // A zero-length BLOB still needs a non-null pointer, or SQLite stores NULL.
  static const char none = 0;
  [[maybe_unused]] int rc =
      sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &none : bytes.data(),
                          static_cast<sqlite3_uint64>(bytes.size()), SQLITE_STATIC);
  assert(rc != SQLITE_RANGE);
}

void sqlite_statement::bind_null(int index) {
  [[maybe_unused]] int rc = sqlite3_bind_null(stmt_, index);
  assert(rc != SQLITE_RANGE);
}

result<bool> sqlite_statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return sqlite_failure(db_, rc, std::string_view(sqlite3_sql(stmt_)).substr(0, 40));
}

std::string_view sqlite_statement::text(int column) const {
  auto p = sqlite3_column_text(stmt_, column);
  auto n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr
             ? std::string_view{}
             : std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string_view sqlite_statement::blob(int column) const {
  auto p = sqlite3_column_blob(stmt_, column);
  auto n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string_view{}
                      : std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t sqlite_statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool sqlite_statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void sqlite_statement::reset() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

} // namespace herald::store
