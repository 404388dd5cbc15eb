#include "protocol/event_envelope.hpp"

namespace herald::protocol {

result<event_envelope> read_event_grid_event(const json::value& event, int index) {
  if (!event.IsObject()) {
    return error{errc::wrong_shape, "",
                 "event must be an object, not " + std::string{json::type_name(event)}, index};
  }
  event_envelope env;
  auto id = required_string(event, "id", index);
  if (!id) {
    return id.error();
  }
  env.id = id.value();
  auto type = required_string(event, "eventType", index);
  if (!type) {
    error e = type.error();
    if (json::find(event, "specversion")) {
      e.message += " (this looks like a CloudEvent: send Content-Type "
                   "application/cloudevents+json)";
    }
    return e;
  }
  env.type = type.value();
  if (const auto* topic = json::find(event, "topic")) {
    env.source = json::view(*topic);
  }
  if (const auto* subject = json::find(event, "subject"); subject && subject->IsString()) {
    env.subject = json::view(*subject);
  } else {
    env.warnings.push_back(error{subject ? errc::invalid_field : errc::missing_field, "subject",
                                 subject ? "must be a string" : "missing", index});
  }
  read_envelope_time(env, event, "eventTime", true, index);
  if (!json::find(event, "dataVersion")) {
    // Event Grid stamps an empty dataVersion when a publisher omits it (event-schema docs).
    env.warnings.push_back(error{errc::missing_field, "dataVersion", "missing", index});
  }
  if (const auto* data = json::find(event, "data"); data && !data->IsNull()) {
    env.data = data;
  }
  return env;
}

} // namespace herald::protocol
