#include "protocol/event_envelope.hpp"

#include "protocol/rfc3339.hpp"

namespace herald::protocol {

result<std::string_view> required_string(const json::value& event, std::string_view name,
                                         int index) {
  return required_string(json::find(event, name), name, index);
}

result<std::string_view> required_string(const json::value* v, std::string_view name, int index) {
  if (!v || v->IsNull()) {
    return error{errc::missing_field, std::string{name}, "required", index};
  }
  if (!v->IsString()) {
    return error{errc::invalid_field, std::string{name},
                 "must be a string, not " + std::string{json::type_name(*v)}, index};
  }
  if (v->GetStringLength() == 0) {
    return error{errc::invalid_field, std::string{name}, "must not be empty", index};
  }
  return json::view(*v);
}

void read_envelope_time(event_envelope& env, const json::value& event, std::string_view name,
                        bool required, int index) {
  read_envelope_time(env, json::find(event, name), name, required, index);
}

void read_envelope_time(event_envelope& env, const json::value* v, std::string_view name,
                        bool required, int index) {
  if (!v || v->IsNull()) {
    if (required) {
      env.warnings.push_back(error{errc::missing_field, std::string{name}, "missing", index});
    }
    return;
  }
  env.time = parse_rfc3339(json::view(*v));
  if (!env.time) {
    env.warnings.push_back(
        error{errc::invalid_field, std::string{name}, "not an RFC 3339 timestamp", index});
  }
}

} // namespace herald::protocol
