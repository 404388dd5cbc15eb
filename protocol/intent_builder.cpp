#include "protocol/intent_builder.hpp"

#include <utility>

#include "protocol/voip_payload.hpp"

namespace herald::protocol {

namespace {

/// The one intent of `v`, built in place (an intent is large: no temporary to move).
intent& make(std::vector<intent>& v, intent_kind kind, std::string recipient,
             const event_meta& meta) {
  intent& out = v.emplace_back();
  out.kind = kind;
  out.recipient = std::move(recipient);
  out.event_id = meta.id;
  out.event_type = meta.type;
  out.event_time = meta.time;
  return out;
}

void take_call_ids(const acs_event& ev, call_details& c, shared_text_pool& pool) {
  c.call_id = pool.keep(ev.correlation_id);
  c.server_call_id = pool.keep(ev.server_call_id);
}

bool same(const std::optional<communication_identifier>& a,
          const std::optional<communication_identifier>& b) {
  return a && b && *a == *b;
}

/// System messages are rendered by the chat UI from thread state; alerting on them is noise.
bool is_system_message(std::string_view type) {
  return type == "TopicUpdated" || type == "ParticipantAdded" || type == "ParticipantRemoved";
}

std::vector<intent> ring(acs_event& ev, const event_meta& meta, shared_text_pool& pool) {
  if (!ev.to || !ev.to->can_receive_app_push()) {
    return {};
  }
  std::vector<intent> v;
  intent& out = make(v, intent_kind::ring, std::move(*ev.to).release_raw_id(), meta);
  take_call_ids(ev, out.call, pool);
  out.call.caller_raw_id = ev.from ? pool.keep(ev.from->to_raw_id()) : shared_text{};
  out.call.caller_display_name = pool.keep(ev.caller_display_name);
  out.call.incoming_call_context = pool.keep(ev.incoming_call_context);
  if (auto cp = keep_call_context_cp(ev.incoming_call_context, pool)) {
    out.call.cp = std::move(cp).value(); // once per call, not once per device
  }
  out.call.video = ev.video;
  return v;
}

std::vector<intent> cancel_ring(acs_event& ev, const event_meta& meta, shared_text_pool& pool) {
  std::string recipient;
  if (ev.type == acs_event_type::call_participant_added) {
    if (!ev.participant || !ev.participant->can_receive_app_push()) {
      return {};
    }
    recipient = std::move(*ev.participant).release_raw_id();
  }
  std::vector<intent> v;
  take_call_ids(ev, make(v, intent_kind::cancel_ring, std::move(recipient), meta).call, pool);
  return v;
}

std::vector<intent> chat_alert(acs_event& ev, const event_meta& meta) {
  if (!ev.recipient || !ev.recipient->can_receive_app_push()) {
    return {};
  }
  // Who caused the event: the message sender, else the thread creator / adder.
  const auto& origin = ev.sender ? ev.sender : ev.actor;
  if (same(ev.recipient, origin)) {
    return {};
  }
  switch (ev.type) {
  case acs_event_type::chat_message_received:
    if (is_system_message(ev.message_type)) {
      return {};
    }
    break;
  case acs_event_type::chat_participant_added_to_thread_with_user:
    // Every member gets this event; only the one added learns something worth an alert.
    if (!same(ev.recipient, ev.participant)) {
      return {};
    }
    break;
  default:
    break;
  }
  std::vector<intent> v;
  intent& out = make(v, intent_kind::chat_alert, ev.recipient->to_raw_id(), meta);
  out.chat.thread_id = ev.thread_id.str();
  out.chat.message_id = ev.message_id.str();
  out.chat.sender_raw_id = origin ? origin->to_raw_id() : std::string{};
  out.chat.sender_display_name = ev.sender_display_name.str();
  out.chat.message_body = ev.message_body.str();
  out.chat.fields = std::move(ev.fields);
  return v;
}

} // namespace

std::vector<intent> build_intents(acs_event&& ev, const event_meta& meta) {
  shared_text_pool own; // every call string copied into a buffer of its own
  return build_intents(std::move(ev), meta, own);
}

std::size_t intent_text_size(const acs_event& ev) noexcept {
  const std::size_t ids = ev.correlation_id.size() + ev.server_call_id.size();
  switch (catalog_entry(ev.type).policy) {
  case push_policy::ring: {
    const std::size_t context = ev.incoming_call_context.size();
    const std::size_t cp = call_context_cp_bound(ev.incoming_call_context);
    return ids + (ev.from ? ev.from->to_raw_id().size() : 0) + ev.caller_display_name.size() +
           context + shared_text_pool::padding_for(context) + cp +
           shared_text_pool::padding_for(cp);
  }
  case push_policy::cancel_ring:
    return ids;
  case push_policy::chat_alert:
  case push_policy::none:
    break;
  }
  return 0;
}

std::vector<intent> build_intents(acs_event&& ev, const event_meta& meta, shared_text_pool& pool) {
  switch (catalog_entry(ev.type).policy) {
  case push_policy::ring:
    return ring(ev, meta, pool);
  case push_policy::cancel_ring:
    return cancel_ring(ev, meta, pool);
  case push_policy::chat_alert:
    return chat_alert(ev, meta);
  case push_policy::none:
    break;
  }
  return {};
}

} // namespace herald::protocol
