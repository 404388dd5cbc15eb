#include "actors/sender.hpp"

#include <spdlog/spdlog.h>

#include "actors/backoff.hpp"
#include "actors/sender_state.hpp"

namespace herald::actors {

namespace {

using steady = std::chrono::steady_clock;
using restart_atom = caf::atom_constant<caf::atom("restart")>;

/// The supervisor's state: the current core and what it takes to start another one.
struct supervisor_state {
  boost::asio::io_context* io = nullptr;
  sender_options options;
  adapter_factory make_adapter;
  std::shared_ptr<node_metrics> metrics;
  std::string provider;
  std::shared_ptr<detail::sender_ledger> ledger;
  shard_map_ptr shards;
  caf::actor worker;
  std::uint32_t restarts = 0; ///< Consecutive ones, for the backoff.
  steady::time_point started_at;
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "herald.sender_supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

void start_worker(supervisor_actor* self) {
  auto& st = self->state;
  st.worker =
      self->spawn(detail::sender_worker, st.io, st.options,
                  std::shared_ptr<provider_adapter>(st.make_adapter()), st.metrics, st.ledger);
  st.started_at = steady::now();
  self->monitor(st.worker);
  if (st.shards) {
    self->send(st.worker, shards_atom::value, st.shards);
  }
}

void on_worker_down(supervisor_actor* self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (!st.worker || msg.source != st.worker.address()) {
    return;
  }
  st.worker = caf::actor{};
  // The core held nothing of its own: what it had out of the queue goes back to the head of
  // its lane, so a failure never drops a notification.
  auto requeued = st.ledger->requeue_out();
  st.metrics->connection_events(st.provider, "restarted").Increment();
  if (steady::now() - st.started_at > st.options.reconnect_cap) {
    st.restarts = 0; // it ran well for a while: restart promptly
  }
  auto delay = std::max(
      full_jitter(st.options.reconnect_base, st.options.reconnect_cap, st.restarts++, st.rng),
      st.options.reconnect_base / 2);
  spdlog::error("{} sender {}: failed ({}); {} notifications re-queued, restarting in {} ms",
                st.provider, st.options.app, caf::to_string(msg.reason), requeued, delay.count());
  self->delayed_send(self, delay, restart_atom::value);
}

caf::behavior supervisor(supervisor_actor* self, boost::asio::io_context* io,
                         sender_options options, adapter_factory make_adapter,
                         std::shared_ptr<node_metrics> metrics) {
  auto& st = self->state;
  st.io = io;
  st.ledger = std::make_shared<detail::sender_ledger>(options.backlog);
  st.options = std::move(options);
  st.make_adapter = std::move(make_adapter);
  st.metrics = std::move(metrics);
  st.provider = std::string(st.make_adapter()->provider());
  self->set_down_handler([self](caf::down_msg& msg) { on_worker_down(self, msg); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.worker) {
      self->send_exit(self->state.worker, msg.reason);
    }
    self->quit(msg.reason);
  });
  start_worker(self);
  return {
      [self](deliver_atom, const notification_ptr& n) {
        auto& s = self->state;
        if (s.worker) {
          self->send(s.worker, deliver_atom::value, n);
        } else {
          s.ledger->queue.push(n); // the next core starts with it
        }
      },
      [self](shards_atom, const shard_map_ptr& shards) {
        self->state.shards = shards;
        if (self->state.worker) {
          self->send(self->state.worker, shards_atom::value, shards);
        }
      },
      [self](restart_atom) {
        if (!self->state.worker) {
          start_worker(self);
        }
      },
  };
}

} // namespace

caf::actor spawn_sender(caf::actor_system& sys, boost::asio::io_context& io, sender_options options,
                        adapter_factory make_adapter, std::shared_ptr<node_metrics> metrics) {
  return sys.spawn(supervisor, &io, std::move(options), std::move(make_adapter),
                   std::move(metrics));
}

} // namespace herald::actors
