#pragma once

// Internal to transports/amqp_*: one source's connection and receiver link.
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/delivery.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "transports/amqp_cbs_client.hpp"
#include "transports/amqp_metrics.hpp"
#include "transports/amqp_receiver.hpp"
#include "transports/amqp_settle_queue.hpp"

namespace herald::transports {

/// What a link needs from the receiver that owns it. Implemented by `amqp_receiver::impl`;
/// every member is called on the container thread.
class amqp_link_owner {
public:
  virtual ~amqp_link_owner() = default;
  /// Hands a received message and its settlement to the application.
  virtual void deliver(amqp_message msg, amqp_settlement s) = 0;
  /// Messages the application can take now (the credit ceiling).
  [[nodiscard]] virtual std::size_t capacity() const = 0;
  /// True once the receiver is stopping.
  [[nodiscard]] virtual bool stopping() const noexcept = 0;
  [[nodiscard]] virtual const amqp_receiver_options& options() const noexcept = 0;
  /// The hand-over of settlements from any thread to the container thread.
  [[nodiscard]] virtual std::shared_ptr<detail::amqp_settle_queue> queue() const = 0;
  /// Counts attached links up or down.
  virtual void count_attached(int delta) noexcept = 0;
  /// Told when a link's connection closed while stopping.
  virtual void link_closed() = 0;
};

/// One source: its connection, receiver link and unsettled deliveries. The Proton handler of
/// its connection; every member is used on the container thread only.
class amqp_link final : public proton::messaging_handler {
public:
  amqp_link(amqp_link_owner& owner, std::size_t index, amqp_source_options options,
            prometheus::Registry& metrics)
      : owner_(owner), index_(index), options_(std::move(options)),
        metrics_(metrics, options_.address) {}

  void connect(proton::container& c);
  void begin_stop();
  /// Records the outcome of one delivery; `flush_settled` sends it. The caller then tops up
  /// credit once after a batch of them.
  void settle(const detail::settle_request& r);
  /// Sends the recorded outcomes that are now oldest-first (in arrival order), and those held
  /// back longer than `settle_hold` behind an older delivery without an outcome.
  void flush_settled(std::chrono::steady_clock::time_point now);
  /// Counts one batch of settlements sent by a container turn.
  void settled_batch() { metrics_.settle_batch(); }
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

  amqp_link_owner& owner_;
  std::size_t index_;
  amqp_source_options options_;
  amqp_metrics metrics_;
  proton::connection connection_;
  proton::receiver receiver_;
  std::unique_ptr<amqp_cbs_client> cbs_;
  /// An unsettled delivery, when the settle timeout releases it, and its outcome once known.
  struct pending {
    proton::delivery delivery;
    std::chrono::steady_clock::time_point deadline;
    bool done = false; ///< The outcome is known; it waits for the older ones (or the hold).
    amqp_outcome outcome = amqp_outcome::released;
    std::string description;
  };
  /// Sends `p`'s outcome to the broker (the caller erases it).
  void apply(pending& p, amqp_outcome outcome, const std::string& description);
  void expire(std::chrono::steady_clock::time_point now);
  [[nodiscard]] std::chrono::milliseconds next_backoff();

  /// By key: keys grow with arrival and the settle timeout is fixed, so the first entry holds
  /// the earliest deadline and `expire` looks at the oldest deliveries only.
  std::map<std::uint64_t, pending> unsettled_;
  /// Keys with a known outcome behind an older unsettled delivery, and until when each waits:
  /// in the order recorded, so the front is due first.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> held_;
  std::minstd_rand jitter_{std::random_device{}()};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::chrono::steady_clock::time_point> reconnect_at_{};
  std::uint64_t next_key_ = 0;
  std::chrono::milliseconds delay_{0};
  std::atomic<bool> active_{false}; ///< A connection exists (connecting, open or closing).
  bool attached_ = false;           ///< The receiver link is open.
  std::atomic<bool> stopping_{false};
};

} // namespace herald::transports
