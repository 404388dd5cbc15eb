#include "transports/amqp_receiver.hpp"

#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/session.hpp>
#include <proton/source_options.hpp>
#include <proton/ssl.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "transports/amqp_cbs_client.hpp"
#include "transports/amqp_message_codec.hpp"
#include "transports/amqp_metrics.hpp"
#include "transports/amqp_settle_queue.hpp"

namespace herald::transports {

/// One source: its connection, receiver link and unsettled deliveries. The Proton handler of
/// its connection; every member is used on the container thread only.
class amqp_link final : public proton::messaging_handler {
public:
  amqp_link(amqp_receiver::impl& owner, std::size_t index, amqp_source_options options,
            prometheus::Registry& metrics)
      : owner_(owner), index_(index), options_(std::move(options)),
        metrics_(metrics, options_.address) {}

  void connect(proton::container& c);
  void begin_stop();
  void settle(const detail::settle_request& r);
  void top_up();
  [[nodiscard]] bool attached() const noexcept { return attached_; }
  [[nodiscard]] bool closed() const noexcept { return !active_; }
  /// True (once) when a reconnect is scheduled and its backoff has passed.
  [[nodiscard]] bool reconnect_due(std::chrono::steady_clock::time_point now);

  void on_connection_open(proton::connection& c) override;
  void on_receiver_open(proton::receiver& r) override;
  void on_receiver_close(proton::receiver& r) override;
  /// RabbitMQ 3.10 answers a closing detach without `closed`: same as a close.
  void on_receiver_detach(proton::receiver& r) override { on_receiver_close(r); }
  void on_message(proton::delivery& d, proton::message& m) override;
  void on_transport_close(proton::transport& t) override;
  void on_transport_error(proton::transport& t) override;
  void on_connection_error(proton::connection& c) override;
  void on_receiver_error(proton::receiver& r) override;
  void on_session_error(proton::session& s) override;
  void on_error(const proton::error_condition& e) override;
  void on_sendable(proton::sender& s) override;

private:
  void attach_receiver();
  [[nodiscard]] proton::connection_options connection_options();

  amqp_receiver::impl& owner_;
  std::size_t index_;
  amqp_source_options options_;
  amqp_metrics metrics_;
  proton::connection connection_;
  proton::receiver receiver_;
  std::unique_ptr<amqp_cbs_client> cbs_;
  /// An unsettled delivery and when the settle timeout releases it.
  struct pending {
    proton::delivery delivery;
    std::chrono::steady_clock::time_point deadline;
  };
  void expire(std::chrono::steady_clock::time_point now);
  [[nodiscard]] std::chrono::milliseconds next_backoff();

  std::unordered_map<std::uint64_t, pending> unsettled_;
  std::minstd_rand jitter_{std::random_device{}()};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::chrono::steady_clock::time_point> reconnect_at_{};
  std::uint64_t next_key_ = 0;
  std::chrono::milliseconds delay_{0};
  std::atomic<bool> active_{false}; ///< A connection exists (connecting, open or closing).
  bool attached_ = false;           ///< The receiver link is open.
  std::atomic<bool> stopping_{false};
};

class amqp_receiver::impl : public proton::messaging_handler {
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
  void link_closed() {
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

  void deliver(amqp_message msg, amqp_settlement s) { on_message_(std::move(msg), std::move(s)); }
  [[nodiscard]] std::size_t capacity() const { return capacity_(); }
  [[nodiscard]] bool stopping() const noexcept { return stopping_; }
  [[nodiscard]] const amqp_receiver_options& options() const noexcept { return options_; }
  [[nodiscard]] std::shared_ptr<detail::amqp_settle_queue> queue() const { return queue_; }
  [[nodiscard]] std::size_t attached() const noexcept { return attached_.load(); }
  void count_attached(int delta) noexcept { attached_ += static_cast<std::size_t>(delta); }
  proton::container& container() noexcept { return container_; }

private:
  void drain() {
    std::vector<detail::settle_request> items;
    {
      std::lock_guard lock(queue_->mu);
      items.swap(queue_->items);
    }
    for (const auto& r : items) {
      links_[r.link]->settle(r);
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

proton::connection_options amqp_link::connection_options() {
  proton::connection_options o;
  o.handler(*this);
  o.sasl_enabled(true);
  if (!options_.user.empty()) {
    o.sasl_allowed_mechs("PLAIN");
    // PLAIN over a clear connection is what a local broker with guest login needs.
    o.sasl_allow_insecure_mechs(true);
    o.user(options_.user);
    o.password(options_.password);
  } else {
    o.sasl_allowed_mechs("ANONYMOUS");
  }
  if (options_.url.rfind("amqps://", 0) == 0) {
    o.ssl_client_options(
        options_.ca_file.empty()
            ? proton::ssl_client_options()
            : proton::ssl_client_options(options_.ca_file, proton::ssl::VERIFY_PEER_NAME));
  }
  return o;
}

void amqp_link::connect(proton::container& c) {
  if (stopping_ || active_) {
    return;
  }
  // Runs on the container thread at start, later on the ticker thread; the container thread
  // touches this link again only for events of the new connection.
  active_ = true;
  ++generation_;
  metrics_.connecting();
  (void)c.connect(options_.url, connection_options());
}

bool amqp_link::reconnect_due(std::chrono::steady_clock::time_point now) {
  auto at = reconnect_at_.load();
  if (at == std::chrono::steady_clock::time_point{} || now < at) {
    return false;
  }
  return reconnect_at_.compare_exchange_strong(at, std::chrono::steady_clock::time_point{});
}

void amqp_link::on_connection_open(proton::connection& c) {
  connection_ = c;
  owner_.queue()->set_queue(index_, &c.work_queue());
  if (options_.servicebus) {
    cbs_ = std::make_unique<amqp_cbs_client>(
        c, *options_.servicebus, options_.address, options_.token_lifetime,
        [this](bool ok, const std::string& why) {
          if (!ok) {
            spdlog::error("amqp: {}: CBS put-token refused: {}", options_.address, why);
            connection_.close(proton::error_condition("amqp:unauthorized-access", why));
            return;
          }
          if (!receiver_) {
            attach_receiver();
          }
        });
    return;
  }
  attach_receiver();
}

void amqp_link::attach_receiver() {
  // Manual credit (window 0) and manual settlement: peek-lock.
  auto ro = proton::receiver_options().credit_window(0).auto_accept(false);
  if (options_.durable_source) {
    ro.source(proton::source_options().durability_mode(proton::terminus::CONFIGURATION));
  }
  receiver_ = connection_.open_receiver(options_.address, ro);
}

void amqp_link::on_receiver_open(proton::receiver& r) {
  if (cbs_ && cbs_->owns(r)) {
    return;
  }
  attached_ = true;
  delay_ = std::chrono::milliseconds(0);
  owner_.count_attached(1);
  metrics_.attached(true);
  spdlog::info("amqp: consuming {} at {}", options_.address, options_.url);
  top_up();
}

void amqp_link::expire(std::chrono::steady_clock::time_point now) {
  if (options_.settle_timeout.count() == 0) {
    return;
  }
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    it->second.delivery.release();
    metrics_.settled(amqp_outcome::released);
    metrics_.settle_timeout();
    it = unsettled_.erase(it);
  }
}

void amqp_link::top_up() {
  if (!attached_ || stopping_) {
    return;
  }
  expire(std::chrono::steady_clock::now());
  auto outstanding = static_cast<std::size_t>(std::max(receiver_.credit(), 0));
  auto room = options_.max_credit > unsettled_.size() ? options_.max_credit - unsettled_.size() : 0;
  auto want = std::min(room, owner_.capacity());
  if (want > outstanding) {
    receiver_.add_credit(static_cast<std::uint32_t>(want - outstanding));
  }
  metrics_.credit(static_cast<double>(std::max(receiver_.credit(), 0)));
}

void amqp_link::on_message(proton::delivery& d, proton::message& m) {
  if (cbs_ && cbs_->owns(d.receiver())) {
    cbs_->on_reply(d, m);
    return;
  }
  auto msg = detail::to_message(options_.address, m);
  metrics_.received(msg.redelivered);
  if (stopping_) {
    d.release();
    metrics_.settled(amqp_outcome::released);
    return;
  }
  auto key = next_key_++;
  auto timeout = options_.settle_timeout;
  unsettled_.emplace(key, pending{d, timeout.count() > 0
                                         ? std::chrono::steady_clock::now() + timeout
                                         : std::chrono::steady_clock::time_point::max()});
  owner_.deliver(std::move(msg), amqp_settlement(owner_.queue(), index_, generation_, key));
  top_up();
}

void amqp_link::settle(const detail::settle_request& r) {
  auto it = r.generation == generation_ ? unsettled_.find(r.key) : unsettled_.end();
  if (it == unsettled_.end()) {
    metrics_.settle_lost();
    return;
  }
  auto d = it->second.delivery;
  unsettled_.erase(it);
  switch (r.outcome) {
  case amqp_outcome::accepted:
    d.accept();
    break;
  case amqp_outcome::rejected:
    detail::reject_with(d, r.description);
    break;
  case amqp_outcome::released:
    d.release();
    break;
  case amqp_outcome::modified:
    d.modify();
    break;
  }
  metrics_.settled(r.outcome);
  top_up();
}

void amqp_link::begin_stop() {
  stopping_ = true;
  for (auto& [key, p] : unsettled_) {
    p.delivery.release();
    metrics_.settled(amqp_outcome::released);
  }
  unsettled_.clear();
  if (!active_) {
    return;
  }
  // Link first, connection once the broker confirmed the detach (on_receiver_close):
  // RabbitMQ drops the dispositions above if the connection closes right after them.
  if (attached_) {
    receiver_.close();
  } else {
    connection_.close();
  }
}

void amqp_link::on_receiver_close(proton::receiver& r) {
  if (cbs_ && cbs_->owns(r)) {
    return;
  }
  if (attached_) {
    attached_ = false;
    owner_.count_attached(-1);
    metrics_.attached(false);
  }
  if (stopping_) {
    connection_.close();
  } else {
    spdlog::warn("amqp: {}: the broker detached the receiver; reconnecting", options_.address);
    connection_.close();
  }
}

void amqp_link::on_transport_close(proton::transport&) {
  if (attached_) {
    attached_ = false;
    owner_.count_attached(-1);
    metrics_.attached(false);
  }
  active_ = false;
  owner_.queue()->set_queue(index_, nullptr);
  cbs_.reset();
  receiver_ = proton::receiver();
  // The broker redelivers whatever this connection left unsettled.
  unsettled_.clear();
  metrics_.disconnected();
  if (stopping_ || owner_.stopping()) {
    owner_.link_closed();
    return;
  }
  metrics_.reconnect();
  auto wait = next_backoff();
  spdlog::info("amqp: {}: reconnecting to {} in {} ms", options_.address, options_.url,
               wait.count());
  reconnect_at_ = std::chrono::steady_clock::now() + wait;
}

std::chrono::milliseconds amqp_link::next_backoff() {
  const auto& o = owner_.options();
  delay_ =
      delay_.count() == 0 ? o.min_reconnect_delay : std::min(delay_ * 2, o.max_reconnect_delay);
  auto half = delay_.count() / 2;
  return std::chrono::milliseconds(
      half + std::uniform_int_distribution<std::int64_t>(0, delay_.count() - half)(jitter_));
}

void amqp_link::on_transport_error(proton::transport& t) {
  spdlog::warn("amqp: {} at {}: connection failed: {}", options_.address, options_.url,
               t.error().what());
}

void amqp_link::on_connection_error(proton::connection& c) {
  spdlog::warn("amqp: {}: connection closed by the broker: {}", options_.address, c.error().what());
}

void amqp_link::on_receiver_error(proton::receiver& r) {
  spdlog::warn("amqp: {}: link closed by the broker: {}", options_.address, r.error().what());
}

void amqp_link::on_session_error(proton::session& s) {
  // The broker ended the session (a refused attach, say): start over on a new connection.
  spdlog::warn("amqp: {}: session ended by the broker: {}", options_.address, s.error().what());
  connection_.close();
}

void amqp_link::on_error(const proton::error_condition& e) {
  spdlog::warn("amqp: {}: {}", options_.address, e.what());
}

void amqp_link::on_sendable(proton::sender& s) {
  if (cbs_) {
    cbs_->on_sendable(s);
  }
}

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
