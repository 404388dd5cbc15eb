#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store_error.hpp"

struct sqlite3;

namespace herald::store {

/// Checkpoints a WAL-mode SQLite database from a connection and thread of its own, so the
/// connection that commits never waits for the WAL to be copied back into the database file.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: with a
/// journal that fsyncs every commit, that commit then also writes and fsyncs megabytes of
/// database pages, and every caller waiting for it sees the delay. Instead, `start` turns the
/// writer's automatic checkpoints off and installs a WAL hook: a commit that leaves at least
/// `pages` pages in the WAL wakes this thread, which runs a PASSIVE checkpoint (it never
/// blocks the writer). SQLite restarts the WAL from its beginning only when a write begins
/// after a checkpoint copied all of it, which a checkpoint racing a busy writer never does:
/// so when the WAL reaches `4 * pages`, the writer's thread calls `catch_up` between commits,
/// which copies the few frames the background checkpoints have not (the WAL stays bounded).
///
/// Lifecycle: `start` after the writer connection is open and its schema exists; destroy it
/// before closing the writer connection and after the writer's last commit. Threading: the
/// hook runs on the writer's thread; everything else on the checkpoint thread.
class wal_checkpointer {
public:
  /// Opens a second connection to `path` and starts the thread; `writer` gets the hook.
  [[nodiscard]] static result<std::unique_ptr<wal_checkpointer>>
  start(const std::filesystem::path& path, sqlite3* writer, int pages);
  ~wal_checkpointer();
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  /// Checkpoints run so far (successful or not), for tests and logs.
  [[nodiscard]] std::size_t runs() const;

  /// On the writer's thread, between its transactions: when the WAL holds `4 * pages` pages
  /// or more, checkpoints it from the writer's connection (nothing else writes meanwhile, so
  /// the checkpoint copies every frame and the next transaction restarts the WAL). Returns
  /// true when it copied every frame (false: not due, or it failed; the next call tries
  /// again). Waits for a background checkpoint in progress first.
  bool catch_up();

private:
  wal_checkpointer(sqlite3* own, sqlite3* writer, int pages);
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void run();

  sqlite3* db_;
  sqlite3* writer_;
  int pages_;
  std::atomic<int> wal_pages_{0}; ///< As the writer's last commit left the WAL.
  mutable std::mutex mutex_;
  std::mutex run_mutex_; ///< Held while either thread checkpoints.
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::size_t runs_ = 0;
  std::thread thread_;
};

} // namespace herald::store
