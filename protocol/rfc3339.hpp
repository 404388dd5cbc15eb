#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace herald::protocol {

/// Parses an RFC 3339 `date-time` (section 5.6): `2021-02-19T16:54:42.8622646-08:00`,
/// `...Z`, `...+00:00`. Fractional seconds of any length are accepted; digits past
/// nanoseconds are ignored. `t`/`z` in lower case and a space instead of `T` are accepted
/// (RFC 3339 section 5.6, note on ISO 8601). A leap second (`:60`) is folded into the next
/// second. Years outside 1700..2200 are rejected: a nanosecond `system_clock` cannot hold
/// much beyond them. nullopt for anything else. No allocation, no locale.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(std::string_view text) noexcept;

} // namespace herald::protocol
