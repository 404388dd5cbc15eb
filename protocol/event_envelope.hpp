#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/json_access.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// The envelope attributes of one event, schema-neutral (Event Grid or CloudEvents), as views
/// into the parsed document: valid only while that document and its buffer live.
/// Internal to `decode_batch`; exposed for its two readers and their tests.
struct event_envelope {
  std::string_view id;
  std::string_view type;
  std::string_view source; ///< CloudEvents `source`, Event Grid `topic`.
  std::string_view subject;
  std::optional<std::chrono::system_clock::time_point> time;
  const json::value* data = nullptr; ///< Null when absent or JSON null.
  /// Set when the event carries data that is not JSON (CloudEvents `data_base64`, or a
  /// non-JSON `datacontenttype`): ACS events are JSON, such data cannot be read.
  std::optional<error> data_problem;
  std::vector<error> warnings; ///< Lenient fields that were missing or odd.
};

/// Reads one Event Grid schema event (docs: event-grid/event-schema). `id` and `eventType`
/// are required non-empty strings (a failure fails the batch); `subject`, `eventTime` and
/// `dataVersion` are required by the schema but Event Grid stamps defaults on publish, so their
/// absence is a warning. `index` goes into every error.
[[nodiscard]] result<event_envelope> read_event_grid_event(const json::value& event, int index);

/// Reads one CloudEvents 1.0 event in JSON format (CloudEvents spec section 3.1, JSON format
/// section 3): `specversion` must be "1.0"; `id`, `source`, `type` are required non-empty
/// strings; `time` is optional RFC 3339 (a bad one is a warning).
[[nodiscard]] result<event_envelope> read_cloud_event(const json::value& event, int index);

/// Shared by both readers: a required non-empty string attribute.
[[nodiscard]] result<std::string_view> required_string(const json::value& event,
                                                       std::string_view name, int index);
/// `required_string` of the attribute `name` already looked up (`value`, null when absent).
[[nodiscard]] result<std::string_view> required_string(const json::value* value,
                                                       std::string_view name, int index);

/// Shared by both readers: an RFC 3339 time attribute into `env.time`; absence (when
/// `required`) and bad values become warnings.
void read_envelope_time(event_envelope& env, const json::value& event, std::string_view name,
                        bool required, int index);
/// `read_envelope_time` of the attribute `name` already looked up (`value`, null when absent).
void read_envelope_time(event_envelope& env, const json::value* value, std::string_view name,
                        bool required, int index);

} // namespace herald::protocol
