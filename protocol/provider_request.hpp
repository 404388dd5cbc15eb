#pragma once

#include <string>
#include <utility>
#include <vector>

namespace herald::protocol {

/// One HTTP request to a push provider, fully encoded except the connection-level authority
/// and scheme (the sender's connection supplies them). Header names are lower-case (HTTP/2).
struct provider_request {
  std::string method = "POST";
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Value of the first header with this (lower-case) name, or empty.
  [[nodiscard]] const std::string& header(const std::string& name) const;
};

/// A provider's HTTP response as the transport saw it.
struct provider_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Value of the first header with this (lower-case) name, or empty.
  [[nodiscard]] const std::string& header(const std::string& name) const;
};

} // namespace herald::protocol
