#pragma once

// Internal to the sender core: the notifications a sender has out of its queue. Not part of
// the actors/ interface.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "actors/messages.hpp"

namespace herald::actors::detail {

/// The notifications a sender has out of its queue (in flight, or waiting for a retry), each
/// held under a number that travels with its answer or its retry timer. Adding and taking are
/// O(1), without hashing or an allocation per send; a number is reused once taken.
/// Not thread-safe: used by one sender (or its supervisor while no sender runs).
class out_notifications {
public:
  /// Holds `n`; returns its number.
  [[nodiscard]] std::uint32_t add(notification_ptr n) {
    if (free_.empty()) {
      held_.push_back(std::move(n));
      return static_cast<std::uint32_t>(held_.size() - 1);
    }
    auto id = free_.back();
    free_.pop_back();
    held_[id] = std::move(n);
    return id;
  }

  /// Releases and returns what is held under `id`; null when nothing is (already taken).
  [[nodiscard]] notification_ptr take(std::uint32_t id) {
    if (id >= held_.size() || !held_[id]) {
      return nullptr;
    }
    free_.push_back(id);
    return std::exchange(held_[id], nullptr);
  }

  /// Notifications held.
  [[nodiscard]] std::size_t size() const noexcept { return held_.size() - free_.size(); }

  /// Releases everything held, calling `f` with each notification; returns how many.
  template <class F>
  std::size_t drain(F&& f) {
    auto n = size();
    auto held = std::exchange(held_, {});
    free_.clear();
    for (auto& x : held) {
      if (x) {
        f(std::move(x));
      }
    }
    return n;
  }

private:
  std::vector<notification_ptr> held_;
  std::vector<std::uint32_t> free_;
};

} // namespace herald::actors::detail
