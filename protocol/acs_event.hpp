#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/communication_identifier.hpp"
#include "protocol/event_catalog.hpp"
#include "protocol/json_access.hpp"
#include "protocol/result.hpp"
#include "protocol/shared_text.hpp"

namespace herald::protocol {

/// The facts Herald uses from the `data` of one ACS event, read leniently from every shape
/// seen in the documentation and SDK samples: keys in any case (`From` / `from`), identifiers
/// as strings or objects (see `parse_communication_identifier`), numbers as JSON numbers or
/// decimal strings, timestamps in RFC 3339 with any offset.
///
/// Which JSON key fills which member (first listed wins when several are present):
/// - `to`, `from`: `to`, `from` (SMS: bare phone strings become `4:` identifiers).
/// - `sender`: `senderCommunicationIdentifier`, `senderId`.
/// - `recipient`: `recipientCommunicationIdentifier`, `recipientId`.
/// - `participant`: `user` (calls), `participantAdded` / `participantRemoved`
///   (`participantCommunicationIdentifier`, and `displayName` into `display_name`).
/// - `actor`: `startedBy`, `createdBy…`, `addedBy…`, `removedBy…`, `editedBy…`, `deletedBy…`
///   (the `…CommunicationIdentifier` object, else the bare rawId string).
/// - `occurred_at`: `editTime`, `deleteTime`, `time`, `receivedTimestamp`,
///   `deliveryAttemptTimestamp`, `recordingStartTime`; `created_at`: `composeTime`, `createTime`.
///
/// The text members are `shared_text` views into the strings of the JSON document they were
/// read from (no copies while decoding), sharing whatever owner the reader was given; a view
/// without an owner is valid only while that document is (see `read_acs_event`). Numbers read
/// as text own their digits. Build one per event, on any thread.
struct acs_event {
  acs_event_type type = acs_event_type::unknown;

  std::optional<communication_identifier> to;
  std::optional<communication_identifier> from;
  std::optional<communication_identifier> sender;
  std::optional<communication_identifier> recipient;
  std::optional<communication_identifier> participant;
  std::optional<communication_identifier> actor;

  shared_text correlation_id;
  shared_text server_call_id;
  shared_text caller_display_name;
  shared_text incoming_call_context;
  /// IncomingCall has no media flag. Herald's rule: true only when the caller put a VoIP
  /// header `video` (any case) with value `true` / `1` / `yes` into `customContext.voipHeaders`
  /// (apps set these with the Calling SDK's custom context); otherwise an audio call.
  bool video = false;

  shared_text thread_id;
  shared_text message_id;
  shared_text message_body; ///< `messageBody` (chat) or `message` (SMS).
  shared_text message_type; ///< `type`: `Text`, `Html`, `TopicUpdated` ...
  shared_text sender_display_name;
  shared_text display_name; ///< Of the participant added / removed / joined.
  shared_text status;       ///< `status` (email) or `deliveryStatus` (SMS).

  std::optional<std::int64_t> version;
  std::optional<std::int64_t> duration_ms; ///< `recordingDurationMs`, or `durationOfCall` s.
  std::optional<std::chrono::system_clock::time_point> occurred_at;
  std::optional<std::chrono::system_clock::time_point> created_at;

  /// Every scalar of `data` flattened (dotted lower-case keys); filled only for types whose
  /// policy is `chat_alert`, the only intents that carry it.
  std::map<std::string, std::string> fields;

  /// Problems in fields this type does not need (the event is still usable).
  std::vector<error> warnings;
};

/// Reads `data` of an event of `type`; the event's text is valid while `data`'s document is.
/// Fails (`missing_field` / `invalid_field`, field path
/// from `data`) only when a field the type's intents need is absent or unusable:
/// IncomingCall needs `to` and `correlationId` or `serverCallId`; CallEnded needs one of the
/// call ids; CallParticipantAdded needs `user` and a call id; chat-alert types need the
/// recipient. Everything else is best effort, reported in `warnings`.
[[nodiscard]] result<acs_event> parse_acs_event(acs_event_type type, const json::value& data);

/// `parse_acs_event` into `out` (a fresh `acs_event`), for callers that keep the event where
/// it is built: the error, or nullopt when `out` is usable. The text members of `out` view
/// the strings of `data` and share `owner`, which must keep them alive; with no owner, `out`'s
/// text is valid only while `data`'s document is (the batch decoder copies what it keeps).
[[nodiscard]] std::optional<error> read_acs_event(acs_event_type type, const json::value& data,
                                                  acs_event& out,
                                                  std::shared_ptr<const void> owner = {});

/// Parses `data_json` and reads it as the data of `type_name` (for tests, fuzzing and
/// `herald explain`). Unknown type names give an `acs_event` of type `unknown`. The event
/// shares the parsed document: its text stays valid for its (and its copies') life.
[[nodiscard]] result<acs_event> parse_acs_event_json(std::string_view type_name,
                                                     std::string_view data_json);

} // namespace herald::protocol
