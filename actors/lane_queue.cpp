#include "actors/lane_queue.hpp"

namespace herald::actors {

lane_queue::~lane_queue() {
  // What is still queued when a sender stops leaves the backlog with it.
  count(-static_cast<std::int64_t>(size()));
}

lane_queue::lane_queue(lane_queue&& other) noexcept
    : backlog_(std::move(other.backlog_)), lanes_(std::move(other.lanes_)) {
  for (auto& lane : other.lanes_) {
    lane.clear();
  }
}

lane_queue& lane_queue::operator=(lane_queue&& other) noexcept {
  if (this != &other) {
    count(-static_cast<std::int64_t>(size()));
    backlog_ = std::move(other.backlog_);
    lanes_ = std::move(other.lanes_);
    for (auto& lane : other.lanes_) {
      lane.clear();
    }
  }
  return *this;
}

void lane_queue::push(notification_ptr n) {
  lanes_[static_cast<std::size_t>(n->lane)].push_back(std::move(n));
  count(1);
}

void lane_queue::push_front(notification_ptr n) {
  lanes_[static_cast<std::size_t>(n->lane)].push_front(std::move(n));
  count(1);
}

std::optional<notification_ptr> lane_queue::pop() {
  for (auto& lane : lanes_) {
    if (!lane.empty()) {
      auto n = std::move(lane.front());
      lane.pop_front();
      count(-1);
      return n;
    }
  }
  return std::nullopt;
}

std::size_t lane_queue::size() const noexcept {
  std::size_t total = 0;
  for (const auto& lane : lanes_) {
    total += lane.size();
  }
  return total;
}

} // namespace herald::actors
