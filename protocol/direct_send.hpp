#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/registration.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Whom a direct send (`POST /v1/apps/{app}/notifications`) addresses.
enum class send_target { identity, device, token };

/// The state of one device's notification of a direct send, as `GET …/notifications/{id}`
/// reports it.
enum class delivery_state {
  pending,  ///< Not yet answered by the provider (queued, in flight, or being retried).
  accepted, ///< The provider took it.
  rejected, ///< The provider refused it for good (`reason` = its reason, e.g. Unregistered).
  failed,   ///< Not delivered: retries exhausted, expired, credential or encoding failure.
};

[[nodiscard]] std::string_view to_string(delivery_state s) noexcept;
/// Parses `call`, `chat` or `bulk`.
[[nodiscard]] std::optional<lane> parse_lane(std::string_view s) noexcept;

/// Lifetime of a direct send when the request gives none.
inline constexpr std::chrono::seconds direct_send_default_ttl{3600};
/// Longest lifetime: FCM's maximum `android.ttl` (four weeks).
inline constexpr std::chrono::seconds direct_send_max_ttl{28 * 24 * 3600};

/// A validated direct send request (plain data).
struct direct_send {
  send_target target = send_target::identity;
  std::string identity;  ///< Normalised rawId (identity targets).
  std::string device_id; ///< Device targets.
  /// Token targets: the channel (`apns`, `fcm` or `wns`), token and environment.
  platform channel = platform::apns;
  std::string token;
  environment env = environment::production;
  /// Template sends: the app template's name and its placeholder values (keys lower-cased,
  /// scalars as text; FCM also gets them as `data`).
  std::string template_name;
  std::map<std::string, std::string> data;
  /// Explicit sends: the APNs body and the FCM `message` members, JSON object texts; a
  /// platform without its payload is not sent to.
  std::string apns_payload;
  std::string fcm_message;
  /// Explicit WNS part: `x-wns-type` (`wns/raw`, `wns/toast`, `wns/tile`, `wns/badge`) and the
  /// body as given (XML for toast, tile and badge; any text for raw). Empty: no WNS part.
  std::string wns_type;
  std::string wns_body;
  /// Whether `apns_payload` is a background push (no `aps.alert`, `aps.content-available`).
  bool apns_background = false;
  lane priority = lane::chat;
  std::chrono::seconds ttl = direct_send_default_ttl;
};

/// Parses the body of `POST /v1/apps/{app}/notifications`:
/// `{"to": {"identity": rawId} | {"deviceId": id} | {"token": t, "platform": "apns"|"fcm",
/// "environment"?}, "template": name, "data": {…}` or `"payload": {"apns": {…}, "fcm": {…}},
/// "lane": "call"|"chat"|"bulk" (chat), "ttl": seconds (3600, 0..2419200)}`.
/// Validation, each failure naming its field (`to`, `to.identity`, `to.deviceId`, `to.token`,
/// `to.platform`, `to.environment`, `template`, `data`, `payload`, `payload.apns`,
/// `payload.fcm`, `lane`, `ttl`): exactly one target; identity an ACS or Teams user; token
/// format per platform; exactly one of `template` and `payload`; `data` at most 64 scalar
/// members (keys ≤ 64 bytes, values ≤ 1024 bytes); `payload.apns` an object with an `aps`
/// object, ≤ 4096 bytes; `payload.fcm` an object without `token`, `topic`, `condition`,
/// whose `data` (if any) has string values only, ≤ 4096 bytes.
[[nodiscard]] result<direct_send> parse_direct_send_json(std::string_view body);

} // namespace herald::protocol
