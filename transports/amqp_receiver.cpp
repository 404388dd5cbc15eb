#include "transports/amqp_receiver.hpp"

#include <proton/container.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/work_queue.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "transports/amqp_link.hpp"
#include "transports/amqp_settle_queue.hpp"

namespace herald::transports {

class amqp_receiver::impl final : public proton::messaging_handler, public amqp_link_owner {
public:
  impl(amqp_receiver_options options, message_handler on_message, capacity_function capacity,
       prometheus::Registry& metrics)
      : options_(std::move(options)), on_message_(std::move(on_message)),
        capacity_(std::move(capacity)), container_(*this, "herald"),
        queue_(std::make_shared<detail::amqp_settle_queue>()) {
    for (std::size_t i = 0; i < options_.sources.size(); ++i) {
      links_.push_back(std::make_unique<amqp_link>(*this, i, options_.sources[i], metrics));
    }
    queue_->queues.resize(links_.size(), nullptr);
    queue_->drain = [this] { drain(); };
    queue_->delay = options_.settle_delay;
    queue_->batch = std::max<std::size_t>(1, options_.settle_batch);
    // Run until `stop`: with the default, the container ends when its last connection closes
    // (a broker restart), and later reconnects would go to a container nobody runs.
    container_.auto_stop(false);
  }

  void run() {
    thread_ = std::thread([this] {
      try {
        container_.run();
      } catch (const std::exception& e) {
        spdlog::error("amqp: container stopped: {}", e.what());
      }
    });
    // Timers on a thread of their own: re-evaluating credit and reconnecting after backoff
    // (container::connect and work_queue::add are thread-safe).
    ticker_ = std::thread([this] {
      std::unique_lock lock(tick_mu_);
      while (!tick_cv_.wait_for(lock, options_.credit_poll, [this] { return ticker_done_; })) {
        lock.unlock();
        tick();
        lock.lock();
      }
    });
  }

  void on_container_start(proton::container& c) override {
    for (auto& l : links_) {
      l->connect(c);
    }
  }

  /// On the ticker thread: reconnect due links, and top up credit on the container thread.
  void tick() {
    auto now = std::chrono::steady_clock::now();
    for (auto& l : links_) {
      if (l->reconnect_due(now)) {
        l->connect(container_);
      }
    }
    std::lock_guard lock(queue_->mu);
    for (auto* q : queue_->queues) {
      if (q != nullptr && q->add([this] {
            drain();
            for (auto& l : links_) {
              l->top_up();
            }
          })) {
        break;
      }
    }
  }

  void stop(std::chrono::milliseconds grace) {
    {
      std::lock_guard lock(tick_mu_);
      if (ticker_done_) {
        return;
      }
      ticker_done_ = true;
    }
    tick_cv_.notify_all();
    if (ticker_.joinable()) {
      ticker_.join();
    }
    auto begin = [this] {
      drain();
      stopping_ = true;
      for (auto& l : links_) {
        l->begin_stop();
      }
      link_closed();
    };
    bool injected = false;
    {
      std::lock_guard lock(queue_->mu);
      // Settlements made so far still go out (drained first); later ones are dropped.
      queue_->open = false;
      for (auto* q : queue_->queues) {
        if (!injected && q != nullptr) {
          injected = q->add(begin);
        }
      }
    }
    if (injected) {
      std::unique_lock lock(tick_mu_);
      if (!tick_cv_.wait_for(lock, grace, [this] { return stopped_.load(); })) {
        spdlog::warn("amqp: links did not close within the grace period; aborting");
      }
    }
    // Idempotent; aborts what did not close in time (the broker redelivers its messages).
    container_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  /// Stops the container once every connection of a stopping receiver is closed.
  void link_closed() override {
    if (!stopping_ || stopped_) {
      return;
    }
    if (std::all_of(links_.begin(), links_.end(), [](const auto& l) { return l->closed(); })) {
      {
        std::lock_guard lock(tick_mu_);
        stopped_ = true;
      }
      tick_cv_.notify_all();
    }
  }

  void deliver(amqp_message msg, amqp_settlement s) override {
    on_message_(std::move(msg), std::move(s));
  }
  [[nodiscard]] std::size_t capacity() const override { return capacity_(); }
  [[nodiscard]] bool stopping() const noexcept override { return stopping_; }
  [[nodiscard]] const amqp_receiver_options& options() const noexcept override { return options_; }
  [[nodiscard]] std::shared_ptr<detail::amqp_settle_queue> queue() const override { return queue_; }
  [[nodiscard]] std::size_t attached() const noexcept { return attached_.load(); }
  void count_attached(int delta) noexcept override { attached_ += static_cast<std::size_t>(delta); }
  proton::container& container() noexcept { return container_; }

private:
  void drain() {
    auto items = queue_->take();
    if (items.empty()) {
      return;
    }
    auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < items.size(); ++i) {
      links_[items[i].link]->settle(items[i]);
      if (i + 1 == items.size() || items[i + 1].link != items[i].link) {
        links_[items[i].link]->flush_settled(now);
        links_[items[i].link]->settled_batch();
      }
    }
    for (auto& l : links_) {
      l->top_up();
    }
  }

  amqp_receiver_options options_;
  message_handler on_message_;
  capacity_function capacity_;
  proton::container container_;
  std::shared_ptr<detail::amqp_settle_queue> queue_;
  std::vector<std::unique_ptr<amqp_link>> links_;
  std::thread thread_;
  std::atomic<std::size_t> attached_{0};
  std::thread ticker_;
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool ticker_done_ = false;
  bool stopping_ = false;
  std::atomic<bool> stopped_{false};
};

amqp_receiver::amqp_receiver(amqp_receiver_options options, message_handler on_message,
                             capacity_function capacity, prometheus::Registry& metrics)
    : impl_(std::make_shared<impl>(std::move(options), std::move(on_message), std::move(capacity),
                                   metrics)) {
  impl_->run();
}

amqp_receiver::~amqp_receiver() {
  stop();
}

void amqp_receiver::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}

std::size_t amqp_receiver::attached() const noexcept {
  return impl_->attached();
}

} // namespace herald::transports
