#pragma once

#include <memory>
#include <string_view>

#include "actors/app_directory.hpp"
#include "actors/node_metrics.hpp"
#include "actors/shard_map.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Settings of the registry REST API.
struct registry_api_options {};

/// The device registry's REST routes under `/v1/` (handed every request whose path starts
/// with `/v1/` by `http_api`):
/// - `PUT /v1/apps/{app}/devices/{deviceId}`: registers a device through the router shard that
///   owns its identity (the identity's only writer).
/// Errors are `application/problem+json` naming the field.
/// Threading: called on I/O threads; it only validates and sends messages, never blocks.
class registry_api {
public:
  registry_api(std::shared_ptr<const shard_map> shards, std::shared_ptr<const app_directory> apps,
               std::shared_ptr<node_metrics> metrics, registry_api_options options);

  void operator()(transports::http_request&& req, transports::http_responder respond) const;

private:
  void register_device(std::string_view app, std::string_view device_id,
                       const transports::http_request& req,
                       transports::http_responder respond) const;

  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<const app_directory> apps_;
  std::shared_ptr<node_metrics> metrics_;
  registry_api_options options_;
};

} // namespace herald::actors
