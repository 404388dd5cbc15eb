#include "store/postgres_pool.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

namespace herald::store {

namespace {

/// libpq messages end with a newline; a log line should not.
std::string trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

} // namespace

postgres_pool::postgres_pool(postgres_pool_options options)
    : options_(std::move(options)), slots_(std::max<std::size_t>(options_.connections, 1)) {}

result<std::shared_ptr<postgres_pool>> postgres_pool::open(postgres_pool_options options) {
  std::shared_ptr<postgres_pool> pool(new postgres_pool(std::move(options)));
  auto first = pool->connect_slot(0);
  if (!first) {
    return first.error();
  }
  return pool;
}

postgres_pool::~postgres_pool() {
  for (auto& s : slots_) {
    assert(!s.leased && "a lease outlived its postgres_pool");
    if (s.conn != nullptr) {
      PQfinish(s.conn);
    }
  }
}

result<void> postgres_pool::connect_slot(std::size_t index) {
  // Runs without the mutex: connecting takes a network round trip or a timeout. The slot is
  // marked leased (or not yet shared, in open), so no other thread touches it meanwhile.
  auto seconds = std::chrono::ceil<std::chrono::seconds>(options_.connect_timeout).count();
  std::string timeout = std::to_string(std::max<long long>(seconds, 1));
  // Later keywords override what the expanded URL says (libpq "Parameter Key Words").
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {options_.url.c_str(), timeout.c_str(), "herald", nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, 1);
  bool good = conn != nullptr && PQstatus(conn) == CONNECTION_OK;
  std::string message = good ? std::string() : trimmed(PQerrorMessage(conn));
  if (!good && conn != nullptr) {
    PQfinish(conn);
  }
  std::lock_guard lock(mutex_);
  if (!good) {
    backoff_ = backoff_.count() == 0 ? options_.backoff_initial
                                     : std::min(backoff_ * 2, options_.backoff_max);
    next_connect_ = clock::now() + backoff_;
    spdlog::warn("store: postgres connect failed ({}), next attempt in {} ms", message,
                 backoff_.count());
    return store_error{errc::unavailable, "postgres connect: " + message};
  }
  // NOTICEs ("relation already exists, skipping") would go to stderr; they are not failures.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  backoff_ = std::chrono::milliseconds(0);
  slots_[index].conn = conn;
  slots_[index].prepared = 0;
  return ok();
}

result<postgres_pool::lease> postgres_pool::checkout() {
  std::unique_lock lock(mutex_);
  auto deadline = clock::now() + options_.checkout_timeout;
  auto free_slot = [this] {
    // Prefer an open connection; an empty slot costs a connect.
    std::size_t empty = slots_.size();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].leased) {
        if (slots_[i].conn != nullptr) {
          return i;
        }
        empty = std::min(empty, i);
      }
    }
    return empty;
  };
  std::size_t index = free_slot();
  while (index == slots_.size()) {
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      index = free_slot();
      if (index == slots_.size()) {
        return store_error{errc::unavailable,
                           "no free postgres connection within " +
                               std::to_string(options_.checkout_timeout.count()) + " ms"};
      }
      break;
    }
    index = free_slot();
  }
  auto& s = slots_[index];
  if (s.conn != nullptr) {
    s.leased = true;
    return lease(this, index);
  }
  if (clock::now() < next_connect_) {
    return store_error{errc::unavailable, "postgres unreachable; reconnect backing off"};
  }
  s.leased = true;
  lock.unlock();
  auto connected = connect_slot(index);
  if (!connected) {
    give_back(index, true);
    return connected.error();
  }
  return lease(this, index);
}

void postgres_pool::give_back(std::size_t index, bool discard) noexcept {
  pg_conn* broken = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto& s = slots_[index];
    if (discard || (s.conn != nullptr && PQstatus(s.conn) != CONNECTION_OK)) {
      broken = std::exchange(s.conn, nullptr);
      s.prepared = 0;
    }
    s.leased = false;
  }
  freed_.notify_one();
  if (broken != nullptr) {
    PQfinish(broken); // Outside the lock: it may send a Terminate message.
  }
}

std::size_t postgres_pool::open_connections() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const slot& s) { return s.conn != nullptr; }));
}

postgres_pool::lease::lease(lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(other.slot_), discard_(other.discard_) {}

postgres_pool::lease::~lease() {
  if (pool_ != nullptr) {
    pool_->give_back(slot_, discard_);
  }
}

pg_conn* postgres_pool::lease::connection() const noexcept {
  // The leased slot is ours alone, so reading it without the mutex is safe.
  return pool_->slots_[slot_].conn;
}

std::uint64_t& postgres_pool::lease::prepared() noexcept {
  return pool_->slots_[slot_].prepared;
}

} // namespace herald::store
