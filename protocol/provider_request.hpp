#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/header_list.hpp"

namespace herald::protocol {

/// One HTTP request to a push provider, fully encoded except the connection-level authority
/// and scheme (the sender's connection supplies them). Header names are lower-case (HTTP/2).
struct provider_request {
  std::string method = "POST";
  std::string path;
  header_list headers; ///< In one buffer: see `header_list`.
  std::string body;

  /// Value of the first header with this (lower-case) name, or empty; a view into `headers`.
  [[nodiscard]] std::string_view header(std::string_view name) const noexcept {
    return headers.find(name);
  }
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
