#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <memory>

#include "actors/node_metrics.hpp"
#include "actors/sender_options.hpp"
#include "protocol/oauth.hpp"
#include "transports/h2_client_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// How one app's FCM sender connects, authenticates and retries.
struct fcm_sender_options {
  /// Pool, lanes, retries; `sender.connection` is the FCM HTTP v1 endpoint
  /// (`fcm.googleapis.com:443`).
  sender_options sender;
  /// The OAuth2 token endpoint (`oauth2.googleapis.com:443`); its own connection, because the
  /// host usually differs. The request path and JWT `aud` come from `account.token_uri`.
  transports::h2_client_options token_connection;
  /// The service account (its `private_key` is a secret: never logged).
  protocol::google_service_account account;
};

/// Spawns the FCM sender of one app: the sender core (`spawn_sender`: pool, stream budget,
/// lanes, retries, pruning of UNREGISTERED tokens) with FCM's authentication.
///
/// Authentication (Firebase, "Authorize send requests"): an OAuth2 access token obtained
/// with a signed RS256 assertion (RFC 7523) from the token endpoint over a second HTTP/2
/// connection; cached until 5 minutes before expiry (see `oauth_token_state`); requests wait
/// in the queue while there is none. A 401 drops the token it was sent with, a new one is
/// fetched and the notification is sent again (counted as an attempt). A failed token fetch
/// is retried with backoff (1 s doubling to 60 s), counted in
/// `herald_credential_refreshes_total{provider="fcm",result="failed"}`.
/// Fails at spawn, logged, when the service account key does not parse.
[[nodiscard]] caf::actor spawn_fcm_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                          fcm_sender_options options,
                                          std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
