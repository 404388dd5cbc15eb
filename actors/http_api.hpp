#pragma once

#include <caf/actor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/app_directory.hpp"
#include "actors/delivery_backlog.hpp"
#include "actors/ingest_control.hpp"
#include "actors/node_metrics.hpp"
#include "actors/registry_api.hpp"
#include "actors/shard_map.hpp"
#include "protocol/webhook_auth.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Settings of the HTTP surface.
struct http_api_options {
  std::string webhook_path = "/api/events";
  /// Admission budget, dedupe and journal of webhook batches; null: none of them (tests).
  std::shared_ptr<ingest_control> control;
  /// Notifications queued in the senders; above its high-water mark batches are refused
  /// (503) like a spent budget. Null: not checked.
  std::shared_ptr<delivery_backlog> backlog;
  /// Settings of the `/v1/` REST routes.
  registry_api_options registry;
  /// Who may post to the webhook (and do its OPTIONS handshake); null: anyone (dev mode).
  std::shared_ptr<const protocol::webhook_authenticator> auth;
  /// `aeg-subscription-name` values accepted (case-insensitively); empty: any.
  std::vector<std::string> subscriptions;
};

/// Herald's HTTP routes, handed to `transports::http_server` as its handler:
/// - `<webhook_path>`: credentials first (`webhook_authenticator`: 401 without, 403 wrong),
///   then for POST the subscription filter (403 for an `aeg-subscription-name` not listed).
/// - `POST <webhook_path>`: admission first (budget spent → 503 + Retry-After before reading
///   the body), then an Event Grid / CloudEvents batch → decoded here (on the I/O thread:
///   pure CPU work), deduped and journaled (`ingest_control::admit`), answered 200 once the
///   journal commit is durable and the ingestion actor has routed it; the Event Grid
///   validation handshake is answered directly. Malformed → 400 problem+json, unknown
///   content type → 415, journal full or failing → 503.
/// - `OPTIONS <webhook_path>`: the CloudEvents abuse-protection handshake.
/// - `/v1/...`: the device registry REST API, handled by `registry_api`.
/// - `GET /healthz`: liveness (200 while the process serves requests).
/// - `GET /readyz`: readiness: 503 + Retry-After while the node would refuse webhook batches
///   for capacity (budget spent, senders saturated) or is shutting down; 200 otherwise.
/// Threading: called on I/O threads; it only decodes and sends messages, never blocks.
class http_api {
public:
  http_api(caf::actor ingestion, std::shared_ptr<const shard_map> shards,
           std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
           http_api_options options);

  void operator()(transports::http_request&& req, transports::http_responder respond) const;

private:
  /// The refusal of a webhook request by credentials or subscription, or nullopt to serve it.
  [[nodiscard]] std::optional<transports::http_response>
  authorize(const transports::http_request& req) const;
  void webhook(transports::http_request&& req, transports::http_responder respond) const;
  [[nodiscard]] transports::http_response readiness() const;
  void admit(protocol::decoded_batch batch, std::string body,
             transports::http_responder respond) const;
  void webhook_options(const transports::http_request& req,
                       transports::http_responder respond) const;

  caf::actor ingestion_;
  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<const app_directory> apps_;
  std::shared_ptr<node_metrics> metrics_;
  http_api_options options_;
  registry_api registry_;
};

} // namespace herald::actors
