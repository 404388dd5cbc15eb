#pragma once

namespace herald::protocol {

/// Value of one hexadecimal digit (either case), or -1 when `c` is not one.
[[nodiscard]] constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

static_assert(hex_digit_value('7') == 7 && hex_digit_value('b') == 11 &&
              hex_digit_value('F') == 15 && hex_digit_value('g') == -1);

} // namespace herald::protocol
