#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <optional>

#include "actors/messages.hpp"

namespace herald::actors {

/// Bounded per-lane FIFO queues of notifications waiting for a stream slot. `pop()` serves the
/// call lane first, so a chat burst never delays a ring. Not thread-safe: owned by one sender.
class lane_queue {
public:
  explicit lane_queue(std::size_t capacity_per_lane) : capacity_(capacity_per_lane) {}

  /// Appends `n` to its lane; false (nothing stored) when that lane is full.
  [[nodiscard]] bool push(notification_ptr n);
  /// Puts `n` back at the head of its lane (a replay after GOAWAY or a refused stream); never
  /// refused, because the slot it held is already counted against the capacity.
  void push_front(notification_ptr n);
  /// Next notification by lane priority, or nothing.
  [[nodiscard]] std::optional<notification_ptr> pop();

  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] std::size_t size(protocol::lane l) const noexcept {
    return lanes_[static_cast<std::size_t>(l)].size();
  }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

private:
  std::size_t capacity_;
  std::array<std::deque<notification_ptr>, 3> lanes_;
};

} // namespace herald::actors
