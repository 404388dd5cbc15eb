#pragma once

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
/// blocks the writer; the writer restarts the WAL from its beginning once a checkpoint has
/// copied all of it).
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

private:
  wal_checkpointer(sqlite3* own, sqlite3* writer, int pages);
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void run();

  sqlite3* db_;
  sqlite3* writer_;
  int pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::size_t runs_ = 0;
  std::thread thread_;
};

} // namespace herald::store
