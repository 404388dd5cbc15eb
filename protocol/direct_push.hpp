#pragma once

#include <chrono>

#include "protocol/apns_request.hpp"
#include "protocol/direct_send.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/registration.hpp"
#include "protocol/result.hpp"
#include "protocol/template.hpp"

namespace herald::protocol {

/// Renders an app template for a direct send: `{name}` placeholders take the send's `data`
/// values (keys compared case-insensitively; the policy of `render_pattern`).
[[nodiscard]] rendered_alert render_direct(const alert_template& t, const direct_send& send);

/// Encodes a direct send for one `apns` registration (Apple, "Sending notification requests
/// to APNs"): `POST /3/device/<token>`, `apns-topic` = bundle id, `apns-expiration` = now +
/// ttl (0 = "deliver once, never store"), no `apns-id` (APNs assigns one).
///  - template (`alert` != null): push type `alert`, `aps.alert` {title, body} (body, then
///    title, truncated UTF-8-safely to fit 4096 bytes), `aps.sound` from the settings, the
///    data values under `data`.
///  - explicit `apns_payload`: sent as is; push type `background` when it has no `aps.alert`.
///  - priority: 10, but 5 for the bulk lane and for background pushes (Apple requires 5).
/// Errors: not an `apns` registration (`unsupported`: VoIP tokens only take call pushes), no
/// APNs payload in an explicit send (`unsupported`), body over the limit (`too_large`).
[[nodiscard]] result<provider_request>
encode_direct_apns(const direct_send& send, const rendered_alert* alert, const registration& reg,
                   const apns_settings& settings, std::chrono::system_clock::time_point now);

/// Encodes a direct send for one `fcm` registration as an FCM HTTP v1 `messages:send`:
/// `message.token`, then for a template `notification` {title, body} and the data values as
/// `data` (strings), or for an explicit send the members of `fcm_message`; `android.priority`
/// = `high` (`normal` for the bulk lane) and `android.ttl` = ttl (`"<n>s"`), merged into an
/// explicit `android` object. Errors: not an `fcm` registration or no FCM payload
/// (`unsupported`), no project (`missing_field`), over 4096 bytes of payload (`too_large`).
[[nodiscard]] result<provider_request> encode_direct_fcm(const direct_send& send,
                                                         const rendered_alert* alert,
                                                         const registration& reg,
                                                         const fcm_settings& settings);

} // namespace herald::protocol
