#include "protocol/acs_event.hpp"

#include <array>
#include <cmath>

#include "protocol/rfc3339.hpp"

namespace herald::protocol {

namespace {

/// Where a `data` member goes.
enum class slot : std::uint8_t {
  to,
  from,
  sender,
  sender_id,
  recipient,
  recipient_id,
  user,
  participant_added,
  participant_removed,
  actor,
  actor_id,
  correlation_id,
  server_call_id,
  caller_display_name,
  incoming_call_context,
  custom_context,
  thread_id,
  message_id,
  message_body,
  message_type,
  sender_display_name,
  display_name,
  status,
  version,
  duration_ms,
  duration_s,
  occurred_at,
  created_at,
};

struct key_slot {
  std::string_view key;
  slot target;
};

// One pass over `data` members, each matched here case-insensitively: O(members), no
// per-field lookups. Keys from the ACS Event Grid schemas (docs: communication-services-*-events).
constexpr std::array<key_slot, 43> keys{{
    {"to", slot::to},
    {"from", slot::from},
    {"senderCommunicationIdentifier", slot::sender},
    {"senderId", slot::sender_id},
    {"recipientCommunicationIdentifier", slot::recipient},
    {"recipientId", slot::recipient_id},
    {"user", slot::user},
    {"participantAdded", slot::participant_added},
    {"participantRemoved", slot::participant_removed},
    {"startedBy", slot::actor},
    {"createdByCommunicationIdentifier", slot::actor},
    {"addedByCommunicationIdentifier", slot::actor},
    {"removedByCommunicationIdentifier", slot::actor},
    {"editedByCommunicationIdentifier", slot::actor},
    {"deletedByCommunicationIdentifier", slot::actor},
    {"createdBy", slot::actor_id},
    {"editedBy", slot::actor_id},
    {"deletedBy", slot::actor_id},
    {"correlationId", slot::correlation_id},
    {"serverCallId", slot::server_call_id},
    {"callerDisplayName", slot::caller_display_name},
    {"incomingCallContext", slot::incoming_call_context},
    {"customContext", slot::custom_context},
    {"threadId", slot::thread_id},
    {"messageId", slot::message_id},
    {"messageBody", slot::message_body},
    {"message", slot::message_body},
    {"type", slot::message_type},
    {"senderDisplayName", slot::sender_display_name},
    {"displayName", slot::display_name},
    {"status", slot::status},
    {"deliveryStatus", slot::status},
    {"version", slot::version},
    {"recordingDurationMs", slot::duration_ms},
    {"durationOfCall", slot::duration_s},
    {"editTime", slot::occurred_at},
    {"deleteTime", slot::occurred_at},
    {"time", slot::occurred_at},
    {"receivedTimestamp", slot::occurred_at},
    {"deliveryAttemptTimestamp", slot::occurred_at},
    {"recordingStartTime", slot::occurred_at},
    {"composeTime", slot::created_at},
    {"createTime", slot::created_at},
}};

/// The keys of each length (indexes into `keys`): a member's name is compared only with the
/// few keys as long as it, not all 43.
struct keys_of_length {
  std::array<std::uint8_t, 6> index{};
  std::uint8_t count = 0;
};
constexpr std::size_t longest_key = 32;
constexpr auto keys_by_length = [] {
  std::array<keys_of_length, longest_key + 1> table{};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys_of_length& same = table[keys[i].key.size()]; // fails to compile if a key is longer
    same.index[same.count++] = static_cast<std::uint8_t>(i);
  }
  return table;
}();

const key_slot* match(std::string_view name) noexcept {
  if (name.empty() || name.size() > longest_key) {
    return nullptr;
  }
  // Length, then first letter (ASCII, any case), rule out nearly every key before comparing.
  const keys_of_length& candidates = keys_by_length[name.size()];
  const char first = static_cast<char>(name.front() | 0x20);
  for (std::uint8_t i = 0; i < candidates.count; ++i) {
    const key_slot& k = keys[candidates.index[i]];
    if ((k.key.front() | 0x20) == first && json::iequals(k.key, name)) {
      return &k;
    }
  }
  return nullptr;
}

bool is_sms(acs_event_type t) noexcept {
  return t == acs_event_type::sms_received || t == acs_event_type::sms_delivery_report_received;
}

/// The state of one identifier member while reading: value, or the problem found.
struct identifier_slot {
  std::optional<communication_identifier> value;
  std::optional<error> problem;
  bool from_object = false;
};

class reader {
public:
  reader(acs_event_type type, acs_event& out, std::shared_ptr<const void> owner)
      : type_{type}, out_{out}, owner_{std::move(owner)} {}

  void read(const json::value& data) {
    for (auto it = data.MemberBegin(); it != data.MemberEnd(); ++it) {
      if (const key_slot* k = match(json::view(it->name))) {
        take(*k, it->value);
      }
    }
  }

  identifier_slot to_, from_, sender_, recipient_, participant_, actor_;
  bool bad_call_id_ = false;

private:
  void warn(errc code, std::string_view key, std::string message) {
    out_.warnings.push_back(error{code, "data." + std::string{key}, std::move(message), -1});
  }

  /// Identifier from an object (preferred) or a bare rawId string (fallback).
  void identifier(identifier_slot& s, std::string_view key, const json::value& v,
                  bool object_form) {
    if (s.from_object && !object_form) {
      return; // the `…CommunicationIdentifier` object already gave it
    }
    if (v.IsNull()) {
      return;
    }
    if (is_sms(type_) && v.IsString()) {
      // SMS writes phone numbers bare, with or without `+` (eventgrid-SMSReceived-1).
      const std::string_view s_view = json::view(v);
      std::string raw = s_view.substr(0, 2) == "4:" ? std::string{} : std::string{"4:"};
      raw += s_view;
      s.value = communication_identifier::from_raw_id(raw);
      s.problem.reset();
      return;
    }
    auto r = parse_communication_identifier(v);
    if (!r) {
      error e = r.error();
      e.field = "data." + std::string{key} + (e.field.empty() ? "" : "." + e.field);
      s.problem = std::move(e);
      return;
    }
    s.value = std::move(r).value();
    s.problem.reset();
    s.from_object = object_form;
  }

  /// A participant wrapper: `{participantCommunicationIdentifier, displayName}`.
  void participant_wrapper(std::string_view key, const json::value& v) {
    const auto* id = json::find(v, "participantCommunicationIdentifier");
    if (!id) {
      participant_.problem =
          error{errc::missing_field,
                "data." + std::string{key} + ".participantCommunicationIdentifier", "missing", -1};
      return;
    }
    identifier(participant_, std::string{key} + ".participantCommunicationIdentifier", *id, true);
    if (const auto* name = json::find(v, "displayName")) {
      text(out_.display_name, key, *name);
    }
  }

  bool text(shared_text& dst, std::string_view key, const json::value& v) {
    if (v.IsString()) {
      dst = shared_text{owner_, json::view(v)}; // a view, no copy
      return true;
    }
    if (v.IsNumber()) {
      dst = shared_text{json::scalar_text(v).value_or(std::string{})};
      return true;
    }
    if (!v.IsNull()) {
      warn(errc::invalid_field, key, "must be a string, not " + std::string{json::type_name(v)});
      return false;
    }
    return true;
  }

  void time(std::optional<std::chrono::system_clock::time_point>& dst, std::string_view key,
            const json::value& v) {
    if (v.IsNull()) {
      return;
    }
    if (auto t = parse_rfc3339(json::view(v))) {
      dst = t;
      return;
    }
    warn(errc::invalid_field, key, "not an RFC 3339 timestamp");
  }

  void video(const json::value& custom_context) {
    const auto* headers = json::find(custom_context, "voipHeaders");
    const auto* flag = headers ? json::find(*headers, "video") : nullptr;
    if (!flag) {
      return;
    }
    const std::string_view s = json::view(*flag);
    out_.video = flag->IsTrue() || s == "1" || json::iequals(s, "true") || json::iequals(s, "yes");
  }

  void take(const key_slot& k, const json::value& v) {
    switch (k.target) {
    case slot::to:
      return identifier(to_, k.key, v, true);
    case slot::from:
      return identifier(from_, k.key, v, true);
    case slot::sender:
      return identifier(sender_, k.key, v, true);
    case slot::sender_id:
      return identifier(sender_, k.key, v, false);
    case slot::recipient:
      return identifier(recipient_, k.key, v, true);
    case slot::recipient_id:
      return identifier(recipient_, k.key, v, false);
    case slot::user:
      return identifier(participant_, k.key, v, true);
    case slot::participant_added:
    case slot::participant_removed:
      return participant_wrapper(k.key, v);
    case slot::actor:
      return identifier(actor_, k.key, v, true);
    case slot::actor_id:
      return identifier(actor_, k.key, v, false);
    case slot::correlation_id:
      bad_call_id_ |= !text(out_.correlation_id, k.key, v);
      return;
    case slot::server_call_id:
      bad_call_id_ |= !text(out_.server_call_id, k.key, v);
      return;
    case slot::caller_display_name:
      text(out_.caller_display_name, k.key, v);
      return;
    case slot::incoming_call_context:
      text(out_.incoming_call_context, k.key, v);
      return;
    case slot::custom_context:
      return video(v);
    case slot::thread_id:
      text(out_.thread_id, k.key, v);
      return;
    case slot::message_id:
      text(out_.message_id, k.key, v);
      return;
    case slot::message_body:
      text(out_.message_body, k.key, v);
      return;
    case slot::message_type:
      text(out_.message_type, k.key, v);
      return;
    case slot::sender_display_name:
      text(out_.sender_display_name, k.key, v);
      return;
    case slot::display_name:
      text(out_.display_name, k.key, v);
      return;
    case slot::status:
      text(out_.status, k.key, v);
      return;
    case slot::version:
    case slot::duration_ms:
      return integer(k.target == slot::version ? out_.version : out_.duration_ms, k.key, v);
    case slot::duration_s:
      if (v.IsNumber() && std::isfinite(v.GetDouble()) && v.GetDouble() >= 0 &&
          v.GetDouble() < 1e12) {
        out_.duration_ms = static_cast<std::int64_t>(std::llround(v.GetDouble() * 1000.0));
      } else if (!v.IsNull()) {
        warn(errc::invalid_field, k.key, "must be a non-negative number of seconds");
      }
      return;
    case slot::occurred_at:
      return time(out_.occurred_at, k.key, v);
    case slot::created_at:
      return time(out_.created_at, k.key, v);
    }
  }

  void integer(std::optional<std::int64_t>& dst, std::string_view key, const json::value& v) {
    if (v.IsNull()) {
      return;
    }
    if (auto n = json::integer(v)) {
      dst = n;
      return;
    }
    warn(errc::invalid_field, key, "must be an integer or a decimal string");
  }

  acs_event_type type_;
  acs_event& out_;
  std::shared_ptr<const void> owner_; ///< Keeps the text `out_` views alive (or null).
};

/// Moves a read identifier into the event; a problem becomes a warning (or the caller's fault).
void settle(identifier_slot& s, std::optional<communication_identifier>& dst,
            std::vector<error>& warnings) {
  if (s.value) {
    dst = std::move(s.value);
  } else if (s.problem) {
    warnings.push_back(*s.problem);
  }
}

error missing(std::string field, std::string message) {
  return error{errc::missing_field, std::move(field), std::move(message), -1};
}

/// A required identifier: its problem, or "missing".
std::optional<error> require(const identifier_slot& s, std::string_view field) {
  if (s.value) {
    return std::nullopt;
  }
  if (s.problem) {
    return s.problem;
  }
  return missing("data." + std::string{field}, "required for this event type");
}

} // namespace

std::optional<error> read_acs_event(acs_event_type type, const json::value& data, acs_event& out,
                                    std::shared_ptr<const void> owner) {
  out.type = type;
  if (!data.IsObject()) {
    return error{errc::invalid_field, "data",
                 "must be an object, not " + std::string{json::type_name(data)}, -1};
  }
  reader r{type, out, std::move(owner)};
  r.read(data);

  std::optional<error> fault;
  const bool has_call_id = !out.correlation_id.empty() || !out.server_call_id.empty();
  const auto need_call_id = [&]() -> std::optional<error> {
    if (has_call_id) {
      return std::nullopt;
    }
    return error{r.bad_call_id_ ? errc::invalid_field : errc::missing_field, "data.correlationId",
                 "correlationId or serverCallId is required", -1};
  };
  switch (type) {
  case acs_event_type::incoming_call:
    fault = require(r.to_, "to");
    if (!fault) {
      fault = need_call_id();
    }
    break;
  case acs_event_type::call_ended:
    fault = need_call_id();
    break;
  case acs_event_type::call_participant_added:
    fault = require(r.participant_, "user");
    if (!fault) {
      fault = need_call_id();
    }
    break;
  default:
    if (catalog_entry(type).policy == push_policy::chat_alert) {
      fault = require(r.recipient_, "recipientCommunicationIdentifier");
    }
    break;
  }
  if (fault) {
    return fault;
  }
  settle(r.to_, out.to, out.warnings);
  settle(r.from_, out.from, out.warnings);
  settle(r.sender_, out.sender, out.warnings);
  settle(r.recipient_, out.recipient, out.warnings);
  settle(r.participant_, out.participant, out.warnings);
  settle(r.actor_, out.actor, out.warnings);

  if (catalog_entry(type).policy == push_policy::chat_alert) {
    if (!json::flatten(data, out.fields)) {
      out.warnings.push_back(
          error{errc::too_large, "data", "too deep or too many fields; fields truncated", -1});
    }
  }
  return std::nullopt;
}

result<acs_event> parse_acs_event(acs_event_type type, const json::value& data) {
  acs_event out;
  if (auto fault = read_acs_event(type, data, out)) {
    return *std::move(fault);
  }
  return out;
}

result<acs_event> parse_acs_event_json(std::string_view type_name, std::string_view data_json) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
      data_json.data(), data_json.size());
  if (doc->HasParseError()) {
    return error{errc::malformed_json, "data", "not valid JSON", -1};
  }
  acs_event out;
  const json::value& data = *doc;
  if (auto fault = read_acs_event(lookup_event_type(type_name).type, data, out, std::move(doc))) {
    return *std::move(fault);
  }
  return out;
}

} // namespace herald::protocol
