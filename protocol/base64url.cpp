#include "protocol/base64url.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

namespace herald::protocol {

namespace {

error bad_base64(std::string message) {
  return error{errc::invalid_field, {}, "invalid base64: " + std::move(message)};
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0'); // + NUL written by OpenSSL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return out;
}

namespace {

/// Value of each base64 / base64url digit (both alphabets, RFC 4648 §4 and §5); 64 = not one.
constexpr std::array<std::uint8_t, 256> base64_digits = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(64);
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<std::uint8_t>(i);
    t['a' + i] = static_cast<std::uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) {
    t['0' + i] = static_cast<std::uint8_t>(52 + i);
  }
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

/// Length of `text` without its trailing `=` padding, or npos when the padding or the length
/// is impossible. Padding is optional (RFC 7515 §2 drops it) but, when present, completes the
/// last quantum exactly.
std::size_t unpadded_length(std::string_view text) noexcept {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') {
    --end;
  }
  const std::size_t padding = text.size() - end;
  if (padding > 2 || end % 4 == 1 || (padding != 0 && text.size() % 4 != 0)) {
    return std::string_view::npos;
  }
  return end;
}

} // namespace

bool is_base64(std::string_view text) noexcept {
  const std::size_t end = unpadded_length(text);
  if (end == std::string_view::npos) {
    return false;
  }
  std::uint8_t bad = 0; // any digit's "not base64" bit (64)
  for (std::size_t i = 0; i < end; ++i) {
    bad |= base64_digits[static_cast<unsigned char>(text[i])];
  }
  return (bad & 64) == 0;
}

result<std::string> base64url_decode(std::string_view text) {
  // One table-driven pass with no intermediate copy: decoding the ~1.2 KB incomingCallContext
  // payload of every ring is on the hot path of encode_apns.
  const std::size_t end = unpadded_length(text);
  if (end == std::string_view::npos) {
    return bad_base64("impossible length or misplaced padding");
  }
  std::string out;
  out.resize(end / 4 * 3 + (end % 4 == 0 ? 0 : end % 4 - 1));
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  std::uint32_t bad = 0; // any digit's "not base64" bit; checked once at the end
  std::size_t i = 0;
  for (; i + 4 <= end; i += 4, dst += 3) {
    const std::uint32_t quad = std::uint32_t{base64_digits[src[i]]} << 18 |
                               std::uint32_t{base64_digits[src[i + 1]]} << 12 |
                               std::uint32_t{base64_digits[src[i + 2]]} << 6 |
                               std::uint32_t{base64_digits[src[i + 3]]};
    bad |= (base64_digits[src[i]] | base64_digits[src[i + 1]] | base64_digits[src[i + 2]] |
            base64_digits[src[i + 3]]);
    dst[0] = static_cast<unsigned char>(quad >> 16);
    dst[1] = static_cast<unsigned char>(quad >> 8);
    dst[2] = static_cast<unsigned char>(quad);
  }
  std::uint32_t tail = 0;
  for (std::size_t j = i; j < end; ++j) {
    bad |= base64_digits[src[j]];
    tail = tail << 6 | base64_digits[src[j]];
  }
  if (end - i == 2) {
    dst[0] = static_cast<unsigned char>(tail >> 4);
  } else if (end - i == 3) {
    dst[0] = static_cast<unsigned char>(tail >> 10);
    dst[1] = static_cast<unsigned char>(tail >> 2);
  }
  if ((bad & 64) != 0) {
    return bad_base64("character outside both alphabets");
  }
  return out;
}

} // namespace herald::protocol
