#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace herald::bench {

/// A blocking HTTP/1.1 GET to a mock's admin port (Boost.Beast, fresh connection, no body
/// size limit: `/arrivals` of a long run is tens of MB). Returns the body of a 2xx reply, or
/// nullopt. Threading: any thread; blocks up to `timeout_s`.
[[nodiscard]] std::optional<std::string> admin_get(const std::string& host, std::uint16_t port,
                                                   const std::string& target, int timeout_s = 30);

/// Splits `http://host:port` or `host:port`; false if malformed.
[[nodiscard]] bool parse_host_port(std::string text, std::string& host, std::uint16_t& port);

} // namespace herald::bench
