#pragma once

#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace herald::protocol {

/// Where an absolute `https://` URL points: the HTTP/2 `:authority` and `:path`.
struct https_target {
  std::string authority; ///< Host, plus `:port` when the URL names one.
  std::string host;      ///< Host alone, lower-cased.
  std::string path;      ///< Path and query, at least `/`.
};

/// Splits an absolute https URL (RFC 3986 §3). Fails (`errc::invalid_field` on `field`) for
/// another scheme, userinfo, an empty host, a fragment, or whitespace/control characters.
[[nodiscard]] result<https_target> split_https_url(std::string_view url, std::string field);

} // namespace herald::protocol
