#include "protocol/retry_after.hpp"

#include <array>
#include <charconv>

namespace herald::protocol {

namespace {

constexpr std::chrono::seconds max_delay = std::chrono::hours{24};

std::optional<int> number(std::string_view s) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

std::optional<std::chrono::system_clock::time_point> imf_fixdate(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed widths at fixed offsets.
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned i = 0; i < months.size(); ++i) {
    if (s.substr(8, 3) == months[i]) {
      month = i + 1;
    }
  }
  const auto day = number(s.substr(5, 2));
  const auto year = number(s.substr(12, 4));
  const auto hh = number(s.substr(17, 2));
  const auto mm = number(s.substr(20, 2));
  const auto ss = number(s.substr(23, 2));
  if (month == 0 || !day || !year || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*year}, std::chrono::month{month},
                                        std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{ymd} + std::chrono::hours{*hh} + std::chrono::minutes{*mm} +
         std::chrono::seconds{*ss};
}

} // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) {
      return max_delay;
    }
    return std::min(std::chrono::seconds{*number(value)}, max_delay);
  }
  const auto at = imf_fixdate(value);
  if (!at) {
    return std::nullopt;
  }
  if (*at <= now) {
    return std::chrono::seconds{0};
  }
  // Round up: retrying a fraction of a second early would just be refused again.
  const auto delay = std::chrono::ceil<std::chrono::seconds>(*at - now);
  return std::min(delay, max_delay);
}

} // namespace herald::protocol
