#pragma once

#include <map>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/result.hpp"
#include "protocol/shared_text_pool.hpp"

namespace herald::protocol {

/// `eventId` of an incoming-call push (ACS `PushNotificationEventType.incomingCall`).
inline constexpr int acs_event_incoming_call = 107;
/// `eventId` of a stop-ringing push (ACS `PushNotificationEventType.stopRinging`).
inline constexpr int acs_event_stop_ringing = 110;
/// Longest caller display name put in a call push; longer names are truncated UTF-8-safely.
inline constexpr std::size_t max_call_display_name = 256;

/// The fields of a call push as the ACS Calling SDK reads them
/// (`PushNotificationInfo.fromDictionary` on iOS, `handlePushNotification` on Android), the
/// key names of Microsoft's Event Grid push sample (Azure-Samples/
/// azure-communication-services-calling-event-grid, `Helpers.ConvertToPNInfo`).
struct call_push_fields {
  int event_id = acs_event_incoming_call; ///< `eventId`.
  std::string cp;                         ///< `cp`: the `cc` claim of incomingCallContext.
  std::string call_id;                    ///< `callId` = the event's correlationId.
  std::string recipient_id;               ///< `recipientId` = callee rawId.
  std::string caller_id;                  ///< `callerId` = caller rawId.
  std::string display_name;               ///< `displayName` = callerDisplayName.
  bool video = false;                     ///< `videoCall`, sent as "true"/"false".
};

/// Extracts `cc` from an `incomingCallContext`: a JWT-like `header.payload.signature` whose
/// base64url payload is a JSON object with a non-empty string `cc` that is itself base64
/// (the SDK decodes it). Errors name field `data.incomingCallContext`: `missing_field` when
/// empty, `invalid_field` for anything else that is wrong (e.g. the docs' placeholder
/// `{incoming-call-contextValue}` or their corrupted sample, or a payload nested deeper than
/// 32 levels). `cc` is the first member of that name at the top level.
[[nodiscard]] result<std::string> extract_call_context_cp(std::string_view incoming_call_context);

/// `extract_call_context_cp` into `pool`: the `cp` shares the pool's buffer (no allocation
/// of its own when the pool has room). The same errors.
[[nodiscard]] result<shared_text> keep_call_context_cp(std::string_view incoming_call_context,
                                                       shared_text_pool& pool);

/// An upper bound of the size of the `cp` of `incoming_call_context`, for sizing a pool.
[[nodiscard]] std::size_t call_context_cp_bound(std::string_view incoming_call_context) noexcept;

/// Builds the call push fields of a ring or cancel-ring intent. `cp` is `in.call.cp` when
/// that is set and base64 (`build_intents` fills it once per call), else extracted from
/// `in.call.incoming_call_context`.
/// Policy: a ring without a valid incomingCallContext is an error for that event (the caller
/// dead-letters it): without `cp` the SDK cannot accept the call, and a ring the user cannot
/// answer is worse than none. A cancel-ring needs only `callId` (eventId 110): its `cp` is
/// included when extractable and omitted otherwise. Errors: chat intents (`unsupported`),
/// empty call id (`missing_field`, `data.correlationId`).
[[nodiscard]] result<call_push_fields> make_call_push_fields(const intent& in);

/// The iOS VoIP payload: `{"aps":{},"data":{"eventId":107,"cp":…,"callId":…,
/// "recipientId":…,"callerId":…,"displayName":…,"videoCall":"false"}}` (eventId a number,
/// the rest strings, as in Microsoft's sample). `cp` is left out when empty.
[[nodiscard]] std::string make_voip_payload(const call_push_fields& fields);

/// Appends `make_voip_payload(make_call_push_fields(in).value())` to `out`, or fails with
/// `make_call_push_fields`' errors (leaving `out` as it was). The same bytes without the
/// intermediate copies of every field: the hot path of every ring (docs/BENCHMARKS.md).
[[nodiscard]] result<void> append_voip_payload(const intent& in, std::string& out);

/// The same fields as an FCM/WNS data map: every value a string (FCM `data` requires it).
[[nodiscard]] std::map<std::string, std::string> make_call_data(const call_push_fields& fields);

} // namespace herald::protocol
