#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include "actors/delivery_backlog.hpp"
#include "actors/messages.hpp"

namespace herald::actors {

/// Per-lane FIFO queues of notifications waiting for a stream slot. `pop()` serves the call
/// lane first, so a chat burst never delays a ring. Every notification it holds is counted in
/// the node's `delivery_backlog` (when given), whose high-water mark stops admission: the
/// queue itself never refuses, because what it is handed was already acknowledged upstream.
/// Not thread-safe: owned by one sender.
class lane_queue {
public:
  explicit lane_queue(std::shared_ptr<delivery_backlog> backlog = nullptr)
      : backlog_(std::move(backlog)) {}
  ~lane_queue();
  lane_queue(lane_queue&& other) noexcept;
  lane_queue& operator=(lane_queue&& other) noexcept;
  lane_queue(const lane_queue&) = delete;
  lane_queue& operator=(const lane_queue&) = delete;

  /// Appends `n` to its lane.
  void push(notification_ptr n);
  /// Puts `n` back at the head of its lane (a replay after GOAWAY or a refused stream).
  void push_front(notification_ptr n);
  /// Next notification by lane priority, or nothing.
  [[nodiscard]] std::optional<notification_ptr> pop();

  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] std::size_t size(protocol::lane l) const noexcept {
    return lanes_[static_cast<std::size_t>(l)].size();
  }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

private:
  void count(std::int64_t n) noexcept {
    if (backlog_) {
      backlog_->add(n);
    }
  }

  std::shared_ptr<delivery_backlog> backlog_;
  std::array<std::deque<notification_ptr>, 3> lanes_;
};

} // namespace herald::actors
