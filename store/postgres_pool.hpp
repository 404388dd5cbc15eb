#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store_error.hpp"

struct pg_conn;

namespace herald::store {

/// Options of `postgres_pool::open`.
struct postgres_pool_options {
  /// libpq connection string or URI, e.g. `postgresql://herald@127.0.0.1:5432/herald`
  /// (config key `registry.postgres_url`).
  std::string url;
  /// Most connections open at once; also the most concurrent store calls.
  std::size_t connections = 4;
  /// How long `checkout` waits for a free connection before failing with `unavailable`.
  std::chrono::milliseconds checkout_timeout{2000};
  /// libpq `connect_timeout` of each (re)connect; rounded up to whole seconds.
  std::chrono::milliseconds connect_timeout{5000};
  /// Wait after the first failed connect; doubles per further failure up to `backoff_max`,
  /// and resets on the first success. Calls during the wait fail fast with `unavailable`.
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
};

/// A fixed-size pool of libpq connections to one PostgreSQL database.
///
/// Lifecycle: `open` connects one connection (so a wrong URL fails at start); the others are
/// opened on demand. A caller `checkout`s a `lease`, uses its connection alone, and the
/// lease's destructor gives it back; a lease marked `discard` (the connection broke) is
/// closed instead and its slot reconnects on a later checkout, after the backoff.
/// Destroying the pool closes every connection; every lease must be gone by then.
/// Threading: `checkout` is thread-safe (one mutex, held only for bookkeeping, never during
/// network I/O), so several router shards share one pool; a lease belongs to one thread.
class postgres_pool {
public:
  /// Opens the pool and its first connection. Fails with `unavailable` when the server
  /// cannot be reached or refuses the login.
  [[nodiscard]] static result<std::shared_ptr<postgres_pool>> open(postgres_pool_options options);

  ~postgres_pool();
  postgres_pool(const postgres_pool&) = delete;
  postgres_pool& operator=(const postgres_pool&) = delete;

  /// Exclusive use of one open connection until destruction (RAII, move-only).
  class lease {
  public:
    lease(lease&& other) noexcept;
    lease& operator=(lease&& other) = delete;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease();

    /// The connection, `CONNECTION_OK` when leased.
    [[nodiscard]] pg_conn* connection() const noexcept;
    /// Bit set of statements the user has prepared on this connection; cleared on reconnect
    /// (prepared statements live and die with their server session).
    [[nodiscard]] std::uint64_t& prepared() noexcept;
    /// Marks the connection broken: it is closed instead of returned.
    void discard() noexcept { discard_ = true; }

  private:
    friend class postgres_pool;
    lease(postgres_pool* pool, std::size_t slot) : pool_(pool), slot_(slot) {}
    postgres_pool* pool_;
    std::size_t slot_;
    bool discard_ = false;
  };

  /// Leases a connection, opening one if a slot is empty. Fails with `unavailable` when none
  /// is free within `checkout_timeout`, while reconnecting is backing off, or when the
  /// connect fails.
  [[nodiscard]] result<lease> checkout();

  /// Connections currently open (leased or idle).
  [[nodiscard]] std::size_t open_connections() const;

  /// The options the pool was opened with.
  [[nodiscard]] const postgres_pool_options& options() const noexcept { return options_; }

private:
  struct slot {
    pg_conn* conn = nullptr;
    std::uint64_t prepared = 0;
    bool leased = false;
  };
  using clock = std::chrono::steady_clock;

  explicit postgres_pool(postgres_pool_options options);
  [[nodiscard]] result<void> connect_slot(std::size_t index);
  void give_back(std::size_t index, bool discard) noexcept;

  postgres_pool_options options_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<slot> slots_;
  std::chrono::milliseconds backoff_{0};
  clock::time_point next_connect_{};
};

} // namespace herald::store
