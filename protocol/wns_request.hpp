#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/registration.hpp"
#include "protocol/result.hpp"
#include "protocol/template.hpp"
#include "protocol/verdict.hpp"

namespace herald::protocol {

/// WNS's limit on a notification body (Microsoft, "Push notification service request and
/// response headers": 5 KB).
inline constexpr std::size_t wns_max_payload = 5000;

/// Per-app WNS settings used to encode requests. Plain configuration data.
struct wns_settings {
  std::chrono::seconds ring_ttl{30};
  std::chrono::seconds alert_ttl{std::chrono::hours{24}};
  alert_templates templates;
};

/// A WNS request: unlike APNs and FCM the host differs per channel, so the authority travels
/// with the request.
struct wns_request {
  std::string authority; ///< From the channel URI, e.g. `db5.notify.windows.com`.
  provider_request request;
};

/// Encodes one WNS request to the registration's channel URI (`reg.token`, an https URL whose
/// host must end with `notify.windows.com`). Headers (Microsoft, "Push notification service
/// request and response headers"): `x-wns-type`, `content-type`, `x-wns-ttl`,
/// `x-wns-priority`; no `authorization` (the sender adds `wns_authorization(token)`).
///  - ring / cancel-ring: `wns/raw`, `application/octet-stream`, body = the call push fields
///    as a JSON object of strings (same as FCM data), priority 1 (high), ttl = ring_ttl.
///  - chat alert: `wns/toast`, `text/xml`, a ToastGeneric toast with title and body from the
///    template (XML-escaped, truncated UTF-8-safely to fit 5000 bytes), priority 2, ttl =
///    alert_ttl.
/// Errors: not a `wns` registration (`unsupported`); bad channel URI (`invalid_field`, field
/// `token`); ring policy of `make_call_push_fields`; `too_large`.
[[nodiscard]] result<wns_request> encode_wns(const intent& in, const registration& reg,
                                             const wns_settings& settings);

/// Encodes a template direct send (`POST /v1/apps/{app}/notifications`) for one `wns`
/// registration: a toast of `alert` like a chat alert (priority 2), `x-wns-ttl` = `ttl` (none
/// when 0). Errors: no `alert` (explicit payloads go through `encode_direct_wns_payload`:
/// `unsupported`, field `payload`); not a `wns` registration or a bad channel URI, as
/// `encode_wns`.
[[nodiscard]] result<wns_request>
encode_direct_wns(const rendered_alert* alert, std::chrono::seconds ttl, const registration& reg);

/// Encodes an explicit direct send for one `wns` registration: `x-wns-type` = `type` (checked
/// by the direct-send parser), the body as given with `content-type`
/// `application/octet-stream` for `wns/raw` and `text/xml` otherwise, `x-wns-ttl` = `ttl`
/// (none when 0), `x-wns-priority` 2. Errors: a body over `wns_max_payload` (`too_large`);
/// not a `wns` registration or a bad channel URI, as `encode_wns`.
[[nodiscard]] result<wns_request> encode_direct_wns_payload(std::string_view type,
                                                            std::string_view body,
                                                            std::chrono::seconds ttl,
                                                            const registration& reg);

/// The `authorization` header value for a WNS access token: `Bearer <token>`.
[[nodiscard]] std::string wns_authorization(std::string_view access_token);

/// Classifies a WNS response (Microsoft, "Push notification service request and response
/// headers", response codes):
///  - 200 → accepted, `provider_id` = `x-wns-msg-id`; `reason` = `x-wns-status` if any.
///  - 410 (channel expired) and 404 (channel not valid: "do not send further notifications to
///    this channel") → rejected, token_dead.
///  - 400, 403 (channel belongs to another app: configuration, not the device), 405, 413 →
///    rejected.
///  - 401 (token expired/invalid) → unauthorized.
///  - 406 (throttled), 429, 500, 503 → failed with `retry-after`.
///  - unknown: 4xx → rejected, anything else → failed.
/// `reason` carries `x-wns-error-description` when present, else `x-wns-status`.
[[nodiscard]] verdict classify_wns(const provider_response& response,
                                   std::chrono::system_clock::time_point now);

/// `classify_wns(response, system_clock::now())`.
[[nodiscard]] verdict classify_wns(const provider_response& response);

} // namespace herald::protocol
