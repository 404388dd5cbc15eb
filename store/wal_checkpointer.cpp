#include "store/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/sqlite_statement.hpp"

namespace herald::store {

wal_checkpointer::wal_checkpointer(sqlite3* own, sqlite3* writer, int pages)
    : db_(own), writer_(writer), pages_(pages) {}

result<std::unique_ptr<wal_checkpointer>> wal_checkpointer::start(const std::filesystem::path& path,
                                                                  sqlite3* writer, int pages) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<wal_checkpointer> self(new wal_checkpointer(db, writer, pages));
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "open for checkpoints " + path.string());
  }
  // Checkpoints copy with the same durability as the commits they follow.
  if (auto r = sqlite_exec(db, "PRAGMA synchronous=FULL"); !r) {
    return r.error();
  }
  // Replaces the automatic checkpoint (which is itself a WAL hook) on the writer.
  sqlite3_wal_hook(writer, &wal_checkpointer::on_commit, self.get());
  self->thread_ = std::thread([p = self.get()] { p->run(); });
  return self;
}

wal_checkpointer::~wal_checkpointer() {
  if (thread_.joinable()) {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  sqlite3_close(db_);
}

std::size_t wal_checkpointer::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

int wal_checkpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto* me = static_cast<wal_checkpointer*>(self);
  if (pages >= me->pages_) {
    {
      std::lock_guard lock(me->mutex_);
      me->due_ = true;
    }
    me->wake_.notify_one();
  }
  return SQLITE_OK;
}

void wal_checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return due_ || stopping_; });
      if (stopping_) {
        return;
      }
      due_ = false;
    }
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      // The WAL only grows until the next checkpoint works; nothing is lost.
      spdlog::warn("journal: WAL checkpoint failed: {}",
                   sqlite_failure(db_, rc, "checkpoint").describe());
    }
    std::lock_guard lock(mutex_);
    ++runs_;
  }
}

} // namespace herald::store
