#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/config_error.hpp"

namespace herald::app {

/// A provider URL split for the HTTP/2 client: `https://api.push.apple.com:443`.
///
/// `https` means TLS with ALPN h2; `http` means cleartext HTTP/2 with prior knowledge (h2c,
/// RFC 9113 section 3.3), which only the mock providers in tests and benchmarks speak.
struct endpoint {
  std::string scheme = "https"; ///< `https` or `http`.
  std::string host;             ///< Name or address, IPv6 without brackets.
  std::uint16_t port = 443;
  std::string path; ///< Empty for an origin; `/token` for a token endpoint.

  /// True when the connection must use TLS.
  [[nodiscard]] bool tls() const noexcept { return scheme == "https"; }
  /// The URL again, with the port always written (`https://host:443/path`).
  [[nodiscard]] std::string to_string() const;
};

/// A socket address to listen on: `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`.
struct listen_address {
  std::string host = "127.0.0.1"; ///< Address literal or name, IPv6 without brackets.
  std::uint16_t port = 0;         ///< 0 asks the system for an ephemeral port (tests).

  /// `host:port`, with brackets around IPv6 addresses.
  [[nodiscard]] std::string to_string() const;
};

/// Parses `scheme://host[:port][/path]`; the port defaults to 443 (https) or 80 (http).
/// The error has an empty key; the caller names the key.
[[nodiscard]] config_result<endpoint> parse_endpoint(std::string_view text);

/// Parses `host:port` (the port is required; brackets for IPv6).
/// The error has an empty key; the caller names the key.
[[nodiscard]] config_result<listen_address> parse_listen_address(std::string_view text);

} // namespace herald::app
