#include "app/config_duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace herald::app {
namespace {

struct unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Longest suffix first so that "ms" is not read as "m" followed by garbage.
constexpr std::array units{unit{"ms", 1}, unit{"s", 1'000}, unit{"m", 60'000}, unit{"h", 3'600'000},
                           unit{"d", 86'400'000}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

config_result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) {
    return config_failure("", "empty duration; write it like \"30s\", \"5m\" or \"250ms\"");
  }
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      return config_failure("", "not a duration: " + quoted +
                                    " (expected <number><unit>, units ms, s, m, h, d)");
    }
    std::int64_t number = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      const int digit = text[i] - '0';
      if (number > (max - digit) / 10) {
        return config_failure("", "duration too large: " + quoted);
      }
      number = number * 10 + digit;
    }
    const unit* found = nullptr;
    for (const auto& u : units) {
      if (text.substr(i, u.suffix.size()) == u.suffix) {
        found = &u;
        break;
      }
    }
    if (found == nullptr) {
      return config_failure("",
                            "missing or unknown unit in " + quoted + " (units: ms, s, m, h, d)");
    }
    i += found->suffix.size();
    if (number > (max - total) / found->millis) {
      return config_failure("", "duration too large: " + quoted);
    }
    total += number * found->millis;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  for (auto it = units.rbegin(); it != units.rend(); ++it) {
    if (ms != 0 && ms % it->millis == 0) {
      return std::to_string(ms / it->millis) + std::string(it->suffix);
    }
  }
  return std::to_string(ms) + "ms";
}

} // namespace herald::app
