#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "protocol/acs_event.hpp"
#include "protocol/intent.hpp"
#include "protocol/shared_text_pool.hpp"

namespace herald::protocol {

/// Envelope facts every intent of an event carries.
struct event_meta {
  shared_text id;
  shared_text type; ///< Full type name, shared by `intent::event_type`.
  std::chrono::system_clock::time_point time{};
};

/// Turns one parsed ACS event into the intents it asks for (docs/EVENTS.md has the table).
///
/// - IncomingCall → one `ring` for `data.to`, when `to` can hold app registrations (ACS or
///   Teams user; phone numbers, bots and unknown ids such as the `{recipient-id}` doc
///   placeholders get none). `call.call_id` = `correlationId`, plus `serverCallId`, caller
///   rawId and display name, `incomingCallContext`, and `video` (see `acs_event::video`).
/// - CallParticipantAdded → one `cancel_ring` for the participant who joined: the callee
///   answered on one device, so its other devices must stop ringing. ACS sends this for every
///   participant (the caller too); the router must drop a cancel for which it sent no ring
///   with the same `call_id` or `server_call_id` to that recipient.
/// - CallEnded → one `cancel_ring` with an EMPTY `recipient`: the event lists no callees. The
///   router resolves it from the rings it sent for that `call_id` / `server_call_id` (an
///   empty recipient has no shard: broadcast it to every shard, or keep a call-id index) and
///   cancels each still outstanding; none outstanding means nothing to do.
/// - ChatMessageReceived (Text / Html / unknown message types, not the system types
///   `TopicUpdated`, `ParticipantAdded`, `ParticipantRemoved`), ChatThreadCreatedWithUser, and
///   ChatParticipantAddedToThreadWithUser when the recipient is the participant added →
///   one `chat_alert` for `recipientCommunicationIdentifier`, unless the recipient is the
///   sender / creator / adder (nobody is alerted about their own action).
/// - Everything else → no intent.
///
/// Pure function of its inputs; may move strings out of `ev` (taken by rvalue reference: an
/// `acs_event` is large, and every caller hands over its own); the call strings are copies,
/// each in a buffer of its own. Thread-safe.
[[nodiscard]] std::vector<intent> build_intents(acs_event&& ev, const event_meta& meta);

/// `build_intents` keeping the intents' call strings in `pool` (sized with
/// `intent_text_size`), so that the intents of a batch share one buffer.
[[nodiscard]] std::vector<intent> build_intents(acs_event&& ev, const event_meta& meta,
                                                shared_text_pool& pool);

/// Bytes `build_intents` keeps in its pool for `ev` (at most; `cp` is bounded, not exact).
[[nodiscard]] std::size_t intent_text_size(const acs_event& ev) noexcept;

} // namespace herald::protocol
