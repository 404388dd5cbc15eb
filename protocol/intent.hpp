#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "protocol/shared_text.hpp"

namespace herald::protocol {

/// What an event asks Herald to do for one identity.
enum class intent_kind {
  ring,        ///< An incoming call: wake the callee's devices (VoIP push / high-priority data).
  cancel_ring, ///< The call was answered elsewhere or ended: stop ringing.
  chat_alert,  ///< A chat event for one recipient: a visible alert from the app's template.
};

/// Priority class of a notification; call pushes never wait behind chat or bulk traffic.
enum class lane { call = 0, chat = 1, bulk = 2 };

[[nodiscard]] std::string_view to_string(intent_kind k) noexcept;
[[nodiscard]] std::string_view to_string(lane l) noexcept;

/// Call facts carried by ring and cancel-ring intents. The strings of a decoded batch's
/// intents share one buffer per batch (`shared_text`): copying an intent copies no call text.
struct call_details {
  shared_text call_id;               ///< `correlationId`: the id the Calling SDK reports.
  shared_text server_call_id;        ///< `serverCallId`, when the event has one.
  shared_text caller_raw_id;         ///< `from.rawId` of an IncomingCall.
  shared_text caller_display_name;   ///< `callerDisplayName`, may be empty.
  shared_text incoming_call_context; ///< Opaque `incomingCallContext` (JWT-like), for `cp`.
  /// `cp` taken from `incoming_call_context` once, when the ring intent is built, so each of
  /// the callee's devices does not decode it again; empty when the context gives none (then
  /// the encoders extract it themselves, and report why it fails).
  shared_text cp;
  bool video = false; ///< Whether the call offers video.
};

/// Chat facts carried by chat-alert intents; `fields` holds every scalar of the event's `data`
/// flattened with dotted lower-case keys (e.g. `senderdisplayname`, `metadata.key`), the
/// source of template placeholders.
struct chat_details {
  std::string thread_id;
  std::string message_id;
  std::string sender_raw_id;
  std::string sender_display_name;
  std::string message_body;
  std::map<std::string, std::string> fields;
};

/// One thing to do for one identity, derived from one event. Plain data, no references into
/// the parsed JSON; the event id, type and call strings share the decoded batch's copy
/// (`shared_text`), so an intent may outlive its batch.
struct intent {
  intent_kind kind = intent_kind::ring;
  std::string recipient; ///< Normalised `rawId` of the identity to notify; the shard key.
  shared_text event_id;
  shared_text event_type; ///< Full type, e.g. `Microsoft.Communication.IncomingCall`.
  std::chrono::system_clock::time_point event_time{};
  call_details call;
  chat_details chat;

  [[nodiscard]] lane lane_of() const noexcept {
    return kind == intent_kind::chat_alert ? lane::chat : lane::call;
  }
};

} // namespace herald::protocol
