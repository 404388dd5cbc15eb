#include "protocol/event_envelope.hpp"

namespace herald::protocol {

namespace {

/// The envelope members of one Event Grid event, each the first whose name matches in any
/// case (as `json::find` would find it), null when absent.
struct grid_members {
  const json::value* id = nullptr;
  const json::value* event_type = nullptr;
  const json::value* topic = nullptr;
  const json::value* subject = nullptr;
  const json::value* event_time = nullptr;
  const json::value* data_version = nullptr;
  const json::value* data = nullptr;
  const json::value* specversion = nullptr;
};

/// One pass over the members instead of one `json::find` per attribute (eight scans).
grid_members scan_members(const json::value& event) noexcept {
  grid_members m;
  for (auto it = event.MemberBegin(); it != event.MemberEnd(); ++it) {
    const std::string_view name = json::view(it->name);
    const json::value** slot = nullptr;
    switch (name.size()) { // length first: it tells every name here but two pairs apart
    case 2:
      slot = json::iequals(name, "id") ? &m.id : nullptr;
      break;
    case 4:
      slot = json::iequals(name, "data") ? &m.data : nullptr;
      break;
    case 5:
      slot = json::iequals(name, "topic") ? &m.topic : nullptr;
      break;
    case 7:
      slot = json::iequals(name, "subject") ? &m.subject : nullptr;
      break;
    case 9:
      slot = json::iequals(name, "eventType")   ? &m.event_type
             : json::iequals(name, "eventTime") ? &m.event_time
                                                : nullptr;
      break;
    case 11:
      slot = json::iequals(name, "dataVersion")   ? &m.data_version
             : json::iequals(name, "specversion") ? &m.specversion
                                                  : nullptr;
      break;
    default:
      break;
    }
    if (slot && !*slot) {
      *slot = &it->value;
    }
  }
  return m;
}

} // namespace

result<event_envelope> read_event_grid_event(const json::value& event, int index) {
  if (!event.IsObject()) {
    return error{errc::wrong_shape, "",
                 "event must be an object, not " + std::string{json::type_name(event)}, index};
  }
  const grid_members m = scan_members(event);
  event_envelope env;
  auto id = required_string(m.id, "id", index);
  if (!id) {
    return id.error();
  }
  env.id = id.value();
  auto type = required_string(m.event_type, "eventType", index);
  if (!type) {
    error e = type.error();
    if (m.specversion) {
      e.message += " (this looks like a CloudEvent: send Content-Type "
                   "application/cloudevents+json)";
    }
    return e;
  }
  env.type = type.value();
  if (m.topic) {
    env.source = json::view(*m.topic);
  }
  if (m.subject && m.subject->IsString()) {
    env.subject = json::view(*m.subject);
  } else {
    env.warnings.push_back(error{m.subject ? errc::invalid_field : errc::missing_field, "subject",
                                 m.subject ? "must be a string" : "missing", index});
  }
  read_envelope_time(env, m.event_time, "eventTime", true, index);
  if (!m.data_version) {
    // Event Grid stamps an empty dataVersion when a publisher omits it (event-schema docs).
    env.warnings.push_back(error{errc::missing_field, "dataVersion", "missing", index});
  }
  if (m.data && !m.data->IsNull()) {
    env.data = m.data;
  }
  return env;
}

} // namespace herald::protocol
