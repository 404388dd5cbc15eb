#pragma once

#include <caf/actor.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "actors/app_directory.hpp"
#include "actors/node_metrics.hpp"
#include "actors/shard_map.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Settings of the HTTP surface.
struct http_api_options {
  std::string webhook_path = "/api/events";
};

/// Herald's HTTP routes, handed to `transports::http_server` as its handler:
/// - `POST <webhook_path>`: an Event Grid / CloudEvents batch → decoded here (on the I/O thread:
///   pure CPU work), answered 200 once the ingestion actor has routed it; the Event Grid
///   validation handshake is answered directly. Malformed → 400 problem+json, unknown
///   content type → 415.
/// - `OPTIONS <webhook_path>`: the CloudEvents abuse-protection handshake.
/// - `PUT /v1/apps/{app}/devices/{deviceId}`: registers a device through the router shard that
///   owns its identity (the identity's only writer).
/// - `GET /healthz`.
/// Threading: called on I/O threads; it only decodes and sends messages, never blocks.
class http_api {
public:
  http_api(caf::actor ingestion, std::shared_ptr<const shard_map> shards,
           std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
           http_api_options options);

  void operator()(transports::http_request&& req, transports::http_responder respond) const;

private:
  void webhook(transports::http_request&& req, transports::http_responder respond) const;
  void webhook_options(const transports::http_request& req,
                       transports::http_responder respond) const;
  void register_device(std::string_view app, std::string_view device_id,
                       const transports::http_request& req,
                       transports::http_responder respond) const;

  caf::actor ingestion_;
  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<const app_directory> apps_;
  std::shared_ptr<node_metrics> metrics_;
  http_api_options options_;
};

} // namespace herald::actors
