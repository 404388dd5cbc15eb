#pragma once

#include <atomic>
#include <cstdint>

namespace herald::actors {

/// Notifications waiting in the sender queues of a node, shared by every sender and by the
/// webhook's admission check. Above its high-water mark the webhook refuses new batches with
/// 503 + Retry-After (Event Grid retries them), so the queues stop growing and nothing already
/// acknowledged is ever dropped for lack of room: memory is bounded by what was admitted
/// (the in-flight event budget times the devices per identity), not by load.
/// Thread-safe (atomics); senders update it, I/O threads read it.
class delivery_backlog {
public:
  explicit delivery_backlog(std::int64_t high_water) : high_water_(high_water) {}

  /// Adds (or, negative, removes) queued notifications.
  void add(std::int64_t n) noexcept { queued_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t queued() const noexcept {
    return queued_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::int64_t high_water() const noexcept { return high_water_; }
  /// True when new batches must wait.
  [[nodiscard]] bool saturated() const noexcept { return queued() >= high_water_; }

private:
  std::atomic<std::int64_t> queued_{0};
  std::int64_t high_water_;
};

} // namespace herald::actors
