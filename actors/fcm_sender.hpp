#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/delivery_backlog.hpp"
#include "actors/node_metrics.hpp"
#include "protocol/oauth.hpp"
#include "transports/h2_client_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// How one app's FCM sender connects, authenticates and retries.
struct fcm_sender_options {
  std::string app;
  /// The FCM HTTP v1 endpoint (`fcm.googleapis.com:443`).
  transports::h2_client_options connection;
  /// The OAuth2 token endpoint (`oauth2.googleapis.com:443`); its own connection, because the
  /// host usually differs. The request path and JWT `aud` come from `account.token_uri`.
  transports::h2_client_options token_connection;
  /// The service account (its `private_key` is a secret: never logged).
  protocol::google_service_account account;
  /// The node's sender backlog, shared with admission control (null: not counted).
  std::shared_ptr<delivery_backlog> backlog;
  std::uint32_t max_attempts = 5;
  std::chrono::milliseconds retry_base{250};
  std::chrono::milliseconds retry_cap{10000};
  std::chrono::milliseconds reconnect_base{1000};
  std::chrono::milliseconds reconnect_cap{60000};
};

/// Spawns the FCM sender of one app. Like the APNs sender it owns one persistent HTTP/2
/// connection to FCM, delivers `(deliver_atom, notification_ptr)` within the stream budget,
/// queues the rest per lane (counted in the node's `delivery_backlog`; never dropped for lack of
/// room), retries failed sends with capped full-jitter backoff honouring Retry-After until the
/// deadline or the attempt cap, and prunes dead tokens (UNREGISTERED, …) through the identity's
/// router shard, learned from `(shards_atom, shard_map_ptr)`.
///
/// Authentication (Firebase, "Authorize send requests"): an OAuth2 access token obtained
/// with a signed RS256 assertion (RFC 7523) from the token endpoint over a second HTTP/2
/// connection; cached until 5 minutes before expiry (see `oauth_token_state`); requests wait
/// in the queue while there is none. A 401 drops the token it was sent with, a new one is
/// fetched and the notification is sent again (counted as an attempt). A failed token fetch
/// is retried with backoff (1 s doubling to 60 s) and counted as
/// `herald_notifications_total{provider="fcm",outcome="credential_error"}` (node_metrics has
/// no credential metric yet).
/// Event-based: never blocks; connection callbacks come back as messages.
[[nodiscard]] caf::actor spawn_fcm_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                          fcm_sender_options options,
                                          std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
