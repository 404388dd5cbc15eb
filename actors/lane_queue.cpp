#include "actors/lane_queue.hpp"

namespace herald::actors {

bool lane_queue::push(notification_ptr n) {
  auto& lane = lanes_[static_cast<std::size_t>(n->lane)];
  if (lane.size() >= capacity_) {
    return false;
  }
  lane.push_back(std::move(n));
  return true;
}

void lane_queue::push_front(notification_ptr n) {
  lanes_[static_cast<std::size_t>(n->lane)].push_front(std::move(n));
}

std::optional<notification_ptr> lane_queue::pop() {
  for (auto& lane : lanes_) {
    if (!lane.empty()) {
      auto n = std::move(lane.front());
      lane.pop_front();
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
