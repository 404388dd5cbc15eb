#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "protocol/envelope.hpp"
#include "store/journal_codec.hpp"
#include "store/store_error.hpp"
#include "store/wal_checkpointer.hpp"

struct sqlite3;

namespace herald::store {

/// One event of a journaled batch: where it sits in the body and its dedupe key.
struct journal_entry {
  std::uint32_t index = 0; ///< Position of the event in the batch body.
  std::string source;      ///< Event Grid `topic` / CloudEvents `source`.
  std::string event_id;
};

/// One accepted webhook batch: the body exactly as received plus the events to replay.
/// Replay decodes the body again and keeps the events at the journaled indices, so the
/// journal never needs to re-serialize an event (and stores a body once, not per event).
struct journal_batch {
  protocol::content_kind kind = protocol::content_kind::event_grid;
  std::string body;
  std::vector<journal_entry> events; ///< Only the events to deliver (duplicates left out).
  std::chrono::system_clock::time_point received_at;
};

/// A journaled event without an outcome, as `pending` returns it.
struct pending_event {
  std::int64_t entry_id = 0;
  journal_entry entry;
};

/// A batch with at least one event without an outcome.
struct pending_batch {
  protocol::content_kind kind = protocol::content_kind::event_grid;
  std::string body;
  std::vector<pending_event> events;
};

/// A remembered (source, event id), by its `dedupe_window::key_of`, and when it was accepted.
struct seen_event {
  std::string key;
  std::chrono::system_clock::time_point seen_at;
};

/// Options of `journal::open`.
struct journal_options {
  /// Appends (batches) waiting for the writer; one more fails at once with `errc::busy`.
  std::size_t queue_capacity = 1024;
  /// How long (source, event id) pairs are remembered for dedupe.
  std::chrono::milliseconds dedupe_window{std::chrono::hours(24)};
  /// Most pairs remembered on disk (the newest are kept): the in-memory window holds no more
  /// (`dedupe_options::capacity`), so older ones would only cost disk.
  std::size_t dedupe_capacity = 1'000'000;
  /// Marks alone wait up to this long for an append's commit to travel with; only then do
  /// they get a commit (an fsync) of their own. A mark not yet committed at a crash only
  /// means a replay.
  std::chrono::milliseconds mark_delay{100};
  /// Group commit window: once an append is queued, the writer waits this long for more
  /// before committing (or until `queue_capacity / 2` appends are queued). With one event
  /// per POST, Event Grid's default, a commit per fsync would hold one or two batches; the
  /// wait makes each commit (its page writes, its fsync, its wake-ups) carry several. It
  /// delays only the 200: routing does not wait for the commit. 0: commit at once.
  std::chrono::microseconds commit_delay{1000};
  /// The writer's commits leave the WAL to a checkpoint thread once it holds this many pages.
  int checkpoint_pages = 1000;
  /// The writer thread compacts this often (0: only when `compact` is called).
  std::chrono::milliseconds compact_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds busy_timeout{5000};
};

/// The webhook ingest journal: accepted batches are durable here before the 200, events
/// without an outcome are replayed after a restart, and the dedupe window is persisted with
/// them.
///
/// Storage: its own SQLite file, WAL, `synchronous=FULL`: the commit that precedes a 200
/// is fsynced, so an acknowledged batch survives a power loss as well as a process crash
/// (NORMAL would survive kill -9 but could lose the last commits on power loss, and Event
/// Grid does not resend what it saw acknowledged). Group commit keeps that affordable: a
/// dedicated writer thread takes every queued append and mark, commits them in one
/// transaction (one fsync), then runs each caller's callback. Rows are per batch, never per
/// event: a batch is one row of body and entries, one row of dedupe keys, and, while it is
/// partly done, one row of done marks (a bit per event); when its last event is marked, its
/// body and marks are deleted in that commit. Entry ids encode (batch id, position), see
/// `make_entry_id`. Checkpoints run on a thread of their own (`wal_checkpointer`).
///
/// Lifecycle: `open` creates the file (migrating the per-event tables of earlier versions)
/// and starts the writer; the destructor commits what is queued, runs its callbacks and joins
/// the writer. Threading: `append` and `mark_done` may be called from any thread; callbacks
/// run on the writer thread and must not block. `pending`, `seen_since` and `compact` run on
/// the caller's thread (serialized with the writer by a mutex); they are meant for start-up
/// and tests.
class journal {
public:
  /// Called once per append with the entry ids (in the order of `journal_batch::events`)
  /// once they are committed, or the failure.
  using append_done = std::function<void(result<std::vector<std::int64_t>>)>;

  /// Opens (creating if needed) the journal at `path` and starts the writer thread.
  [[nodiscard]] static result<std::unique_ptr<journal>> open(const std::filesystem::path& path,
                                                             journal_options options = {});
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Queues `batch` for the next group commit and returns its entry ids (in the order of
  /// `journal_batch::events`; none for a batch without events), assigned now so that the
  /// events can travel before the commit: their marks may come before it and are applied
  /// with it (or dropped with it, if it fails). `done` runs after the commit with the same
  /// ids, or the failure. A full queue, or a batch of `max_batch_events` events or more,
  /// fails at once (`errc::busy`, `errc::constraint`; `done` not called) so the webhook can
  /// answer 503 instead of buffering.
  [[nodiscard]] result<std::vector<std::int64_t>> append(journal_batch batch, append_done done);

  /// Records that these entries have an outcome (batched into the next commit). Never fails:
  /// a lost mark only means the event is replayed once more after a crash.
  void mark_done(std::vector<std::int64_t> entry_ids);

  /// Batches holding events without an outcome, oldest first, only those events in each.
  [[nodiscard]] result<std::vector<pending_batch>> pending();

  /// Dedupe keys of events accepted at or after `since`, oldest first (to seed dedupe).
  [[nodiscard]] result<std::vector<seen_event>>
  seen_since(std::chrono::system_clock::time_point since);

  /// Forgets dedupe keys older than `now - dedupe_window` and those beyond
  /// `dedupe_capacity`. Returns the number of keys forgotten.
  [[nodiscard]] result<std::size_t> compact(std::chrono::system_clock::time_point now);

  /// Appends queued and not yet taken by the writer.
  [[nodiscard]] std::size_t queued() const;

  /// Transactions committed so far (each is one fsync).
  [[nodiscard]] std::uint64_t commits() const noexcept {
    return commits_.load(std::memory_order_relaxed);
  }

private:
  struct queued_append {
    journal_batch batch;
    append_done done;
    std::int64_t batch_id = 0; ///< Assigned by `append`; 0 for a batch without events.
  };
  struct statements;

  journal(sqlite3* db, journal_options options);
  void run();
  [[nodiscard]] result<void> commit(std::vector<queued_append>& appends,
                                    const std::vector<std::int64_t>& marks,
                                    std::vector<std::vector<std::int64_t>>& ids);
  [[nodiscard]] result<void> write_batch(const queued_append& append);
  /// Writes the rows the marks change; `updated` gets the new done bits of each batch touched.
  /// `fresh` holds the (empty) done bits of the batches written by the same transaction.
  [[nodiscard]] result<void> write_marks(const std::vector<std::int64_t>& marks,
                                         const std::map<std::int64_t, done_bits>& fresh,
                                         std::map<std::int64_t, done_bits>& updated);
  [[nodiscard]] result<void> load_progress();
  [[nodiscard]] result<void> load_next_batch_id();
  [[nodiscard]] result<void> exec(const char* sql);
  /// Queued appends that end the group commit window early.
  [[nodiscard]] std::size_t group_commit_appends() const noexcept {
    return std::max<std::size_t>(1, options_.queue_capacity / 2);
  }

  sqlite3* db_;
  journal_options options_;
  std::unique_ptr<statements> statements_; ///< Prepared once; used under `db_mutex_`.
  std::unique_ptr<wal_checkpointer> checkpointer_;
  /// Done marks of the batches with events still pending: writer thread only (and `open`).
  std::unordered_map<std::int64_t, done_bits> progress_;
  std::mutex db_mutex_; ///< Guards the connection.
  mutable std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::deque<queued_append> appends_;
  std::vector<std::int64_t> marks_;
  std::chrono::steady_clock::time_point first_mark_at_; ///< Of the oldest mark in `marks_`.
  /// When the oldest append in `appends_` was queued (the group commit window's start).
  std::chrono::steady_clock::time_point first_append_at_;
  std::atomic<std::uint64_t> commits_{0};
  /// The id `append` gives the next batch (under `queue_mutex_`); ids of failed commits are
  /// not reused.
  std::int64_t next_batch_id_ = 1;
  bool stopping_ = false;
  std::thread writer_;
};

} // namespace herald::store
