#include "store/sqlite_schema.hpp"

#include <string>
#include <string_view>

#include <sqlite3.h>

#include "store/sqlite_statement.hpp"

namespace herald::store {

namespace {

// Append-only: a released step is never edited, a change is a new step.
// Times are Unix milliseconds; `tags` is a JSON array of strings; `platform` and
// `environment` use the REST spellings of protocol/registration.hpp. Empty keys are refused
// by CHECK constraints so a caller bug surfaces as errc::constraint, not as a ghost row.
constexpr std::string_view migrations[sqlite_schema_latest] = {
    R"sql(
CREATE TABLE registrations (
  app         TEXT    NOT NULL CHECK (app <> ''),
  device_id   TEXT    NOT NULL CHECK (device_id <> ''),
  platform    TEXT    NOT NULL CHECK (platform IN ('apns', 'apns-voip', 'fcm', 'wns')),
  identity    TEXT    NOT NULL CHECK (identity <> ''),
  token       TEXT    NOT NULL CHECK (token <> ''),
  environment TEXT    NOT NULL CHECK (environment IN ('production', 'sandbox')),
  locale      TEXT    NOT NULL DEFAULT '',
  tags        TEXT    NOT NULL DEFAULT '[]',
  updated_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  PRIMARY KEY (app, device_id, platform)
);
CREATE INDEX registrations_by_identity ON registrations (identity);
CREATE INDEX registrations_by_token ON registrations (app, platform, token);
CREATE INDEX registrations_by_expiry ON registrations (expires_at) WHERE expires_at IS NOT NULL;
)sql",
};

result<void> exec(sqlite3* db, std::string_view sql, std::string_view context) {
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, context);
  }
  return ok();
}

result<int> migrate_locked(sqlite3* db) {
  auto created = exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                      "create schema_version");
  if (!created) {
    return created.error();
  }
  auto found = read_sqlite_schema_version(db);
  if (!found) {
    return found.error();
  }
  int from = found.value();
  if (from > sqlite_schema_latest) {
    return store_error{errc::unavailable, "database schema version " + std::to_string(from) +
                                              " is newer than this build's " +
                                              std::to_string(sqlite_schema_latest)};
  }
  for (int v = from + 1; v <= sqlite_schema_latest; ++v) {
    auto step = exec(db, migrations[v - 1], "migration " + std::to_string(v));
    if (!step) {
      return step.error();
    }
    auto noted = exec(db, "INSERT INTO schema_version (version) VALUES (" + std::to_string(v) + ")",
                      "record schema version");
    if (!noted) {
      return noted.error();
    }
  }
  return from;
}

} // namespace

result<int> read_sqlite_schema_version(sqlite3* db) {
  auto stmt = sqlite_statement::prepare(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  if (!stmt) {
    return stmt.error();
  }
  sqlite_statement::use guard(stmt.value());
  auto row = stmt.value().step();
  if (!row) {
    return row.error();
  }
  return static_cast<int>(stmt.value().integer(0));
}

result<int> migrate_sqlite_schema(sqlite3* db) {
  auto began = exec(db, "BEGIN IMMEDIATE", "begin migration");
  if (!began) {
    return began.error();
  }
  auto migrated = migrate_locked(db);
  if (!migrated) {
    (void)exec(db, "ROLLBACK", "rollback migration");
    return migrated;
  }
  auto committed = exec(db, "COMMIT", "commit migration");
  if (!committed) {
    (void)exec(db, "ROLLBACK", "rollback migration");
    return committed.error();
  }
  return migrated;
}

} // namespace herald::store
