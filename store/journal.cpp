#include "store/journal.hpp"

#include <cassert>
#include <map>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/sqlite_statement.hpp"

namespace herald::store {

namespace {

using sys_clock = std::chrono::system_clock;

constexpr const char* schema_sql =
    "CREATE TABLE IF NOT EXISTS journal_batches ("
    " batch_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL,"
    " received_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS journal_events ("
    " entry_id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " source TEXT NOT NULL, event_id TEXT NOT NULL, done_at INTEGER);"
    "CREATE INDEX IF NOT EXISTS journal_events_batch ON journal_events (batch_id);"
    "CREATE INDEX IF NOT EXISTS journal_events_pending ON journal_events (entry_id)"
    " WHERE done_at IS NULL;"
    "CREATE TABLE IF NOT EXISTS dedupe ("
    " source TEXT NOT NULL, event_id TEXT NOT NULL, seen_at INTEGER NOT NULL,"
    " PRIMARY KEY (source, event_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS dedupe_seen ON dedupe (seen_at);";

std::int64_t to_millis(sys_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

sys_clock::time_point from_millis(std::int64_t ms) {
  return sys_clock::time_point(
      std::chrono::duration_cast<sys_clock::duration>(std::chrono::milliseconds(ms)));
}

std::optional<protocol::content_kind> kind_from(std::string_view text) {
  for (auto k : {protocol::content_kind::event_grid, protocol::content_kind::cloud_event,
                 protocol::content_kind::cloud_event_batch}) {
    if (protocol::to_string(k) == text) {
      return k;
    }
  }
  return std::nullopt;
}

} // namespace

journal::journal(sqlite3* db, journal_options options) : db_(db), options_(options) {}

result<std::unique_ptr<journal>> journal::open(const std::filesystem::path& path,
                                               journal_options options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The object owns the handle from here, even a failed one (sqlite3_open_v2 contract).
  std::unique_ptr<journal> self(new journal(db, options));
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "open " + path.string());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // FULL: the commit behind a 200 is fsynced before the callback runs (see the class comment).
  if (auto r = self->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !r) {
    return r.error();
  }
  if (auto r = self->exec(schema_sql); !r) {
    return r.error();
  }
  self->writer_ = std::thread([p = self.get()] { p->run(); });
  return self;
}

journal::~journal() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) {
    writer_.join();
  }
  sqlite3_close(db_);
}

result<void> journal::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) {
    return sqlite_failure(db_, rc, std::string_view(sql).substr(0, 40));
  }
  return ok();
}

result<void> journal::append(journal_batch batch, append_done done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_ || appends_.size() >= options_.queue_capacity) {
      return store_error{errc::busy, "journal queue full"};
    }
    appends_.push_back(queued_append{std::move(batch), std::move(done)});
  }
  wake_.notify_one();
  return ok();
}

void journal::mark_done(std::vector<std::int64_t> entry_ids) {
  if (entry_ids.empty()) {
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    marks_.insert(marks_.end(), entry_ids.begin(), entry_ids.end());
  }
  wake_.notify_one();
}

std::size_t journal::queued() const {
  std::lock_guard lock(queue_mutex_);
  return appends_.size();
}

void journal::run() {
  auto next_compact = sys_clock::now() + options_.compact_interval;
  for (;;) {
    std::vector<queued_append> appends;
    std::vector<std::int64_t> marks;
    bool stop = false;
    {
      std::unique_lock lock(queue_mutex_);
      auto ready = [this] { return stopping_ || !appends_.empty() || !marks_.empty(); };
      if (options_.compact_interval.count() > 0) {
        wake_.wait_until(lock, next_compact, ready);
      } else {
        wake_.wait(lock, ready);
      }
      // Everything queued so far goes into one transaction: that is the group commit.
      appends.assign(std::make_move_iterator(appends_.begin()),
                     std::make_move_iterator(appends_.end()));
      appends_.clear();
      marks.swap(marks_);
      stop = stopping_;
    }
    if (!appends.empty() || !marks.empty()) {
      std::vector<std::vector<std::int64_t>> ids;
      auto committed = [&] {
        std::lock_guard lock(db_mutex_);
        return commit(appends, marks, ids);
      }();
      if (!committed) {
        spdlog::error("journal: commit of {} batches failed: {}", appends.size(),
                      committed.error().describe());
      }
      for (std::size_t i = 0; i < appends.size(); ++i) {
        if (!appends[i].done) {
          continue;
        }
        if (committed) {
          appends[i].done(std::move(ids[i]));
        } else {
          appends[i].done(committed.error());
        }
      }
    }
    if (options_.compact_interval.count() > 0 && sys_clock::now() >= next_compact) {
      if (auto r = compact(sys_clock::now()); !r) {
        spdlog::warn("journal: compaction failed: {}", r.error().describe());
      }
      next_compact = sys_clock::now() + options_.compact_interval;
    }
    if (stop) {
      std::lock_guard lock(queue_mutex_);
      if (appends_.empty() && marks_.empty()) {
        return;
      }
    }
  }
}

result<void> journal::commit(std::vector<queued_append>& appends,
                             const std::vector<std::int64_t>& marks,
                             std::vector<std::vector<std::int64_t>>& ids) {
  auto batch_insert = sqlite_statement::prepare(
      db_, "INSERT INTO journal_batches (kind, body, received_at) VALUES (?1, ?2, ?3)");
  auto event_insert = sqlite_statement::prepare(
      db_, "INSERT INTO journal_events (batch_id, idx, source, event_id) VALUES (?1, ?2, ?3, ?4)");
  auto seen_insert = sqlite_statement::prepare(
      db_, "INSERT OR IGNORE INTO dedupe (source, event_id, seen_at) VALUES (?1, ?2, ?3)");
  auto mark = sqlite_statement::prepare(
      db_, "UPDATE journal_events SET done_at = ?2 WHERE entry_id = ?1 AND done_at IS NULL");
  for (auto* s : {&batch_insert, &event_insert, &seen_insert, &mark}) {
    if (!*s) {
      return s->error();
    }
  }
  if (auto r = exec("BEGIN IMMEDIATE"); !r) {
    return r.error();
  }
  auto rollback = [this](store_error e) -> result<void> {
    (void)exec("ROLLBACK");
    return e;
  };
  ids.clear();
  ids.reserve(appends.size());
  for (const auto& a : appends) {
    auto& ids_of_batch = ids.emplace_back();
    if (a.batch.events.empty()) {
      continue; // Nothing to replay: do not store the body.
    }
    auto& bi = batch_insert.value();
    {
      sqlite_statement::use guard(bi);
      bi.bind(1, protocol::to_string(a.batch.kind));
      bi.bind(2, a.batch.body);
      bi.bind(3, to_millis(a.batch.received_at));
      if (auto r = bi.step(); !r) {
        return rollback(r.error());
      }
    }
    auto batch_id = sqlite3_last_insert_rowid(db_);
    for (const auto& e : a.batch.events) {
      auto& ei = event_insert.value();
      {
        sqlite_statement::use guard(ei);
        ei.bind(1, static_cast<std::int64_t>(batch_id));
        ei.bind(2, static_cast<std::int64_t>(e.index));
        ei.bind(3, e.source);
        ei.bind(4, e.event_id);
        if (auto r = ei.step(); !r) {
          return rollback(r.error());
        }
      }
      ids_of_batch.push_back(sqlite3_last_insert_rowid(db_));
      auto& si = seen_insert.value();
      sqlite_statement::use guard(si);
      si.bind(1, e.source);
      si.bind(2, e.event_id);
      si.bind(3, to_millis(a.batch.received_at));
      if (auto r = si.step(); !r) {
        return rollback(r.error());
      }
    }
  }
  auto now = to_millis(sys_clock::now());
  for (auto id : marks) {
    auto& m = mark.value();
    sqlite_statement::use guard(m);
    m.bind(1, id);
    m.bind(2, now);
    if (auto r = m.step(); !r) {
      return rollback(r.error());
    }
  }
  if (auto r = exec("COMMIT"); !r) {
    return rollback(r.error());
  }
  return ok();
}

result<std::vector<pending_batch>> journal::pending() {
  std::lock_guard lock(db_mutex_);
  auto s = sqlite_statement::prepare(
      db_, "SELECT b.batch_id, b.kind, b.body, e.entry_id, e.idx, e.source, e.event_id "
           "FROM journal_events e JOIN journal_batches b ON b.batch_id = e.batch_id "
           "WHERE e.done_at IS NULL ORDER BY e.entry_id");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  std::vector<pending_batch> out;
  std::map<std::int64_t, std::size_t> position; // batch id → index in out
  for (;;) {
    auto row = st.step();
    if (!row) {
      return row.error();
    }
    if (!row.value()) {
      break;
    }
    auto batch_id = st.integer(0);
    auto [it, fresh] = position.try_emplace(batch_id, out.size());
    if (fresh) {
      auto kind = kind_from(st.text(1));
      if (!kind) {
        return store_error{errc::corrupt, "journal batch with unknown kind"};
      }
      out.push_back(pending_batch{*kind, std::string(st.text(2)), {}});
    }
    pending_event ev;
    ev.entry_id = st.integer(3);
    ev.entry.index = static_cast<std::uint32_t>(st.integer(4));
    ev.entry.source = std::string(st.text(5));
    ev.entry.event_id = std::string(st.text(6));
    out[it->second].events.push_back(std::move(ev));
  }
  return out;
}

result<std::vector<seen_event>> journal::seen_since(sys_clock::time_point since) {
  std::lock_guard lock(db_mutex_);
  auto s = sqlite_statement::prepare(
      db_, "SELECT source, event_id, seen_at FROM dedupe WHERE seen_at >= ?1 ORDER BY seen_at");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  st.bind(1, to_millis(since));
  std::vector<seen_event> out;
  for (;;) {
    auto row = st.step();
    if (!row) {
      return row.error();
    }
    if (!row.value()) {
      break;
    }
    out.push_back(
        seen_event{std::string(st.text(0)), std::string(st.text(1)), from_millis(st.integer(2))});
  }
  return out;
}

result<std::size_t> journal::compact(sys_clock::time_point now) {
  std::lock_guard lock(db_mutex_);
  auto events = sqlite_statement::prepare(
      db_, "DELETE FROM journal_events WHERE done_at IS NOT NULL AND done_at < ?1");
  auto batches = sqlite_statement::prepare(
      db_, "DELETE FROM journal_batches WHERE NOT EXISTS (SELECT 1 FROM journal_events e "
           "WHERE e.batch_id = journal_batches.batch_id)");
  auto seen = sqlite_statement::prepare(db_, "DELETE FROM dedupe WHERE seen_at < ?1");
  for (auto* s : {&events, &batches, &seen}) {
    if (!*s) {
      return s->error();
    }
  }
  std::size_t deleted = 0;
  {
    sqlite_statement::use guard(events.value());
    events.value().bind(1, to_millis(now - options_.keep_done));
    if (auto r = events.value().step(); !r) {
      return r.error();
    }
    deleted = static_cast<std::size_t>(sqlite3_changes(db_));
  }
  {
    sqlite_statement::use guard(batches.value());
    if (auto r = batches.value().step(); !r) {
      return r.error();
    }
  }
  sqlite_statement::use guard(seen.value());
  seen.value().bind(1, to_millis(now - options_.dedupe_window));
  if (auto r = seen.value().step(); !r) {
    return r.error();
  }
  return deleted;
}

} // namespace herald::store
