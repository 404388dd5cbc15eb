#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace herald::protocol {

/// Every `Microsoft.Communication.*` event type Herald understands. Types not listed here
/// (Job Router, future ACS types, other publishers) are `unknown`: accepted and ignored.
enum class acs_event_type : std::uint8_t {
  unknown = 0,
  // Voice and video (docs: communication-services-voice-video-events).
  incoming_call,
  call_started,
  call_ended,
  call_participant_added,
  call_participant_removed,
  recording_file_status_updated,
  // Chat, one event per recipient (docs: communication-services-chat-events).
  chat_message_received,
  chat_message_edited,
  chat_message_deleted,
  chat_thread_created_with_user,
  chat_thread_with_user_deleted,
  chat_thread_properties_updated_per_user,
  chat_participant_added_to_thread_with_user,
  chat_participant_removed_from_thread_with_user,
  // Chat, one event per thread.
  chat_message_received_in_thread,
  chat_message_edited_in_thread,
  chat_message_deleted_in_thread,
  chat_thread_created,
  chat_thread_deleted,
  chat_thread_properties_updated,
  chat_thread_participant_added,
  chat_thread_participant_removed,
  chat_user_disconnected,
  // SMS, email, advanced messaging.
  sms_received,
  sms_delivery_report_received,
  email_delivery_report_received,
  email_engagement_tracking_report_received,
  advanced_message_received,
  advanced_message_delivery_status_updated,
};

/// What Herald does with an event type (docs/EVENTS.md explains each choice).
enum class push_policy : std::uint8_t {
  none,        ///< Understood, never pushed.
  ring,        ///< Ring intent for `data.to`.
  cancel_ring, ///< Cancel-ring intent for the call.
  chat_alert,  ///< Chat-alert intent for `data.recipientCommunicationIdentifier` (when due).
};

/// One row of the catalog.
struct event_catalog_entry {
  std::string_view name; ///< Full type, e.g. `Microsoft.Communication.IncomingCall`.
  acs_event_type type;
  push_policy policy;
  std::string_view recipient_field; ///< JSON path of the recipient in `data`, or empty.
};

/// The catalog row for `type_name` (case-insensitive, as Event Grid filters are), or the
/// `unknown` row (`name` empty). Lock-free, constant data: safe from any thread.
[[nodiscard]] const event_catalog_entry& lookup_event_type(std::string_view type_name) noexcept;

/// The row of a known type (`unknown` gives the unknown row).
[[nodiscard]] const event_catalog_entry& catalog_entry(acs_event_type type) noexcept;

/// Every known row, in enum order (for docs and `herald explain`).
[[nodiscard]] std::span<const event_catalog_entry> event_catalog() noexcept;

} // namespace herald::protocol
