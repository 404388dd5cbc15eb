#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace herald::protocol {

/// Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in
/// IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7) turned into a delay
/// from `now` (a date in the past gives 0 s). Empty or unparsable values give nullopt; delays
/// are capped at one day so a hostile peer cannot park a notification forever.
[[nodiscard]] std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

} // namespace herald::protocol
