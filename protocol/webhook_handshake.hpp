#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.hpp"

namespace herald::protocol {

/// The Event Grid event type of the subscription validation handshake.
inline constexpr std::string_view subscription_validation_event_type =
    "Microsoft.EventGrid.SubscriptionValidationEvent";

/// Body of the synchronous answer to an Event Grid validation event (docs:
/// event-grid/webhook-event-delivery, "Validation details"): `{"validationResponse":"<code>"}`,
/// the code JSON-escaped. Serve it with status 200 and `Content-Type: application/json`.
[[nodiscard]] std::string validation_response_body(std::string_view code);

/// Policy for the CloudEvents abuse-protection handshake.
struct abuse_protection_policy {
  /// Origins allowed to deliver (compared case-insensitively, e.g. `eventgrid.azure.net`);
  /// empty means any origin.
  std::vector<std::string> allowed_origins;
  /// Requests per minute granted to the sender; nullopt answers `*` (no limit).
  std::optional<unsigned> allowed_rate;
};

/// Response headers (lower-case names) for an HTTP OPTIONS validation request of the
/// CloudEvents HTTP 1.1 Web Hooks spec, section 4.2: echo `WebHook-Request-Origin` in
/// `WebHook-Allowed-Origin` (4.2.2), grant `WebHook-Allowed-Rate` (4.2.3, configured number
/// or `*`), and `Allow: POST` (4.2.2: the response must include POST). Answer 200 with them.
/// Fails with `missing_field` when the request has no origin (answer 400) and `invalid_field`
/// when the origin is not allowed (answer 403). The asynchronous `WebHook-Request-Callback`
/// variant (4.2.1) is not supported: callers answer such requests synchronously as well.
[[nodiscard]] result<std::vector<std::pair<std::string, std::string>>>
abuse_protection_headers(std::string_view request_origin, const abuse_protection_policy& policy);

} // namespace herald::protocol
