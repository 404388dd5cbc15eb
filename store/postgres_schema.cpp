#include "store/postgres_schema.hpp"

#include <string>
#include <string_view>

#include "store/postgres_result.hpp"

namespace herald::store {

namespace {

/// Key of the advisory lock that serialises migrations ("herald" in ASCII); any other user
/// of advisory locks in the same database must avoid it.
constexpr std::string_view lock_sql = "SELECT pg_advisory_xact_lock(111542009606500)";

// Append-only: a released step is never edited, a change is a new step. The columns mean
// exactly what they mean in sqlite_schema.cpp: times are Unix milliseconds (bigint), `tags`
// a JSON array of strings, platform and environment the REST spellings. `COLLATE "C"` makes
// ORDER BY byte-wise like SQLite's BINARY collation, whatever the database locale.
constexpr std::string_view migrations[postgres_schema_latest] = {
    R"sql(
CREATE TABLE registrations (
  app         text COLLATE "C" NOT NULL CHECK (app <> ''),
  device_id   text COLLATE "C" NOT NULL CHECK (device_id <> ''),
  platform    text COLLATE "C" NOT NULL CHECK (platform IN ('apns', 'apns-voip', 'fcm', 'wns')),
  identity    text COLLATE "C" NOT NULL CHECK (identity <> ''),
  token       text COLLATE "C" NOT NULL CHECK (token <> ''),
  environment text COLLATE "C" NOT NULL CHECK (environment IN ('production', 'sandbox')),
  locale      text NOT NULL DEFAULT '',
  tags        text NOT NULL DEFAULT '[]',
  updated_at  bigint NOT NULL,
  expires_at  bigint,
  PRIMARY KEY (app, device_id, platform)
);
CREATE INDEX registrations_by_identity ON registrations (identity);
CREATE INDEX registrations_by_token ON registrations (app, platform, token);
CREATE INDEX registrations_by_expiry ON registrations (expires_at) WHERE expires_at IS NOT NULL;
)sql",
};

result<void> exec(pg_conn* conn, std::string_view sql, std::string_view context) {
  auto r = adopt(PQexec(conn, std::string(sql).c_str()));
  if (!succeeded(r.get())) {
    return postgres_failure(conn, r.get(), context);
  }
  return ok();
}

result<int> migrate_locked(pg_conn* conn) {
  auto created = exec(conn,
                      "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL, "
                      "applied_at timestamptz NOT NULL DEFAULT now())",
                      "create schema_version");
  if (!created) {
    return created.error();
  }
  auto found = read_postgres_schema_version(conn);
  if (!found) {
    return found.error();
  }
  int from = found.value();
  if (from > postgres_schema_latest) {
    return store_error{errc::unavailable, "database schema version " + std::to_string(from) +
                                              " is newer than this build's " +
                                              std::to_string(postgres_schema_latest)};
  }
  for (int v = from + 1; v <= postgres_schema_latest; ++v) {
    auto step = exec(conn, migrations[v - 1], "migration " + std::to_string(v));
    if (!step) {
      return step.error();
    }
    std::string version = std::to_string(v);
    const char* values[] = {version.c_str()};
    auto noted = adopt(PQexecParams(conn, "INSERT INTO schema_version (version) VALUES ($1)", 1,
                                    nullptr, values, nullptr, nullptr, 0));
    if (!succeeded(noted.get())) {
      return postgres_failure(conn, noted.get(), "record schema version");
    }
  }
  return from;
}

} // namespace

result<int> read_postgres_schema_version(pg_conn* conn) {
  // Two queries: a missing table fails the parse of any statement naming it.
  auto exists = adopt(PQexec(conn, "SELECT to_regclass('schema_version') IS NOT NULL"));
  if (!succeeded(exists.get())) {
    return postgres_failure(conn, exists.get(), "find schema_version");
  }
  if (std::string_view(PQgetvalue(exists.get(), 0, 0)) != "t") {
    return 0;
  }
  auto r = adopt(PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_version"));
  if (!succeeded(r.get())) {
    return postgres_failure(conn, r.get(), "read schema version");
  }
  return std::stoi(PQgetvalue(r.get(), 0, 0));
}

result<int> migrate_postgres_schema(pg_conn* conn) {
  auto began = exec(conn, "BEGIN", "begin migration");
  if (!began) {
    return began.error();
  }
  // The lock is released by COMMIT or ROLLBACK; a second node blocks here until the first
  // has committed, then sees its version and does nothing.
  auto locked = exec(conn, lock_sql, "lock migration");
  auto migrated = locked ? migrate_locked(conn) : result<int>(locked.error());
  if (!migrated) {
    (void)exec(conn, "ROLLBACK", "rollback migration");
    return migrated;
  }
  auto committed = exec(conn, "COMMIT", "commit migration");
  if (!committed) {
    (void)exec(conn, "ROLLBACK", "rollback migration");
    return committed.error();
  }
  return migrated;
}

} // namespace herald::store
