#include "store/journal.hpp"

#include <cassert>
#include <map>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/dedupe_window.hpp"
#include "store/journal_schema.hpp"
#include "store/sqlite_statement.hpp"

namespace herald::store {

namespace {

using sys_clock = std::chrono::system_clock;

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

/// The writer's statements, prepared once at open.
struct journal::statements {
  sqlite_statement insert_body, insert_seen, delete_body, delete_progress, upsert_progress;
};

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
  // 16 KiB pages (a new file only; WAL keeps an existing file's size): a batch body is a
  // chain of overflow pages, each written to the WAL and again by the checkpoint, one
  // system call per page; with 4 KiB pages a 100-event batch (~250 KB) made ~60 of them.
  if (auto r = self->exec("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
                          "PRAGMA synchronous=FULL;");
      !r) {
    return r.error();
  }
  if (auto r = prepare_journal_schema(db); !r) {
    return r.error();
  }
  auto prepare = [db](const char* sql, sqlite_statement& out) -> result<void> {
    auto s = sqlite_statement::prepare(db, sql);
    if (!s) {
      return s.error();
    }
    out = std::move(s).value();
    return ok();
  };
  self->statements_ = std::make_unique<statements>();
  auto& st = *self->statements_;
  for (auto [sql, out] : std::initializer_list<std::pair<const char*, sqlite_statement*>>{
           {"INSERT INTO batch_bodies (batch_id, kind, body, entries, n, received_at)"
            " VALUES (?6, ?1, ?2, ?3, ?4, ?5)",
            &st.insert_body},
           {"INSERT INTO seen_batches (seen_at, n, keys) VALUES (?1, ?2, ?3)", &st.insert_seen},
           {"DELETE FROM batch_bodies WHERE batch_id = ?1", &st.delete_body},
           {"DELETE FROM batch_progress WHERE batch_id = ?1", &st.delete_progress},
           {"INSERT OR REPLACE INTO batch_progress (batch_id, done) VALUES (?1, ?2)",
            &st.upsert_progress}}) {
    if (auto r = prepare(sql, *out); !r) {
      return r.error();
    }
  }
  if (auto r = self->load_progress(); !r) {
    return r.error();
  }
  if (auto r = self->load_next_batch_id(); !r) {
    return r.error();
  }
  auto checkpointer = wal_checkpointer::start(path, db, options.checkpoint_pages);
  if (!checkpointer) {
    return checkpointer.error();
  }
  self->checkpointer_ = std::move(checkpointer).value();
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
  checkpointer_.reset();
  statements_.reset(); // finalized before the connection closes
  sqlite3_close(db_);
}

result<void> journal::exec(const char* sql) {
  return sqlite_exec(db_, sql);
}

result<void> journal::load_progress() {
  auto s = sqlite_statement::prepare(db_, "SELECT b.batch_id, b.n, p.done FROM batch_bodies b "
                                          "LEFT JOIN batch_progress p ON p.batch_id = b.batch_id");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  return st.each_row([&]() -> result<void> {
    auto n = static_cast<std::size_t>(st.integer(1));
    progress_[st.integer(0)] = done_bits::from_blob(st.blob(2), n);
    return ok();
  });
}

result<void> journal::load_next_batch_id() {
  // AUTOINCREMENT's sequence remembers ids of batches already deleted (done), so ids are
  // never reused across restarts; the MAX covers a table whose sequence row is missing.
  auto s = sqlite_statement::prepare(
      db_, "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'batch_bodies'), 0),"
           " COALESCE((SELECT MAX(batch_id) FROM batch_bodies), 0))");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  auto row = st.step();
  if (!row) {
    return row.error();
  }
  next_batch_id_ = (row.value() ? st.integer(0) : 0) + 1;
  return ok();
}

result<std::vector<std::int64_t>> journal::append(journal_batch batch, append_done done) {
  if (batch.events.size() >= max_batch_events) {
    return store_error{errc::constraint, "journal: a batch holds more events than entry ids"};
  }
  std::vector<std::int64_t> ids;
  ids.reserve(batch.events.size());
  bool wake = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_ || appends_.size() >= options_.queue_capacity) {
      return store_error{errc::busy, "journal queue full"};
    }
    std::int64_t batch_id = 0;
    if (!batch.events.empty()) {
      batch_id = next_batch_id_++;
      for (std::size_t i = 0; i < batch.events.size(); ++i) {
        ids.push_back(make_entry_id(batch_id, i));
      }
    }
    appends_.push_back(queued_append{std::move(batch), std::move(done), batch_id});
    // The writer waits for the first append, then (`commit_delay`) for a full window.
    if (appends_.size() == 1) {
      first_append_at_ = std::chrono::steady_clock::now();
      wake = true;
    } else {
      wake = appends_.size() == group_commit_appends();
    }
  }
  if (wake) {
    wake_.notify_one();
  }
  return ids;
}

void journal::mark_done(std::vector<std::int64_t> entry_ids) {
  if (entry_ids.empty()) {
    return;
  }
  bool first = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (marks_.empty()) {
      first = true;
      first_mark_at_ = std::chrono::steady_clock::now();
    }
    marks_.insert(marks_.end(), entry_ids.begin(), entry_ids.end());
  }
  // Only the first mark wakes the writer, to set its deadline (`mark_delay`); later ones
  // travel with that commit or an append's.
  if (first) {
    wake_.notify_one();
  }
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
      // Marks are not worth an fsync of their own until they have waited `mark_delay`.
      auto marks_due = [this] {
        return !marks_.empty() &&
               std::chrono::steady_clock::now() >= first_mark_at_ + options_.mark_delay;
      };
      auto ready = [&] { return stopping_ || !appends_.empty() || marks_due(); };
      while (!ready()) {
        auto until = std::chrono::steady_clock::now() + std::chrono::hours(1);
        if (!marks_.empty()) {
          until = first_mark_at_ + options_.mark_delay;
        }
        if (options_.compact_interval.count() > 0) {
          auto to_compact = next_compact - sys_clock::now();
          until = std::min(until,
                           std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::milliseconds>(to_compact));
          if (to_compact <= sys_clock::duration::zero()) {
            break;
          }
        }
        wake_.wait_until(lock, until);
      }
      // The group commit window: more appends may join the first one's transaction.
      if (!stopping_ && !appends_.empty() && options_.commit_delay.count() > 0) {
        wake_.wait_until(lock, first_append_at_ + options_.commit_delay,
                         [this] { return stopping_ || appends_.size() >= group_commit_appends(); });
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
        // The marks were rolled back with it: keep them for the next commit, or the batches
        // they complete would keep their bodies on disk until a restart replayed them (not
        // when stopping: a failing disk must not keep the destructor waiting).
        std::lock_guard lock(queue_mutex_);
        if (stop) {
          marks.clear();
        } else if (marks_.empty()) {
          first_mark_at_ = std::chrono::steady_clock::now();
        }
        marks_.insert(marks_.end(), marks.begin(), marks.end());
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
    if (!appends.empty() || !marks.empty()) {
      // After the callbacks: the batches of this commit are not kept waiting for it.
      std::lock_guard lock(db_mutex_);
      checkpointer_->catch_up();
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

result<void> journal::write_batch(const queued_append& append) {
  const auto& batch = append.batch;
  auto entries = pack_entries(batch.events);
  auto& ib = statements_->insert_body;
  {
    sqlite_statement::use guard(ib);
    ib.bind(1, protocol::to_string(batch.kind));
    ib.bind_blob_static(2, batch.body);
    ib.bind_blob_static(3, entries);
    ib.bind(4, static_cast<std::int64_t>(batch.events.size()));
    ib.bind(5, to_millis(batch.received_at));
    ib.bind(6, append.batch_id);
    if (auto r = ib.step(); !r) {
      return r.error();
    }
  }
  std::vector<std::string> keys;
  keys.reserve(batch.events.size());
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    keys.push_back(dedupe_window::key_of(batch.events[i].source, batch.events[i].event_id));
  }
  auto packed = pack_keys(keys);
  auto& is = statements_->insert_seen;
  sqlite_statement::use guard(is);
  is.bind(1, to_millis(batch.received_at));
  is.bind(2, static_cast<std::int64_t>(keys.size()));
  is.bind_blob_static(3, packed);
  if (auto r = is.step(); !r) {
    return r.error();
  }
  return ok();
}

result<void> journal::write_marks(const std::vector<std::int64_t>& marks,
                                  const std::map<std::int64_t, done_bits>& fresh,
                                  std::map<std::int64_t, done_bits>& updated) {
  // Group the marks by batch first: a batch costs one row write per commit, however many of
  // its events were marked. A batch written by this same transaction starts from `fresh`
  // (its events may be done before their commit: they travel as soon as they are queued). An
  // unknown batch (marked twice, or the mark of a failed commit's batch) is skipped. The new
  // bits replace `progress_` only once the commit succeeded.
  for (auto id : marks) {
    const done_bits* known = nullptr;
    if (auto it = progress_.find(batch_of(id)); it != progress_.end()) {
      known = &it->second;
    } else if (auto f = fresh.find(batch_of(id)); f != fresh.end()) {
      known = &f->second;
    } else {
      continue;
    }
    auto [at, first] = updated.try_emplace(batch_of(id), *known);
    if (!at->second.set(position_of(id)) && first) {
      updated.erase(at); // already marked: nothing to write
    }
  }
  auto run = [](sqlite_statement& s, std::int64_t id,
                const std::string* blob = nullptr) -> result<void> {
    sqlite_statement::use guard(s);
    s.bind(1, id);
    if (blob != nullptr) {
      s.bind_blob_static(2, *blob);
    }
    if (auto r = s.step(); !r) {
      return r.error();
    }
    return ok();
  };
  for (const auto& [batch_id, bits] : updated) {
    if (bits.all()) {
      // Its last outcome is known: the body is no longer needed (only the dedupe keys are).
      if (auto r = run(statements_->delete_body, batch_id); !r) {
        return r.error();
      }
      if (auto r = run(statements_->delete_progress, batch_id); !r) {
        return r.error();
      }
    } else if (auto r = run(statements_->upsert_progress, batch_id, &bits.bits); !r) {
      return r.error();
    }
  }
  return ok();
}

result<void> journal::commit(std::vector<queued_append>& appends,
                             const std::vector<std::int64_t>& marks,
                             std::vector<std::vector<std::int64_t>>& ids) {
  if (auto r = exec("BEGIN IMMEDIATE"); !r) {
    return r.error();
  }
  auto rollback = [this](store_error e) -> result<void> {
    (void)exec("ROLLBACK");
    return e;
  };
  ids.clear();
  ids.reserve(appends.size());
  std::map<std::int64_t, done_bits> fresh;
  for (const auto& a : appends) {
    auto& ids_of_batch = ids.emplace_back();
    if (a.batch.events.empty()) {
      continue; // Nothing to replay: do not store the body.
    }
    if (auto r = write_batch(a); !r) {
      return rollback(r.error());
    }
    for (std::size_t i = 0; i < a.batch.events.size(); ++i) {
      ids_of_batch.push_back(make_entry_id(a.batch_id, i));
    }
    fresh.emplace(a.batch_id, done_bits::of_size(a.batch.events.size()));
  }
  std::map<std::int64_t, done_bits> updated;
  if (auto r = write_marks(marks, fresh, updated); !r) {
    return rollback(r.error());
  }
  if (auto r = exec("COMMIT"); !r) {
    return rollback(r.error());
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  // Only now do the new batches exist, in `progress_` too: later marks find them there.
  for (auto& [batch_id, bits] : fresh) {
    progress_.emplace(batch_id, std::move(bits));
  }
  for (auto& [batch_id, bits] : updated) {
    if (bits.all()) {
      progress_.erase(batch_id);
    } else {
      progress_[batch_id] = std::move(bits);
    }
  }
  return ok();
}

result<std::vector<pending_batch>> journal::pending() {
  std::lock_guard lock(db_mutex_);
  auto s = sqlite_statement::prepare(
      db_, "SELECT b.batch_id, b.kind, b.body, b.entries, b.n, p.done FROM batch_bodies b "
           "LEFT JOIN batch_progress p ON p.batch_id = b.batch_id ORDER BY b.batch_id");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  std::vector<pending_batch> out;
  auto walked = st.each_row([&]() -> result<void> {
    auto kind = kind_from(st.text(1));
    auto entries = unpack_entries(st.blob(3));
    if (!kind) {
      return store_error{errc::corrupt, "journal batch with unknown kind"};
    }
    if (!entries) {
      return entries.error();
    }
    auto n = static_cast<std::size_t>(st.integer(4));
    if (entries.value().size() != n) {
      return store_error{errc::corrupt, "journal batch whose entries do not match its count"};
    }
    auto done = done_bits::from_blob(st.blob(5), n);
    pending_batch batch{*kind, std::string(st.blob(2)), {}};
    auto batch_id = st.integer(0);
    for (std::size_t i = 0; i < n; ++i) {
      if (!done.test(i)) {
        batch.events.push_back(
            pending_event{make_entry_id(batch_id, i), std::move(entries.value()[i])});
      }
    }
    if (!batch.events.empty()) {
      out.push_back(std::move(batch));
    }
    return ok();
  });
  if (!walked) {
    return walked.error();
  }
  return out;
}

result<std::vector<seen_event>> journal::seen_since(sys_clock::time_point since) {
  std::lock_guard lock(db_mutex_);
  auto s = sqlite_statement::prepare(
      db_, "SELECT seen_at, keys FROM seen_batches WHERE seen_at >= ?1 ORDER BY seen_at, seen_id");
  if (!s) {
    return s.error();
  }
  auto& st = s.value();
  sqlite_statement::use guard(st);
  st.bind(1, to_millis(since));
  std::vector<seen_event> out;
  auto walked = st.each_row([&]() -> result<void> {
    auto keys = unpack_keys(st.blob(1));
    if (!keys) {
      return keys.error();
    }
    for (auto& k : keys.value()) {
      out.push_back(seen_event{std::move(k), from_millis(st.integer(0))});
    }
    return ok();
  });
  if (!walked) {
    return walked.error();
  }
  return out;
}

result<std::size_t> journal::compact(sys_clock::time_point now) {
  std::lock_guard lock(db_mutex_);
  // Rows entirely older than the window, then rows entirely past the newest
  // `dedupe_capacity` keys (counted from the newest row down).
  auto old =
      sqlite_statement::prepare(db_, "DELETE FROM seen_batches WHERE seen_at < ?1 RETURNING n");
  auto beyond = sqlite_statement::prepare(
      db_, "DELETE FROM seen_batches WHERE seen_id IN (SELECT seen_id FROM (SELECT seen_id, n,"
           " SUM(n) OVER (ORDER BY seen_id DESC) AS newer FROM seen_batches)"
           " WHERE newer - n >= ?1) RETURNING n");
  if (!old) {
    return old.error();
  }
  if (!beyond) {
    return beyond.error();
  }
  old.value().bind(1, to_millis(now - options_.dedupe_window));
  beyond.value().bind(1, static_cast<std::int64_t>(options_.dedupe_capacity));
  std::size_t forgotten = 0;
  for (auto* s : {&old.value(), &beyond.value()}) {
    sqlite_statement::use guard(*s);
    auto walked = s->each_row([&]() -> result<void> {
      forgotten += static_cast<std::size_t>(s->integer(0));
      return ok();
    });
    if (!walked) {
      return walked.error();
    }
  }
  return forgotten;
}

} // namespace herald::store
