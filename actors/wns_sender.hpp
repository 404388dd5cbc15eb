#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "actors/node_metrics.hpp"
#include "actors/sender_options.hpp"
#include "protocol/oauth.hpp"
#include "transports/h2_client_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// How one app's WNS sender connects, authenticates and retries.
struct wns_sender_options {
  /// Pool, lanes, retries of each channel host: `sender.connection` is the template of every
  /// host's connections (port, TLS, CA, stream cap); its `host` is replaced by the channel URI's
  /// host unless `fixed_endpoint` is set.
  sender_options sender;
  /// Send every channel's notifications to `sender.connection.host:port` instead of the
  /// channel URI's host (tests and benchmarks against `herald-mock-wns`, or a forward proxy).
  bool fixed_endpoint = false;
  /// The token endpoint (`login.live.com:443`); its own connection per host pool.
  transports::h2_client_options token_connection;
  /// Path of the token request (`/accesstoken.srf`).
  std::string token_path = "/accesstoken.srf";
  /// The app's Package SID and client secret (the secret is never logged).
  protocol::wns_credentials credentials;
  /// Most channel hosts with a pool at once; a notification for another host fails
  /// (`herald_notifications_total{provider="wns",outcome="host_limit"}`).
  std::uint32_t max_hosts = 64;
};

/// Spawns the WNS sender of one app. WNS channel URIs name their host per device
/// (`https://<host>.notify.windows.com/?token=…`), so it keeps one sender core (`spawn_sender`:
/// pool, stream budget, lanes, retries, pruning, supervision) per channel host, spawned on the
/// first notification for that host and linked to this actor (they end with it; one that ends
/// on its own is forgotten and spawned again when needed). At most `max_hosts` hosts.
///
/// Each host's adapter keeps an OAuth2 access token from the token endpoint (client
/// credentials grant, Microsoft "Push notification service request and response headers")
/// through `oauth_token_fetcher`: cached until shortly before `expires_in`, dropped and fetched
/// again after a 401. Answers are read by `classify_wns` (404/410 prune the registration;
/// 406/429/5xx are retried with backoff honouring Retry-After). Metrics carry
/// `provider="wns"`. Notifications whose channel URI does not parse are counted
/// (`outcome="invalid"`) and reported failed.
[[nodiscard]] caf::actor spawn_wns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                          wns_sender_options options,
                                          std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
