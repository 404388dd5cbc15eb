#include "protocol/event_envelope.hpp"

namespace herald::protocol {

result<event_envelope> read_cloud_event(const json::value& event, int index) {
  if (!event.IsObject()) {
    return error{errc::wrong_shape, "",
                 "event must be an object, not " + std::string{json::type_name(event)}, index};
  }
  auto version = required_string(event, "specversion", index);
  if (!version) {
    return version.error();
  }
  if (version.value() != "1.0") {
    return error{errc::unsupported, "specversion",
                 "only CloudEvents 1.0 is supported, got " + std::string{version.value()}, index};
  }
  event_envelope env;
  for (auto [name, dst] :
       {std::pair{"id", &env.id}, std::pair{"source", &env.source}, std::pair{"type", &env.type}}) {
    auto v = required_string(event, name, index);
    if (!v) {
      return v.error();
    }
    *dst = v.value();
  }
  if (const auto* subject = json::find(event, "subject"); subject && subject->IsString()) {
    env.subject = json::view(*subject);
  }
  read_envelope_time(env, event, "time", false, index);
  if (const auto* data = json::find(event, "data"); data && !data->IsNull()) {
    env.data = data;
  }
  // JSON format section 3.1: binary data travels in `data_base64`; ACS never sends it.
  if (json::find(event, "data_base64")) {
    env.data_problem =
        error{errc::unsupported, "data_base64", "binary event data is not supported", index};
  }
  if (const auto* ct = json::find(event, "datacontenttype"); ct && ct->IsString()) {
    const std::string_view media = json::view(*ct).substr(0, json::view(*ct).find(';'));
    const bool is_json = media.find("json") != std::string_view::npos;
    if (!is_json) {
      env.data_problem = error{errc::unsupported, "datacontenttype",
                               "data is not JSON: " + std::string{json::view(*ct)}, index};
    }
  }
  return env;
}

} // namespace herald::protocol
