#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actors/app_directory.hpp"
#include "actors/device_transfer.hpp"
#include "actors/direct_send_api.hpp"
#include "actors/node_metrics.hpp"
#include "actors/shard_map.hpp"
#include "protocol/rest_routes.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Settings of the registry REST API.
struct registry_api_options {
  /// Largest JSON body accepted by a registry route (a registration is well
  /// under 8 KiB).
  std::size_t body_limit = 64 * 1024;
  /// Largest NDJSON body of `devices:import` (the node sets `http.body_limit`).
  std::size_t import_body_limit = 1024 * 1024;
  /// Retention of direct sends' outcomes.
  direct_send_options direct_send;
  /// `node.dev`: an app without API keys serves REST requests without
  /// credentials. Outside dev mode such an app refuses them (403).
  bool dev = false;
};

/// The device registry's REST routes under `/v1/` (handed every request whose path starts
/// with `/v1/` by `http_api`); the routes are `protocol::rest_routes()`:
/// - `PUT /v1/apps/{app}/devices/{deviceId}`: registers a device through the router shard that
///   owns its identity (the identity's only writer).
/// - `GET /v1/apps/{app}/devices/{deviceId}`: the device's registrations (any shard reads).
/// - `DELETE /v1/apps/{app}/devices/{deviceId}[?platform=]`: looks the device up, then removes
///   each registration through the shard owning its identity.
/// - `GET` / `DELETE /v1/apps/{app}/identities/{rawId}/devices`: through the identity's shard.
/// - `GET /v1/apps/{app}/devices:export`, `POST /v1/apps/{app}/devices:import`: NDJSON bulk
///   transfer (`device_transfer`).
/// - `POST /v1/apps/{app}/notifications`, `GET /v1/apps/{app}/notifications/{id}`: direct
///   sends and their outcomes (`direct_send_api`).
/// Every route needs an API key of the path's app holding the route's scope (see
/// `authorize`). Errors are `application/problem+json` naming the field. Each answer is
/// counted by route label and status, and timed (`herald_api_*`).
/// Threading: called on I/O threads; it only validates and sends messages, never blocks.
class registry_api {
public:
  registry_api(std::shared_ptr<const shard_map> shards, std::shared_ptr<const app_directory> apps,
               std::shared_ptr<node_metrics> metrics, registry_api_options options);

  void operator()(transports::http_request&& req, transports::http_responder respond) const;

private:
  /// A matched request: its route, decoded app, the app's entry and the
  /// remaining parameter.
  struct call {
    const protocol::rest_route_info* route = nullptr;
    const app_entry* app = nullptr;
    std::string param; ///< deviceId or rawId, percent-decoded; empty for app-wide routes.
  };

  /// The refusal of a request, or nullopt when it may be served: 401 without a
  /// key (or with a key no app knows), 403 with another app's key, a key
  /// lacking the route's scope, or (outside dev mode) when the app has no keys;
  /// 429 with `Retry-After` over the key's rate.
  [[nodiscard]] std::optional<transports::http_response>
  authorize(const call& c, const transports::http_request& req) const;
  void dispatch(const call& c, const transports::http_request& req,
                transports::http_responder respond) const;
  void register_device(const call& c, const transports::http_request& req,
                       transports::http_responder respond) const;
  void get_device(const call& c, transports::http_responder respond) const;
  void delete_device(const call& c, const transports::http_request& req,
                     transports::http_responder respond) const;
  void identity_devices(const call& c, bool remove, transports::http_responder respond) const;

  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<const app_directory> apps_;
  std::shared_ptr<node_metrics> metrics_;
  registry_api_options options_;
  device_transfer transfer_;
  direct_send_api direct_;
  struct rate_limits;
  /// Token buckets of the keys with a rate, shared by the copies of this
  /// handler.
  std::shared_ptr<rate_limits> limits_;
};

} // namespace herald::actors
