#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/registration.hpp"
#include "protocol/result.hpp"
#include "protocol/template.hpp"
#include "protocol/verdict.hpp"

namespace herald::protocol {

/// FCM's limit on a message's data + notification payload (Firebase, "About FCM messages").
inline constexpr std::size_t fcm_max_payload = 4096;
/// Host of the FCM HTTP v1 API, port 443.
inline constexpr std::string_view fcm_host = "fcm.googleapis.com";

/// Per-app FCM settings used to encode requests. Plain configuration data.
struct fcm_settings {
  std::string project_id; ///< Firebase project id (the service account's `project_id`).
  std::chrono::seconds ring_ttl{30};
  std::chrono::seconds alert_ttl{std::chrono::hours{24}};
  alert_templates templates;
};

/// Encodes one FCM HTTP v1 `messages:send` request (Firebase, "Build send requests"):
/// `POST /v1/projects/<project>/messages:send`, `content-type: application/json`, no
/// `authorization` (the sender adds `fcm_authorization(access_token)`).
///  - ring / cancel-ring: a data-only message with the call push fields as strings
///    (`make_call_data`: eventId "107" / "110", cp, callId, …), `android.priority` `high`,
///    `android.ttl` = ring_ttl (`"30s"`), `android.collapse_key` = call id, and an `apns`
///    override (`apns-push-type: background`, `apns-priority: 5`, `content-available: 1`)
///    for iOS apps registered through FCM.
///  - chat alert: `notification` {title, body} from the app's template plus `data`
///    (threadId, messageId, eventType), `android.priority` `high`, ttl = alert_ttl; the body
///    (then the title) is truncated UTF-8-safely so data + notification fit 4096 bytes.
/// Errors: not an `fcm` registration (`unsupported`), empty token (`missing_field`), empty
/// project (`missing_field`, field `project_id`), ring policy of `make_call_push_fields`,
/// payload over the limit (`too_large`).
[[nodiscard]] result<provider_request> encode_fcm(const intent& in, const registration& reg,
                                                  const fcm_settings& settings);

/// The `authorization` header value for an OAuth2 access token: `Bearer <token>`.
[[nodiscard]] std::string fcm_authorization(std::string_view access_token);

/// Classifies an FCM v1 response (Firebase, "FCM error codes"): the FcmError `errorCode` of
/// `error.details[]` first, then `error.status`, then the HTTP status.
///  - 200 → accepted, `provider_id` = body `name` (`projects/…/messages/…`).
///  - UNREGISTERED → rejected, token_dead.
///  - SENDER_ID_MISMATCH → rejected, token_dead: the token belongs to another sender; it can
///    never work for this app's credentials, so keeping it only repeats the failure.
///  - INVALID_ARGUMENT → rejected; token_dead only if a `google.rpc.BadRequest`
///    fieldViolation names `message.token` (the "Invalid registration token" case).
///  - THIRD_PARTY_AUTH_ERROR → rejected, never token_dead (our APNs credential in Firebase is
///    wrong, not the device).
///  - QUOTA_EXCEEDED / RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, HTTP 429/5xx → failed, with
///    `retry-after` (seconds or HTTP-date relative to `now`).
///  - HTTP 401 / UNAUTHENTICATED, 403 / PERMISSION_DENIED → unauthorized.
///  - unknown: 4xx → rejected, anything else → failed. A non-JSON body still gets a verdict.
[[nodiscard]] verdict classify_fcm(const provider_response& response,
                                   std::chrono::system_clock::time_point now);

/// `classify_fcm(response, system_clock::now())`.
[[nodiscard]] verdict classify_fcm(const provider_response& response);

} // namespace herald::protocol
