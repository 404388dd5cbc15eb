#include "protocol/redact.hpp"

#include <algorithm>

namespace herald::protocol {

std::string redact_token(std::string_view token) {
  constexpr std::size_t max_prefix = 6;
  const std::size_t keep = std::min(max_prefix, token.size() / 4);
  std::string out;
  out.reserve(keep + 16);
  for (const char c : token.substr(0, keep)) {
    // Keep the log line plain ASCII whatever the token holds.
    out += (c >= 0x21 && c <= 0x7e) ? c : '?';
  }
  out += "\u2026(";
  out += std::to_string(token.size());
  out += ')';
  return out;
}

std::string redact_secret(std::string_view /*secret*/) {
  return "***";
}

} // namespace herald::protocol
