#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "actors/app_directory.hpp"
#include "actors/delivery_backlog.hpp"
#include "actors/node_metrics.hpp"
#include "actors/notification_log.hpp"
#include "actors/shard_map.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Settings of direct sends (`[notifications]`).
struct direct_send_options {
  /// How long a send's outcomes can be read back.
  std::chrono::seconds retention{3600};
  /// Most sends tracked at once.
  std::size_t max_tracked = 10000;
  /// The node's sender backlog: while saturated, sends get 503 + Retry-After like webhook
  /// batches (null: not checked).
  std::shared_ptr<const delivery_backlog> backlog;
};

/// Direct sends of an app's backend (scope `send`, checked by `registry_api`):
/// - `POST /v1/apps/{app}/notifications` (`protocol::parse_direct_send_json`): resolves the
///   target (an identity through its router shard, a device through any shard, or a raw
///   token as given), keeps the devices it can reach (`apns` and `fcm` registrations of a
///   configured provider with a payload for them; never PushKit VoIP tokens, whose pushes
///   must report a CallKit call), encodes one provider request per device
///   (`encode_direct_apns` / `encode_direct_fcm`: lane → priority, ttl → expiration), hands
///   each to the app's sender on the request's lane and answers `202 {"id", "devices"}` with
///   `Location`. Saturated sender queues → 503 + Retry-After. Unknown template → 404 `template`; no
///   device → 404 `to.*`; no reachable device → 422 `to`.
/// - `GET /v1/apps/{app}/notifications/{id}`: the per-device outcomes (`notification_log`),
///   filled by the senders' verdicts through `notification::on_outcome`; a send whose last
///   notification is dropped without a verdict has its pending devices marked failed (the
///   send's `event_completion`, as for webhook events).
/// Threading: called on I/O threads; sends messages, never blocks.
class direct_send_api {
public:
  direct_send_api(std::shared_ptr<const shard_map> shards,
                  std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
                  direct_send_options options);

  /// Serves `POST /v1/apps/{app}/notifications`.
  void send(const app_entry& app, const transports::http_request& req,
            transports::http_responder respond) const;

  /// Serves `GET /v1/apps/{app}/notifications/{id}`.
  void status(const app_entry& app, const std::string& id,
              transports::http_responder respond) const;

private:
  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<const app_directory> apps_;
  std::shared_ptr<node_metrics> metrics_;
  std::shared_ptr<notification_log> log_;
  std::shared_ptr<const delivery_backlog> backlog_;
};

} // namespace herald::actors
