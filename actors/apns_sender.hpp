#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/delivery_backlog.hpp"
#include "actors/node_metrics.hpp"
#include "transports/h2_client_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// How one app's APNs sender connects, authenticates and retries.
struct apns_sender_options {
  std::string app;
  transports::h2_client_options connection;
  std::string team_id;
  std::string key_id;
  std::string key_pem; ///< The `.p8` PKCS#8 private key (a secret: never logged).
  /// The node's sender backlog, shared with admission control (null: not counted).
  std::shared_ptr<delivery_backlog> backlog;
  std::uint32_t max_attempts = 5;
  std::chrono::milliseconds retry_base{250};
  std::chrono::milliseconds retry_cap{10000};
  std::chrono::milliseconds reconnect_base{1000};
  std::chrono::milliseconds reconnect_cap{60000};
};

/// Spawns the APNs sender of one app: it owns one persistent HTTP/2 connection (nghttp2 on the
/// node's Asio threads), signs the ES256 provider token, and delivers `(deliver_atom,
/// notification_ptr)` within the connection's stream budget, queueing the rest per lane
/// (counted in the node's `delivery_backlog`, which stops admission when high; nothing is
/// dropped for lack of room). Verdicts: accepted; rejected (dead
/// tokens are pruned through the identity's router shard, learned from `(shards_atom,
/// shared_ptr<const shard_map>)`); failed → retried with capped full-jitter backoff until the
/// deadline or the attempt cap; unauthorized → token reissued, retried. A lost connection is
/// re-opened with backoff and its unanswered requests are re-queued, never dropped.
/// Event-based: never blocks; connection callbacks come back as messages.
[[nodiscard]] caf::actor spawn_apns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                           apns_sender_options options,
                                           std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
