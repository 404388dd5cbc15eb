#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api_key.hpp"

namespace herald::protocol {

/// The REST operations of the device registry API (`/v1/...`).
enum class rest_route : std::uint8_t {
  put_device,              ///< `PUT /v1/apps/{app}/devices/{deviceId}`
  get_device,              ///< `GET /v1/apps/{app}/devices/{deviceId}`
  delete_device,           ///< `DELETE /v1/apps/{app}/devices/{deviceId}`
  list_identity_devices,   ///< `GET /v1/apps/{app}/identities/{rawId}/devices`
  delete_identity_devices, ///< `DELETE /v1/apps/{app}/identities/{rawId}/devices`
  export_devices,          ///< `GET /v1/apps/{app}/devices:export` (NDJSON pages)
  import_devices,          ///< `POST /v1/apps/{app}/devices:import` (NDJSON body)
  send_notification,       ///< `POST /v1/apps/{app}/notifications`
  get_notification,        ///< `GET /v1/apps/{app}/notifications/{notificationId}`
};

/// One row of the route table: the single source of what `registry_api` serves, checked
/// against `docs/openapi.yaml` by a test.
struct rest_route_info {
  rest_route id;
  std::string_view method;
  /// OpenAPI path template: literal segments and `{name}` parameters, one per segment.
  std::string_view path;
  /// Scope a key needs (`admin` implies every scope).
  api_scope scope;
  /// Bounded metric label (never a path with values in it).
  std::string_view label;
};

/// Every route `registry_api` serves, in a fixed order.
[[nodiscard]] std::span<const rest_route_info> rest_routes() noexcept;

/// Result of matching a request against the route table.
struct rest_match {
  /// The matched route, or null.
  const rest_route_info* route = nullptr;
  /// Values of the path's `{…}` parameters in template order, still percent-encoded.
  std::vector<std::string_view> params;
  /// When no route matched the method but some matched the path: their methods,
  /// comma-separated (the `Allow` header of a 405). Empty otherwise.
  std::string allow;
};

/// Matches `method` and `path` (the request path, without query) against `rest_routes()`.
/// A parameter matches one non-empty segment (no `/`); `:` suffixes such as
/// `devices:import` are literal parts of a segment.
[[nodiscard]] rest_match match_rest_route(std::string_view method, std::string_view path);

} // namespace herald::protocol
