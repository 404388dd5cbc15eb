#pragma once

// Internal to transports/amqp_*: the hand-over of settlements to the container thread.
#include <proton/work_queue.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
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
struct amqp_settle_queue {
  std::mutex mu;
  bool open = true;
  std::vector<settle_request> items;
  /// The work queues of the open connections (by link): any one runs work on the container
  /// thread. Set and cleared on that thread under `mu`, so a queue used here is alive.
  std::vector<proton::work_queue*> queues;
  std::function<void()> drain; ///< Runs on the container thread.

  void push(settle_request r) {
    std::lock_guard lock(mu);
    if (!open) {
      return;
    }
    items.push_back(std::move(r));
    if (items.size() == 1) {
      wake();
    }
  }
  /// Injects a drain; with no open connection the items wait for the next one.
  void wake() {
    for (auto* q : queues) {
      if (q != nullptr && q->add([d = drain] { d(); })) {
        return;
      }
    }
  }
  void set_queue(std::size_t link, proton::work_queue* q) {
    std::lock_guard lock(mu);
    queues[link] = q;
    if (q != nullptr && !items.empty()) {
      wake();
    }
  }
};

} // namespace detail

} // namespace herald::transports
