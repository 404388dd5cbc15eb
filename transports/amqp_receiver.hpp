#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/servicebus.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace herald::transports {

/// How an AMQP 1.0 delivery is settled (AMQP 1.0 messaging, section 3.4).
enum class amqp_outcome {
  accepted, ///< Done: the broker deletes the message.
  rejected, ///< Poison: the broker dead-letters it (with the description as the condition).
  released, ///< Not processed: the broker redelivers it, delivery count unchanged.
  modified, ///< Processing failed: the broker redelivers it with delivery count + 1.
};

/// One message as received: the body bytes and the properties Herald reads.
struct amqp_message {
  std::string queue;                ///< The configured queue (address) it came from.
  std::string body;                 ///< The data section's bytes, or an AMQP string value.
  bool body_is_data = true;         ///< False when the body was neither binary data nor a string.
  std::string message_id;           ///< `message-id` as text; empty when absent.
  std::string content_type;         ///< `content-type`; empty when absent.
  std::uint32_t delivery_count = 0; ///< Header `delivery-count` (earlier failed attempts).
  bool redelivered = false;         ///< Delivered before (`delivery-count` > 0 or not first).
  /// String-valued application properties whose name starts with `aeg-` (Event Grid's).
  std::vector<std::pair<std::string, std::string>> event_grid_properties;
};

namespace detail {
struct amqp_settle_queue;
} // namespace detail

/// The right to settle one unsettled delivery, from any thread, once. Movable, not copyable.
/// A handle destroyed without `settle` releases the delivery (the broker redelivers it), so a
/// dropped message is never lost. Settling after the connection was lost, or after the settle
/// timeout released the delivery, does nothing (the broker redelivers on its own) and is
/// counted in `herald_amqp_settlements_lost_total`.
class amqp_settlement {
public:
  amqp_settlement() = default;
  amqp_settlement(std::shared_ptr<detail::amqp_settle_queue> queue, std::size_t link,
                  std::uint64_t generation, std::uint64_t key)
      : queue_(std::move(queue)), link_(link), generation_(generation), key_(key) {}
  ~amqp_settlement();
  amqp_settlement(amqp_settlement&& other) noexcept;
  amqp_settlement& operator=(amqp_settlement&& other) noexcept;
  amqp_settlement(const amqp_settlement&) = delete;
  amqp_settlement& operator=(const amqp_settlement&) = delete;

  /// Settles with `outcome`; `description` becomes the rejected outcome's error condition
  /// (`amqp:internal-error` style text for the dead-letter reason). Later calls do nothing.
  void settle(amqp_outcome outcome, std::string description = {});

  /// False once settled (or for a default-constructed handle).
  [[nodiscard]] bool pending() const noexcept { return queue_ != nullptr; }

private:
  std::shared_ptr<detail::amqp_settle_queue> queue_;
  std::size_t link_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t key_ = 0;
};

/// One queue to consume: where, how to authenticate, how much credit.
struct amqp_source_options {
  /// `amqp://host[:port]` or `amqps://host[:port]` (TLS, system roots or `ca_file`).
  std::string url;
  /// The queue's address (Service Bus: the queue name; RabbitMQ: `/queue/<name>`).
  std::string address;
  /// SASL PLAIN when `user` is set, else SASL ANONYMOUS.
  std::string user;
  std::string password;
  /// Set for Azure Service Bus: a SAS token for `address` is put on `$cbs` (claims-based
  /// security) after the connection opens and before the receiver attaches, and refreshed.
  std::optional<protocol::servicebus_connection> servicebus;
  /// Lifetime of each SAS token; it is renewed after 80% of it.
  std::chrono::seconds token_lifetime{3600};
  /// PEM CA bundle for `amqps`; empty: the system's roots.
  std::string ca_file;
  /// Ask for a durable source terminus (RabbitMQ declares `/queue/<q>` durable then, matching
  /// a durable queue); Service Bus sources leave it off.
  bool durable_source = true;
  /// Most unsettled deliveries plus outstanding credit on this link.
  std::uint32_t max_credit = 200;
  /// A delivery not settled this long after it arrived is released (the broker redelivers
  /// it) and a later settlement of it counts as late; zero: no limit. Keep it below the
  /// queue's lock duration (Service Bus: 60 s by default), or the broker redelivers first.
  std::chrono::milliseconds settle_timeout{0};
};

/// Settings of `amqp_receiver`.
struct amqp_receiver_options {
  std::vector<amqp_source_options> sources;
  /// First reconnect delay after a connection loss; doubles up to `max_reconnect_delay`. Each
  /// wait is drawn uniformly from [delay / 2, delay] (jitter: nodes restarted together do not
  /// reconnect in lockstep).
  std::chrono::milliseconds min_reconnect_delay{100};
  std::chrono::milliseconds max_reconnect_delay{5000};
  /// How often credit is re-evaluated while the pipeline is full (and pending settlements
  /// are sent, should a batch's timer have been lost with its connection).
  std::chrono::milliseconds credit_poll{20};
  /// Settlements are sent to the broker in batches: the first one made after a batch waits
  /// this long for more, unless `settle_batch` of them are pending first. Each batch is
  /// settled in arrival order, so consecutive deliveries with one outcome go out as one
  /// ranged disposition frame: fewer frames for the broker to handle than one per message.
  /// Zero: each batch as soon as the container thread is free.
  std::chrono::milliseconds settle_delay{2};
  /// Pending settlements that are sent at once, without waiting for `settle_delay`.
  std::size_t settle_batch = 64;
  /// Settlements go to the broker in arrival order: one whose delivery has an older one still
  /// without an outcome waits for it, up to this long, then goes out of order (RabbitMQ
  /// handles an out-of-order acknowledgement in time linear in its unacknowledged messages;
  /// it is held, still counting against credit, never settled before its outcome). Zero: no
  /// waiting. Keep it well below `settle_timeout`.
  std::chrono::milliseconds settle_hold{50};
};

/// Consumes AMQP 1.0 queues in peek-lock mode with Qpid Proton C++: one connection and one
/// receiver link per source, manual credit, explicit settlement.
///
/// Credit: a link holds at most `max_credit` unsettled deliveries plus outstanding credit,
/// and never more outstanding credit than `capacity()` says the pipeline can take now; while
/// `capacity()` is 0 no credit is granted (backpressure stays at the broker).
/// Faults: a lost connection (or a failed connect) is retried with capped, jittered exponential
/// backoff until `stop`; its unsettled deliveries are forgotten (the broker redelivers them). Stop:
/// releases unsettled deliveries, closes each receiver link, then (once the link is closed, or
/// after a grace period) its connection: RabbitMQ drops dispositions that race a connection close.
///
/// Threading: Proton's container runs on one thread owned by this object; `on_message` and
/// `capacity` are called on it and must not block. Settlements may be made from any thread.
class amqp_receiver {
public:
  /// Called for every delivery, on the receiver's thread.
  using message_handler = std::function<void(amqp_message, amqp_settlement)>;
  /// How many more messages the pipeline can take now (called on the receiver's thread).
  using capacity_function = std::function<std::size_t()>;

  /// Starts the container thread and connects every source. Metrics (`herald_amqp_*`, label
  /// `queue`) are registered in `metrics`.
  amqp_receiver(amqp_receiver_options options, message_handler on_message,
                capacity_function capacity, prometheus::Registry& metrics);
  /// Calls `stop`.
  ~amqp_receiver();
  amqp_receiver(const amqp_receiver&) = delete;
  amqp_receiver& operator=(const amqp_receiver&) = delete;

  /// Releases every unsettled delivery, closes links then connections, and joins the thread
  /// (after at most `grace`, connections are aborted). Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));

  /// Sources whose receiver link is attached now.
  [[nodiscard]] std::size_t attached() const noexcept;

  class impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace herald::transports
