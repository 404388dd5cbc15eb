#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "app/config_error.hpp"

namespace herald::app {

/// Parses a configuration duration: one or more `<integer><unit>` parts with the units
/// `ms`, `s`, `m`, `h`, `d` (`"250ms"`, `"30s"`, `"1h30m"`, `"180d"`).
///
/// A bare number is rejected on purpose: `"30"` could mean seconds or milliseconds, and a
/// wrong guess is silent. Negative values and results beyond about 290 years are rejected.
/// The error has an empty key; the caller names the key.
[[nodiscard]] config_result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Formats a duration back into the largest exact unit (`"180d"`, `"90s"`, `"250ms"`).
[[nodiscard]] std::string format_duration(std::chrono::milliseconds d);

} // namespace herald::app
