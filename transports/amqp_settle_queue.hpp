#pragma once

// Internal to transports/amqp_*: the hand-over of settlements to the container thread.
#include <proton/duration.hpp>
#include <proton/work_queue.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "transports/amqp_receiver.hpp"

namespace herald::transports {

namespace detail {

/// A settlement on its way to the container thread.
struct settle_request {
  std::size_t link = 0;
  std::uint64_t generation = 0;
  std::uint64_t key = 0;
  amqp_outcome outcome = amqp_outcome::released;
  std::string description;
};

/// Hand-over from any thread to the container thread; `open` is false once the receiver
/// stopped, after which settlements are dropped (the broker redelivers those messages).
/// Settlements are batched (`amqp_receiver_options::settle_delay` and `settle_batch`): the
/// first one after a drain arms a delayed drain, the `batch`-th pending one asks for an
/// immediate one.
struct amqp_settle_queue {
  std::mutex mu;
  bool open = true;
  std::vector<settle_request> items;
  /// The work queues of the open connections (by link): any one runs work on the container
  /// thread. Set and cleared on that thread under `mu`, so a queue used here is alive.
  std::vector<proton::work_queue*> queues;
  std::function<void()> drain; ///< Runs on the container thread; calls `take`.
  std::chrono::milliseconds delay{0};
  std::size_t batch = 1;
  bool armed = false;  ///< A drain is on its way that has not taken `items` yet.
  bool urgent = false; ///< An immediate drain for a full batch is on its way.

  void push(settle_request r) {
    std::lock_guard lock(mu);
    if (!open) {
      return;
    }
    items.push_back(std::move(r));
    if (!armed) {
      armed = wake(delay);
    } else if (!urgent && items.size() >= batch) {
      urgent = wake(std::chrono::milliseconds(0));
    }
  }
  /// On the container thread: what is pending, in arrival order per link (by generation and
  /// key), so that consecutive deliveries share a ranged disposition.
  std::vector<settle_request> take() {
    std::vector<settle_request> out;
    {
      std::lock_guard lock(mu);
      out.swap(items);
      armed = false;
      urgent = false;
    }
    std::sort(out.begin(), out.end(), [](const settle_request& a, const settle_request& b) {
      return std::tie(a.link, a.generation, a.key) < std::tie(b.link, b.generation, b.key);
    });
    return out;
  }
  /// Injects a drain, after `after`; false with no open connection (the items wait for the
  /// next one). Called under `mu`.
  bool wake(std::chrono::milliseconds after) {
    for (auto* q : queues) {
      if (q == nullptr) {
        continue;
      }
      if (after.count() > 0) {
        // A timer lost with its connection is made up for by `set_queue` and the ticker.
        q->schedule(proton::duration(after.count()), [d = drain] { d(); });
        return true;
      }
      if (q->add([d = drain] { d(); })) {
        return true;
      }
    }
    return false;
  }
  void set_queue(std::size_t link, proton::work_queue* q) {
    std::lock_guard lock(mu);
    queues[link] = q;
    // A connection came or went (with any timer on it): send what is pending now.
    armed = !items.empty() && wake(std::chrono::milliseconds(0));
    urgent = armed;
  }
};

} // namespace detail

} // namespace herald::transports
