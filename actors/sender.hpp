#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <memory>

#include "actors/node_metrics.hpp"
#include "actors/provider_adapter.hpp"
#include "actors/sender_options.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// Makes the provider adapter of one incarnation of a sender (a restarted sender gets a fresh
/// one). Never returns null.
using adapter_factory = std::function<std::unique_ptr<provider_adapter>()>;

/// Spawns the sender of one app and provider: the delivery core shared by every provider,
/// with an adapter from `make_adapter` supplying authentication and the reading of answers.
///
/// Supervision: the returned actor is a supervisor holding the sender's queue and the
/// notifications out of it (in flight, waiting for a retry); it forwards work to the core,
/// which it monitors. When the core fails (an exception, an error exit) the supervisor counts
/// `herald_sender_connection_events_total{event="restarted"}`, puts those notifications back
/// at the head of their lanes (at least once: one the provider had accepted may go again),
/// queues new work meanwhile and starts a fresh core after a full-jitter delay
/// (`reconnect_base` → `reconnect_cap`). An exit sent to the supervisor ends both.
///
/// It owns a pool of `options.connections` persistent HTTP/2 connections (nghttp2 on the
/// node's Asio threads), opened `connect_stagger` apart, each re-opened after a loss with
/// full-jitter backoff from `reconnect_base` to `reconnect_cap`. It delivers `(deliver_atom,
/// notification_ptr)` on the least-loaded connection, never opening more streams on one than
/// its budget (min(peer SETTINGS_MAX_CONCURRENT_STREAMS, cap), re-read on every SETTINGS) and
/// keeping `call_reserve_percent` of each budget for rings; the rest waits per lane (counted in
/// the node's `delivery_backlog`, which stops admission when high; nothing is dropped for lack
/// of room). Verdicts: accepted; rejected (dead tokens are pruned through the identity's router
/// shard, learned from `(shards_atom, shard_map_ptr)`); failed → retried with capped
/// full-jitter backoff honouring Retry-After until the deadline or the attempt cap;
/// unauthorized → the adapter drops the credential and the notification is sent again (an
/// attempt). Requests the provider did not process (GOAWAY, REFUSED_STREAM, a lost connection)
/// go back to the head of their lane, never dropped.
/// Event-based: never blocks; connection callbacks come back as messages.
[[nodiscard]] caf::actor spawn_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                      sender_options options, adapter_factory make_adapter,
                                      std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
