#include "store/sqlite_registry.hpp"

#include <string>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/row_codec.hpp"
#include "store/sqlite_schema.hpp"

namespace herald::store {

namespace {

using protocol::registration;
using time_point = registry::time_point;

constexpr std::string_view columns =
    "app, device_id, platform, identity, token, environment, locale, tags, updated_at, "
    "expires_at";

/// SQL of each statement_id, in enum order. "Unexpired" is `expires_at > now`, so
/// purge_expired removes exactly what the finds already hide.
const std::array<std::string, 8>& statement_sql() {
  static const std::array<std::string, 8> sql = {
      "INSERT INTO registrations (" + std::string(columns) +
          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT (app, device_id, platform) DO UPDATE SET identity = excluded.identity, "
          "token = excluded.token, environment = excluded.environment, locale = "
          "excluded.locale, tags = excluded.tags, updated_at = excluded.updated_at, "
          "expires_at = excluded.expires_at",
      "SELECT " + std::string(columns) +
          " FROM registrations WHERE identity = ?1 AND (expires_at IS NULL OR expires_at > ?2) "
          "ORDER BY app, device_id, platform",
      "SELECT " + std::string(columns) +
          " FROM registrations WHERE app = ?1 AND device_id = ?2 AND (expires_at IS NULL OR "
          "expires_at > ?3) ORDER BY platform",
      "DELETE FROM registrations WHERE app = ?1 AND device_id = ?2 AND (?3 IS NULL OR "
      "platform = ?3)",
      "DELETE FROM registrations WHERE app = ?1 AND identity = ?2",
      "DELETE FROM registrations WHERE app = ?1 AND platform = ?2 AND token = ?3 AND (?4 IS "
      "NULL OR updated_at <= ?4)",
      "DELETE FROM registrations WHERE expires_at IS NOT NULL AND expires_at <= ?1",
      "SELECT " + std::string(columns) +
          " FROM registrations WHERE app = ?1 AND (device_id > ?2 OR (device_id = ?2 AND "
          "platform > ?3)) AND (expires_at IS NULL OR expires_at > ?4) ORDER BY device_id, "
          "platform LIMIT ?5",
  };
  return sql;
}

store_error corrupt_row(std::string_view what) {
  return {errc::corrupt, "unreadable registration row: " + std::string(what)};
}

} // namespace

result<std::unique_ptr<sqlite_registry>> sqlite_registry::open(const std::filesystem::path& path,
                                                               sqlite_registry_options options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The object owns the handle from here, even a failed one (sqlite3_open_v2 contract).
  std::unique_ptr<sqlite_registry> self(new sqlite_registry(db));
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "open " + path.string());
  }
  sqlite3_extended_result_codes(db, 1);
  self->busy_.timeout = options.busy_timeout;
  sqlite3_busy_handler(db, wait_for_lock, &self->busy_);
  // WAL: readers never block the writer (https://sqlite.org/wal.html); NORMAL sync is
  // durable across process crashes in WAL mode, and only fsyncs at checkpoints.
  rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                    nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "configure " + path.string());
  }
  auto migrated = migrate_sqlite_schema(db);
  if (!migrated) {
    return migrated.error();
  }
  if (migrated.value() < sqlite_schema_latest) {
    spdlog::info("store: migrated {} from schema {} to {}", path.string(), migrated.value(),
                 sqlite_schema_latest);
  }
  auto prepared = self->prepare_all();
  if (!prepared) {
    return prepared.error();
  }
  return self;
}

// Busy handler: another connection holds the write lock, for one short WAL transaction.
// Retries soon instead of SQLite's default back-off (1, 2, 5 … 100 ms between attempts),
// which left router shards asleep while the lock was free: REST upserts ran at ~100/s.
int sqlite_registry::wait_for_lock(void* arg, int attempt) {
  auto& wait = *static_cast<busy_wait*>(arg);
  const auto now = std::chrono::steady_clock::now();
  if (attempt == 0) {
    wait.since = now;
  }
  if (now - wait.since >= wait.timeout) {
    return 0; // the call fails with SQLITE_BUSY -> errc::busy
  }
  std::this_thread::sleep_for(std::chrono::microseconds(attempt < 20 ? 50 : 200));
  return 1;
}

sqlite_registry::~sqlite_registry() {
  for (auto& s : statements_) {
    s = sqlite_statement{}; // Finalize before closing: sqlite3_close refuses otherwise.
  }
  sqlite3_close(db_);
}

result<void> sqlite_registry::prepare_all() {
  static_assert(statement_count == 8, "statement_sql() lists one SQL text per statement_id");
  for (std::size_t i = 0; i < statement_count; ++i) {
    auto s = sqlite_statement::prepare(db_, statement_sql()[i]);
    if (!s) {
      return s.error();
    }
    statements_[i] = std::move(s).value();
  }
  return ok();
}

result<void> sqlite_registry::upsert(const registration& r) {
  auto& s = statements_[upsert_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, r.app);
  s.bind(2, r.device_id);
  s.bind(3, protocol::to_string(r.channel));
  s.bind(4, r.identity);
  s.bind(5, r.token);
  s.bind(6, protocol::to_string(r.env));
  s.bind(7, r.locale);
  s.bind(8, tags_to_json(r.tags));
  s.bind(9, to_millis(r.updated_at));
  if (r.expires_at) {
    s.bind(10, to_millis(*r.expires_at));
  } else {
    s.bind_null(10);
  }
  auto done = s.step();
  if (!done) {
    return done.error();
  }
  return ok();
}

result<void> sqlite_registry::upsert_all(std::span<const registration> registrations) {
  if (registrations.empty()) {
    return ok();
  }
  // IMMEDIATE takes the write lock up front (waiting in the busy handler), so the
  // transaction never has to give up half way because another writer got in first.
  int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db_, rc, "begin upsert_all");
  }
  for (const auto& r : registrations) {
    if (auto done = upsert(r); !done) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return done.error();
    }
  }
  rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    auto failure = sqlite_failure(db_, rc, "commit upsert_all");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return failure;
  }
  return ok();
}

result<std::vector<registration>> sqlite_registry::find_by_identity(std::string_view identity,
                                                                    time_point now) {
  auto& s = statements_[find_identity_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, identity);
  s.bind(2, to_millis(now));
  return read_rows(s);
}

result<std::vector<registration>>
sqlite_registry::find_device(std::string_view app, std::string_view device_id, time_point now) {
  auto& s = statements_[find_device_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, app);
  s.bind(2, device_id);
  s.bind(3, to_millis(now));
  return read_rows(s);
}

result<std::vector<registration>> sqlite_registry::list_app(std::string_view app, time_point now,
                                                            std::string_view after_device,
                                                            std::string_view after_platform,
                                                            std::size_t limit) {
  auto& s = statements_[list_app_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, app);
  s.bind(2, after_device);
  s.bind(3, after_platform);
  s.bind(4, to_millis(now));
  s.bind(5, static_cast<std::int64_t>(limit));
  return read_rows(s);
}

result<std::size_t> sqlite_registry::remove_device(std::string_view app, std::string_view device_id,
                                                   std::optional<protocol::platform> channel) {
  auto& s = statements_[remove_device_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, app);
  s.bind(2, device_id);
  if (channel) {
    s.bind(3, protocol::to_string(*channel));
  } else {
    s.bind_null(3);
  }
  return run_delete(s);
}

result<std::size_t> sqlite_registry::remove_identity(std::string_view app,
                                                     std::string_view identity) {
  auto& s = statements_[remove_identity_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, app);
  s.bind(2, identity);
  return run_delete(s);
}

result<bool> sqlite_registry::prune_token(std::string_view app, protocol::platform channel,
                                          std::string_view token,
                                          std::optional<time_point> dead_since) {
  auto& s = statements_[prune_token_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, app);
  s.bind(2, protocol::to_string(channel));
  s.bind(3, token);
  if (dead_since) {
    s.bind(4, to_millis(*dead_since));
  } else {
    s.bind_null(4);
  }
  auto removed = run_delete(s);
  if (!removed) {
    return removed.error();
  }
  return removed.value() > 0;
}

result<std::size_t> sqlite_registry::purge_expired(time_point now) {
  auto& s = statements_[purge_expired_stmt];
  sqlite_statement::use guard(s);
  s.bind(1, to_millis(now));
  return run_delete(s);
}

result<int> sqlite_registry::schema_version() {
  return read_sqlite_schema_version(db_);
}

result<std::vector<registration>> sqlite_registry::read_rows(sqlite_statement& s) {
  std::vector<registration> out;
  for (;;) {
    auto row = s.step();
    if (!row) {
      return row.error();
    }
    if (!row.value()) {
      return out;
    }
    registration r;
    r.app = s.text(0);
    r.device_id = s.text(1);
    auto channel = protocol::parse_platform(s.text(2));
    r.identity = s.text(3);
    r.token = s.text(4);
    auto env = protocol::parse_environment(s.text(5));
    if (!channel || !env) {
      return corrupt_row("platform or environment");
    }
    r.channel = *channel;
    r.env = *env;
    r.locale = s.text(6);
    if (!tags_from_json(s.text(7), r.tags)) {
      return corrupt_row("tags");
    }
    r.updated_at = from_millis(s.integer(8));
    if (!s.is_null(9)) {
      r.expires_at = from_millis(s.integer(9));
    }
    out.push_back(std::move(r));
  }
}

result<std::size_t> sqlite_registry::run_delete(sqlite_statement& s) {
  auto done = s.step();
  if (!done) {
    return done.error();
  }
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

} // namespace herald::store
