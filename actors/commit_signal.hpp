#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace herald::actors {

/// The outcome of one journal commit, awaited by whoever answers the batch's sender.
///
/// A webhook batch is routed as soon as it is queued for the journal and answered only once
/// its commit is durable: the answer waits here for the commit. Lifecycle: shared by the
/// journal's commit callback (which resolves it once) and the answering code (which waits
/// once). Threading: both calls may come from any thread; the waiter runs on the thread of
/// whichever call comes second, outside the lock.
class commit_signal {
public:
  /// What a waiter gets: nullopt when the commit is durable, else why it failed.
  using failure = std::optional<std::string>;

  /// Runs `waiter` with the commit's outcome once it is known: at once (on this thread) if
  /// it is already. Call at most once.
  void on_resolved(std::function<void(failure)> waiter) {
    std::unique_lock lock(mutex_);
    if (!resolved_) {
      waiter_ = std::move(waiter);
      return;
    }
    auto outcome = failure_;
    lock.unlock();
    waiter(std::move(outcome));
  }

  /// Records the commit's outcome and runs the waiter, if one is set. Call once.
  void resolve(failure outcome) {
    std::unique_lock lock(mutex_);
    resolved_ = true;
    failure_ = outcome;
    auto waiter = std::move(waiter_);
    lock.unlock();
    if (waiter) {
      waiter(std::move(outcome));
    }
  }

private:
  std::mutex mutex_;
  bool resolved_ = false;
  failure failure_;
  std::function<void(failure)> waiter_;
};

} // namespace herald::actors
