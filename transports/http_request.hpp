#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::transports {

/// One HTTP request as the server hands it to a handler: plain data, no socket.
///
/// `target` is the request-target exactly as received; `path` and `query` are its two halves
/// split at the first `?`, both still percent-encoded (decode path segments with
/// `percent_decode` after splitting them, so an encoded `/` stays inside its segment).
struct http_request {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  /// Header fields in arrival order, names lower-cased (HTTP field names are
  /// case-insensitive, RFC 9110 section 5.1), values as received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Peer address, `ip:port` (`[v6]:port` for IPv6).
  std::string remote;

  /// Value of the first header with this lower-case name, or null when absent.
  [[nodiscard]] const std::string* header(std::string_view lower_name) const;

  /// Percent-decoded value of the first query parameter with this (decoded) name, or nullopt
  /// when absent. `+` decodes to a space, as in application/x-www-form-urlencoded (WHATWG URL
  /// standard, section 5.1); a parameter without `=` has an empty value.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`). A malformed escape is
/// kept literally, as the WHATWG URL standard's percent-decode does.
[[nodiscard]] std::string percent_decode(std::string_view in, bool plus_as_space = false);

} // namespace herald::transports
