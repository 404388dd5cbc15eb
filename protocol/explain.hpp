#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/envelope.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Guesses how a webhook body saved to a file is framed (a file has no Content-Type): a JSON
/// array whose first element is an object with `specversion` is a CloudEvents batch, an object
/// with `specversion` a single CloudEvent, anything else (including text that is not JSON, so
/// that `decode_batch` reports it) Event Grid schema.
[[nodiscard]] content_kind detect_content_kind(std::string_view body);

/// What `herald explain FILE` prints: `body` decoded as `kind` (see `decode_batch`), then, for
/// every intent, the exact provider request Herald would send to one fake registration per
/// platform (apns, apns-voip, fcm, wns; app `explain`, bundle `com.example.app`, FCM project
/// `example-project`, WNS channel `https://db5.notify.windows.com/?token=fake`), with `now` for
/// the expiry headers. Pretty JSON:
/// `{"schema", "validation"?: {"code", "url"?}, "events": [{"id", "type", "source", "subject",
/// "time"?, "known", "fault"?, "warnings": [...], "intents": [{"kind", "recipient", "lane",
/// call or chat facts, "requests": [{"platform", "authority", "method", "path", "headers",
/// "body"} or {"platform", "error"}]}]}]}`. A request body that is JSON is embedded as JSON,
/// anything else (a WNS toast) as a string. No authorization headers: those need credentials.
/// Errors: those of `decode_batch` (the whole body is unusable). Pure; thread-safe.
[[nodiscard]] result<std::string> explain(std::string_view body, content_kind kind,
                                          std::chrono::system_clock::time_point now);

} // namespace herald::protocol
