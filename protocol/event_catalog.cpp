#include "protocol/event_catalog.hpp"

#include <array>

#include "protocol/json_access.hpp"

namespace herald::protocol {

namespace {

using t = acs_event_type;
using p = push_policy;

constexpr std::string_view prefix = "Microsoft.Communication.";

// Order must follow the enum (checked by the static_assert below and by a test).
constexpr std::array<event_catalog_entry, 30> rows{{
    {"", t::unknown, p::none, ""},
    {"Microsoft.Communication.IncomingCall", t::incoming_call, p::ring, "to"},
    {"Microsoft.Communication.CallStarted", t::call_started, p::none, ""},
    {"Microsoft.Communication.CallEnded", t::call_ended, p::cancel_ring, ""},
    {"Microsoft.Communication.CallParticipantAdded", t::call_participant_added, p::cancel_ring,
     "user"},
    {"Microsoft.Communication.CallParticipantRemoved", t::call_participant_removed, p::none, ""},
    {"Microsoft.Communication.RecordingFileStatusUpdated", t::recording_file_status_updated,
     p::none, ""},
    {"Microsoft.Communication.ChatMessageReceived", t::chat_message_received, p::chat_alert,
     "recipientCommunicationIdentifier"},
    {"Microsoft.Communication.ChatMessageEdited", t::chat_message_edited, p::none, ""},
    {"Microsoft.Communication.ChatMessageDeleted", t::chat_message_deleted, p::none, ""},
    {"Microsoft.Communication.ChatThreadCreatedWithUser", t::chat_thread_created_with_user,
     p::chat_alert, "recipientCommunicationIdentifier"},
    {"Microsoft.Communication.ChatThreadWithUserDeleted", t::chat_thread_with_user_deleted, p::none,
     ""},
    {"Microsoft.Communication.ChatThreadPropertiesUpdatedPerUser",
     t::chat_thread_properties_updated_per_user, p::none, ""},
    {"Microsoft.Communication.ChatParticipantAddedToThreadWithUser",
     t::chat_participant_added_to_thread_with_user, p::chat_alert,
     "recipientCommunicationIdentifier"},
    {"Microsoft.Communication.ChatParticipantRemovedFromThreadWithUser",
     t::chat_participant_removed_from_thread_with_user, p::none, ""},
    {"Microsoft.Communication.ChatMessageReceivedInThread", t::chat_message_received_in_thread,
     p::none, ""},
    {"Microsoft.Communication.ChatMessageEditedInThread", t::chat_message_edited_in_thread, p::none,
     ""},
    {"Microsoft.Communication.ChatMessageDeletedInThread", t::chat_message_deleted_in_thread,
     p::none, ""},
    {"Microsoft.Communication.ChatThreadCreated", t::chat_thread_created, p::none, ""},
    {"Microsoft.Communication.ChatThreadDeleted", t::chat_thread_deleted, p::none, ""},
    {"Microsoft.Communication.ChatThreadPropertiesUpdated", t::chat_thread_properties_updated,
     p::none, ""},
    {"Microsoft.Communication.ChatThreadParticipantAdded", t::chat_thread_participant_added,
     p::none, ""},
    {"Microsoft.Communication.ChatThreadParticipantRemoved", t::chat_thread_participant_removed,
     p::none, ""},
    {"Microsoft.Communication.UserDisconnected", t::chat_user_disconnected, p::none, ""},
    {"Microsoft.Communication.SMSReceived", t::sms_received, p::none, ""},
    {"Microsoft.Communication.SMSDeliveryReportReceived", t::sms_delivery_report_received, p::none,
     ""},
    {"Microsoft.Communication.EmailDeliveryReportReceived", t::email_delivery_report_received,
     p::none, ""},
    {"Microsoft.Communication.EmailEngagementTrackingReportReceived",
     t::email_engagement_tracking_report_received, p::none, ""},
    {"Microsoft.Communication.AdvancedMessageReceived", t::advanced_message_received, p::none, ""},
    {"Microsoft.Communication.AdvancedMessageDeliveryStatusUpdated",
     t::advanced_message_delivery_status_updated, p::none, ""},
}};

static_assert(rows.back().type == t::advanced_message_delivery_status_updated);

} // namespace

const event_catalog_entry& lookup_event_type(std::string_view type_name) noexcept {
  // Cheap reject first: every known type starts with the ACS prefix.
  if (type_name.size() <= prefix.size() ||
      !json::iequals(type_name.substr(0, prefix.size()), prefix)) {
    return rows[0];
  }
  // Past the shared prefix only, and length first: most rows differ in length.
  const std::string_view rest = type_name.substr(prefix.size());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string_view row = rows[i].name;
    if (row.size() == type_name.size() && json::iequals(row.substr(prefix.size()), rest)) {
      return rows[i];
    }
  }
  return rows[0];
}

const event_catalog_entry& catalog_entry(acs_event_type type) noexcept {
  const auto i = static_cast<std::size_t>(type);
  return i < rows.size() ? rows[i] : rows[0];
}

std::span<const event_catalog_entry> event_catalog() noexcept {
  return std::span<const event_catalog_entry>{rows}.subspan(1);
}

} // namespace herald::protocol
