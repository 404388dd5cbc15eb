#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::transports {

/// One HTTP response a handler gives back through its `http_responder`: plain data.
///
/// The server adds `Date`, `Server`, `Content-Length` and `Connection` itself; a handler sets
/// only what is specific to its answer (`content-type`, `retry-after`, ...).
struct http_response {
  int status = 200;
  /// Header fields to send, in order. Names are case-insensitive on the wire.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// An `application/problem+json` answer (RFC 9457): `title` is the short, fixed summary of
  /// the problem type, `detail` explains this occurrence, `field` (when not empty) is an
  /// extension member naming the offending input field.
  [[nodiscard]] static http_response problem(int status, std::string_view title,
                                             std::string_view detail, std::string_view field = {});

  /// 405 problem+json with the `Allow` header set to `allow` (e.g. "GET, PUT").
  [[nodiscard]] static http_response method_not_allowed(std::string allow);

  /// 503 problem+json with `Retry-After: retry_after_seconds`: the client should retry later
  /// (Event Grid retries 503; it never retries 400/413).
  [[nodiscard]] static http_response unavailable(std::string_view detail,
                                                 int retry_after_seconds = 1);

  /// An `application/json` answer with an already-encoded body.
  [[nodiscard]] static http_response json(int status, std::string body);

  /// Value of the first header with this name (compared case-insensitively), or null.
  [[nodiscard]] const std::string* header(std::string_view name) const;
};

/// Appends `in` to `out` as the contents of a JSON string (RFC 8259 section 7 escapes).
void append_json_escaped(std::string& out, std::string_view in);

} // namespace herald::transports
