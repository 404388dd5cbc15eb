#include "store/journal_schema.hpp"

#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "store/dedupe_window.hpp"
#include "store/journal.hpp"
#include "store/journal_codec.hpp"
#include "store/sqlite_statement.hpp"

namespace herald::store {

namespace {

constexpr const char* schema_sql =
    "CREATE TABLE IF NOT EXISTS batch_bodies ("
    " batch_id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, body BLOB NOT NULL,"
    " entries BLOB NOT NULL, n INTEGER NOT NULL, received_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS batch_progress ("
    " batch_id INTEGER PRIMARY KEY, done BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS seen_batches ("
    " seen_id INTEGER PRIMARY KEY, seen_at INTEGER NOT NULL, n INTEGER NOT NULL,"
    " keys BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS seen_batches_at ON seen_batches (seen_at);";

result<bool> has_table(sqlite3* db, const char* name) {
  auto s = sqlite_statement::prepare(
      db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  if (!s) {
    return s.error();
  }
  sqlite_statement::use guard(s.value());
  s.value().bind(1, std::string_view(name));
  return s.value().step();
}

/// Old pending events, one new batch row per old batch that still has some.
result<void> move_pending(sqlite3* db) {
  auto read = sqlite_statement::prepare(
      db, "SELECT b.batch_id, b.kind, b.body, b.received_at, e.idx, e.source, e.event_id "
          "FROM journal_events e JOIN journal_batches b ON b.batch_id = e.batch_id "
          "WHERE e.done_at IS NULL ORDER BY e.batch_id, e.entry_id");
  auto write = sqlite_statement::prepare(
      db, "INSERT INTO batch_bodies (kind, body, entries, n, received_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!read) {
    return read.error();
  }
  if (!write) {
    return write.error();
  }
  struct old_batch {
    std::string kind, body;
    std::int64_t received_at = 0;
    std::vector<journal_entry> entries;
  };
  std::map<std::int64_t, old_batch> batches;
  {
    auto& r = read.value();
    sqlite_statement::use guard(r);
    auto walked = r.each_row([&]() -> result<void> {
      auto& b = batches[r.integer(0)];
      if (b.entries.empty()) {
        b.kind = std::string(r.text(1));
        b.body = std::string(r.text(2));
        b.received_at = r.integer(3);
      }
      b.entries.push_back(journal_entry{static_cast<std::uint32_t>(r.integer(4)),
                                        std::string(r.text(5)), std::string(r.text(6))});
      return ok();
    });
    if (!walked) {
      return walked.error();
    }
  }
  for (const auto& [id, b] : batches) {
    auto& w = write.value();
    sqlite_statement::use guard(w);
    auto entries = pack_entries(b.entries);
    w.bind(1, std::string_view(b.kind));
    w.bind_blob_static(2, b.body);
    w.bind_blob_static(3, entries);
    w.bind(4, static_cast<std::int64_t>(b.entries.size()));
    w.bind(5, b.received_at);
    if (auto r = w.step(); !r) {
      return r.error();
    }
  }
  return ok();
}

/// Old dedupe pairs, as keys, one row per distinct acceptance time.
result<void> move_seen(sqlite3* db) {
  auto read = sqlite_statement::prepare(
      db, "SELECT source, event_id, seen_at FROM dedupe ORDER BY seen_at");
  auto write = sqlite_statement::prepare(
      db, "INSERT INTO seen_batches (seen_at, n, keys) VALUES (?1, ?2, ?3)");
  if (!read) {
    return read.error();
  }
  if (!write) {
    return write.error();
  }
  std::vector<std::string> keys;
  std::int64_t at = 0;
  auto flush = [&]() -> result<void> {
    if (keys.empty()) {
      return ok();
    }
    auto& w = write.value();
    sqlite_statement::use guard(w);
    auto packed = pack_keys(keys);
    w.bind(1, at);
    w.bind(2, static_cast<std::int64_t>(keys.size()));
    w.bind_blob_static(3, packed);
    keys.clear();
    if (auto r = w.step(); !r) {
      return r.error();
    }
    return ok();
  };
  auto& r = read.value();
  sqlite_statement::use guard(r);
  auto walked = r.each_row([&]() -> result<void> {
    if (r.integer(2) != at) {
      if (auto f = flush(); !f) {
        return f.error();
      }
      at = r.integer(2);
    }
    keys.push_back(dedupe_window::key_of(r.text(0), r.text(1)));
    return ok();
  });
  if (!walked) {
    return walked.error();
  }
  return flush();
}

result<void> migrate_per_event_tables(sqlite3* db) {
  if (auto r = move_pending(db); !r) {
    return r.error();
  }
  if (auto r = move_seen(db); !r) {
    return r.error();
  }
  return sqlite_exec(db, "DROP TABLE journal_events; DROP TABLE journal_batches;"
                         " DROP TABLE IF EXISTS dedupe;");
}

} // namespace

result<void> prepare_journal_schema(sqlite3* db) {
  if (auto r = sqlite_exec(db, "BEGIN IMMEDIATE"); !r) {
    return r.error();
  }
  auto step = [db]() -> result<void> {
    if (auto r = sqlite_exec(db, schema_sql); !r) {
      return r.error();
    }
    auto old = has_table(db, "journal_events");
    if (!old) {
      return old.error();
    }
    return old.value() ? migrate_per_event_tables(db) : ok();
  }();
  if (!step) {
    (void)sqlite_exec(db, "ROLLBACK");
    return step.error();
  }
  if (auto r = sqlite_exec(db, "COMMIT"); !r) {
    (void)sqlite_exec(db, "ROLLBACK");
    return r.error();
  }
  return ok();
}

} // namespace herald::store
