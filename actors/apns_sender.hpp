#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "actors/node_metrics.hpp"
#include "actors/sender_options.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// How one app's APNs sender connects, authenticates and retries.
struct apns_sender_options {
  sender_options sender; ///< Pool, lanes, retries (`sender.app` names the app).
  std::string team_id;
  std::string key_id;
  std::string key_pem; ///< The `.p8` PKCS#8 private key (a secret: never logged).
  /// Wall clock of the provider tokens' `iat` (tests move it); empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// Spawns the APNs sender of one app: the sender core (`spawn_sender`: pool, stream budget,
/// lanes, retries, pruning) with APNs token authentication. One ES256 provider token per team
/// and key is signed and reused (see `apns_token_cache`); a 403 `ExpiredProviderToken` or
/// `InvalidProviderToken` drops it and the notification is sent again with a new one, signed as
/// soon as Apple allows (20 minutes after the refused one was issued; requests wait meanwhile).
/// Answers are read by `classify_apns` (410 `Unregistered` carries the token's invalid-since
/// time for the prune guard). Fails at spawn, logged, when the key does not parse.
[[nodiscard]] caf::actor spawn_apns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                                           apns_sender_options options,
                                           std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
