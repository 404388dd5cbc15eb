#pragma once

// Internal to the sender core (sender.cpp, sender_connections.cpp): its state and the steps
// both files use. Not part of the actors/ interface.
#include <caf/all.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/lane_queue.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/provider_adapter.hpp"
#include "actors/sender_inbox.hpp"
#include "actors/sender_options.hpp"
#include "actors/sender_out.hpp"
#include "actors/stream_share.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::actors {

/// Work an adapter asked to run on the sender's thread.
struct sender_task {
  std::function<void()> run;
};
using sender_task_ptr = std::shared_ptr<sender_task>;

} // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::sender_task_ptr)

namespace herald::actors::detail {

using task_atom = caf::atom_constant<caf::atom("task")>;

/// One connection of the pool. `generation` tells its callbacks from those of the connection
/// it replaced.
struct connection_slot {
  std::shared_ptr<transports::h2_client_connection> conn;
  std::uint64_t generation = 0;
  std::uint32_t in_flight = 0; ///< Streams of the current connection only.
  std::uint32_t reconnects = 0;
  bool connecting = false;
};

/// What a sender holds that must outlive it: its queue and the notifications out of the
/// queue (in flight, or waiting for a retry). Shared by the sender and its supervisor, used by
/// one of them at a time: the supervisor only while no sender runs.
struct sender_ledger {
  explicit sender_ledger(std::shared_ptr<delivery_backlog> backlog) : queue(std::move(backlog)) {}
  lane_queue queue;
  out_notifications out;
  /// The queue's size per lane last added to the provider's queue gauge.
  std::array<double, 3> reported_queued{};

  /// Puts every notification out of the queue back at the head of its lane (after the sender
  /// that held them ended); returns how many.
  std::size_t requeue_out() {
    return out.drain([this](notification_ptr n) { queue.push_front(std::move(n)); });
  }
};

struct sender_state;
using sender_actor = caf::stateful_actor<sender_state>;

struct sender_state : sender_host {
  sender_actor* self = nullptr;
  boost::asio::io_context* io_ctx = nullptr;
  sender_options options;
  std::shared_ptr<provider_adapter> adapter;
  std::shared_ptr<node_metrics> metrics;
  std::string_view provider;
  std::vector<connection_slot> slots;
  std::vector<connection_load> loads; // scratch, one per slot
  /// Scratch, one per slot: the requests `pump` hands to each connection in one batch.
  std::vector<std::vector<transports::h2_client_connection::job>> outgoing;
  /// Where the I/O threads put answers; delivers them to this sender in batches.
  std::shared_ptr<sender_inbox> inbox;
  /// The per-send headers (`authorization`) of the current credential, shared by its sends.
  std::shared_ptr<const transports::h2_headers> credential_headers;
  std::uint64_t generation = 0;
  std::shared_ptr<sender_ledger> ledger;
  shard_map_ptr shards;
  std::mt19937_64 rng{std::random_device{}()};
  prometheus::Counter* accepted = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Histogram* dispatch = nullptr; ///< herald_event_dispatch_seconds.
  prometheus::Gauge* streams = nullptr;
  double reported_streams = 0; ///< This sender's share of the `streams` gauge.
  std::array<prometheus::Gauge*, 3> queued{};
  static inline const char* name = "herald.sender";

  sender_state() = default;
  sender_state(const sender_state&) = delete;
  sender_state& operator=(const sender_state&) = delete;
  /// Runs when the sender ends for any reason (CAF destroys the state in `on_exit`): closes
  /// the pool's connections and stops the adapter, so a crashed sender leaks no connection.
  ~sender_state() override;

  [[nodiscard]] lane_queue& queue() { return ledger->queue; }
  poster post() override;
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  boost::asio::io_context& io() override { return *io_ctx; }
};

/// Counts a final outcome of one notification.
void count(sender_actor* self, std::string_view outcome);
/// Gives up on `n` (no verdict will come): counted as `outcome`, recorded as a dead letter
/// with `detail` (the last failure).
void give_up(sender_actor* self, const notification_ptr& n, std::string_view outcome,
             std::string detail);
/// Opens connection `i` of the pool unless it is open or opening.
void connect(sender_actor* self, std::uint32_t i);
/// Sends queued notifications while connections have room.
void pump(sender_actor* self);
/// Messages about the pool's connections (ready, budget, GOAWAY, closed, reconnect).
[[nodiscard]] caf::message_handler connection_handlers(sender_actor* self);
/// The sender core's behaviour (one incarnation: the supervisor in `spawn_sender` starts
/// another with the same `ledger` when it fails).
caf::behavior sender_worker(sender_actor* self, boost::asio::io_context* io, sender_options options,
                            std::shared_ptr<provider_adapter> adapter,
                            std::shared_ptr<node_metrics> metrics,
                            std::shared_ptr<sender_ledger> ledger);

} // namespace herald::actors::detail
