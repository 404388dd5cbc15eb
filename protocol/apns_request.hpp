#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/registration.hpp"
#include "protocol/result.hpp"
#include "protocol/template.hpp"
#include "protocol/verdict.hpp"

namespace herald::protocol {

/// Apple's payload limit for every push type except VoIP ("Generating a remote notification").
inline constexpr std::size_t apns_max_payload = 4096;
/// Apple's payload limit for VoIP pushes.
inline constexpr std::size_t apns_max_voip_payload = 5120;
/// Apple's limit on `apns-collapse-id`.
inline constexpr std::size_t apns_max_collapse_id = 64;

/// Per-app APNs settings used to encode requests. Plain configuration data.
struct apns_settings {
  std::string bundle_id; ///< `apns-topic`; VoIP pushes use `<bundle_id>.voip`.
  /// Lifetime of ring and cancel-ring pushes: a ring delivered after this is useless.
  std::chrono::seconds ring_ttl{30};
  /// Lifetime of chat alerts; 0 sends `apns-expiration: 0` (deliver once, never stored).
  std::chrono::seconds alert_ttl{std::chrono::hours{24}};
  /// `aps.sound` of chat alerts; empty means silent.
  std::string alert_sound = "default";
  /// Chat alert texts of this app.
  alert_templates templates;
};

/// Host of the APNs endpoint of an environment (`api.push.apple.com`,
/// `api.sandbox.push.apple.com`), port 443.
[[nodiscard]] std::string_view apns_host(environment env) noexcept;

/// Encodes one APNs HTTP/2 request (Apple, "Sending notification requests to APNs"):
/// `POST /3/device/<token>` with `apns-push-type`, `apns-topic`, `apns-priority`,
/// `apns-expiration` (absolute Unix seconds from `now`), `apns-collapse-id`, `apns-id`,
/// `content-type`; no `authorization` (the sender adds `apns_authorization(token)`).
///
/// By intent and registration channel:
///  - ring on `apns_voip`: push type `voip`, topic `<bundle>.voip`, priority 10, expiration
///    now + ring_ttl, collapse id = call id, body = `make_voip_payload` (eventId 107; ring policy
///    in `make_call_push_fields`).
///  - cancel-ring on `apns_voip`: the same headers, body with eventId 110 (the ACS SDK's
///    `StopRinging` event type). iOS 13+ terminates an app that does not report a CallKit
///    call for every VoIP push, so the app must end the CallKit call of `callId` if it is
///    ringing, or else report and immediately end one; that is what the ACS SDK expects of
///    its own StopRinging pushes too.
///  - ring / cancel-ring on `apns` (alert token): push type `background`, priority 5,
///    `content-available: 1` with the same `data`, so an app without PushKit still learns.
///  - chat alert on `apns`: push type `alert`, priority 10, expiration now + alert_ttl,
///    collapse id = message id, `aps.alert` rendered from the app's template, truncated
///    UTF-8-safely so the body fits 4096 bytes.
///  - chat alert on `apns_voip`, or any intent for `fcm`/`wns`: `errc::unsupported`.
/// `apns-id` is a name-based UUID (RFC 9562 §5.5 layout, version 5: SHA-1) of
/// event id + device id + intent kind: unique per notification, stable across redeliveries
/// of the same event (so logs of a retry correlate).
/// Errors: empty token or bundle id (`missing_field`); token not hex (`invalid_field`);
/// malformed incomingCallContext (see `make_call_push_fields`); body over the limit after
/// truncation (`too_large`).
[[nodiscard]] result<provider_request> encode_apns(const intent& in, const registration& reg,
                                                   const apns_settings& settings,
                                                   std::chrono::system_clock::time_point now);

/// The `apns-expiration` value for a push sent at `now` living `ttl`: absolute Unix seconds,
/// or `0` ("deliver once, never store") when `ttl` is zero or less.
[[nodiscard]] std::string apns_expiration(std::chrono::system_clock::time_point now,
                                          std::chrono::seconds ttl);

/// Writes `"alert": {"title", "body"}` and, when `sound` is not empty, `"sound"` into an
/// open `aps` object.
void write_aps_alert(json_writer& w, const rendered_alert& alert, std::string_view sound);

/// The `authorization` header value for a provider token: `bearer <jwt>`.
[[nodiscard]] std::string apns_authorization(std::string_view provider_token);

/// Classifies an APNs response (Apple, "Handling notification responses from APNs"):
///  - 200 → accepted, `provider_id` = response `apns-id`.
///  - 400 BadDeviceToken, DeviceTokenNotForTopic; 410 Unregistered, ExpiredToken → rejected,
///    `token_dead`; for 410 `token_dead_since` = body `timestamp` (epoch MILLISECONDS).
///  - other 400, 404, 405, 413 → rejected (our request is wrong; retrying cannot help).
///  - 403 provider-token reasons (ExpiredProviderToken, InvalidProviderToken,
///    MissingProviderToken, BadEnvironmentKey[Id]InToken, UnrelatedKeyIdInToken) and
///    certificate reasons → unauthorized; 403 Forbidden/unknown → unauthorized.
///  - 429 TooManyRequests, TooManyProviderTokenUpdates; 500; 503 → failed, `retry_after`
///    from the `retry-after` header (delta seconds or HTTP-date, relative to `now`).
///  - unknown status: 5xx and other → failed; unknown 4xx → rejected. A body that is not JSON
///    still yields a verdict (reason empty).
[[nodiscard]] verdict classify_apns(const provider_response& response,
                                    std::chrono::system_clock::time_point now);

/// `classify_apns(response, system_clock::now())`.
[[nodiscard]] verdict classify_apns(const provider_response& response);

} // namespace herald::protocol
