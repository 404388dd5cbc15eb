#include "protocol/base64url.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// Each digit's value already shifted to its place in a 24-bit group, one table per position
/// in a 4-digit quantum, so a quantum decodes with four loads and three ORs. A character that
/// is no digit maps to bit 24 (`not_a_digit`), which survives every OR and is checked once.
constexpr std::uint32_t not_a_digit = 1U << 24;
using shifted_table = std::array<std::uint32_t, 256>;
constexpr std::array<shifted_table, 4> shifted_digits = [] {
  std::array<shifted_table, 4> t{};
  for (int pos = 0; pos < 4; ++pos) {
    for (int c = 0; c < 256; ++c) {
      const std::uint32_t d = base64_digits[static_cast<std::size_t>(c)];
      t[static_cast<std::size_t>(pos)][static_cast<std::size_t>(c)] =
          d == 64 ? not_a_digit : d << (18 - 6 * pos);
    }
  }
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

/// Number of bytes `end` unpadded digits decode to.
constexpr std::size_t decoded_size(std::size_t end) noexcept {
  return end / 4 * 3 + (end % 4 == 0 ? 0 : end % 4 - 1);
}

/// Decodes the `end` digits at `src` into `dst` (exactly `decoded_size(end)` bytes written).
/// False when a character is not a digit of either alphabet.
bool decode_digits(const unsigned char* src, std::size_t end, unsigned char* dst) noexcept {
  const auto& t0 = shifted_digits[0];
  const auto& t1 = shifted_digits[1];
  const auto& t2 = shifted_digits[2];
  const auto& t3 = shifted_digits[3];
  std::uint32_t seen = 0; // OR of every group: `not_a_digit` set if any character was bad
  std::size_t i = 0;
  // Two quanta (8 digits, 6 bytes) per step with one 8-byte store, while that store stays
  // inside the output (its last 2 bytes are overwritten by the next step).
  const std::size_t out_size = decoded_size(end);
  for (std::size_t o = 0; i + 8 <= end && o + 8 <= out_size; i += 8, o += 6, dst += 6) {
    const std::uint32_t a = t0[src[i]] | t1[src[i + 1]] | t2[src[i + 2]] | t3[src[i + 3]];
    const std::uint32_t b = t0[src[i + 4]] | t1[src[i + 5]] | t2[src[i + 6]] | t3[src[i + 7]];
    seen |= a | b;
    const std::uint64_t big_endian =
        __builtin_bswap64((std::uint64_t{a} << 40) | (std::uint64_t{b} << 16));
    std::memcpy(dst, &big_endian, 8);
  }
  for (; i + 4 <= end; i += 4, dst += 3) {
    const std::uint32_t q = t0[src[i]] | t1[src[i + 1]] | t2[src[i + 2]] | t3[src[i + 3]];
    seen |= q;
    dst[0] = static_cast<unsigned char>(q >> 16);
    dst[1] = static_cast<unsigned char>(q >> 8);
    dst[2] = static_cast<unsigned char>(q);
  }
  if (end - i >= 2) {
    std::uint32_t q = t0[src[i]] | t1[src[i + 1]];
    if (end - i == 3) {
      q |= t2[src[i + 2]];
    }
    seen |= q;
    dst[0] = static_cast<unsigned char>(q >> 16);
    if (end - i == 3) {
      dst[1] = static_cast<unsigned char>(q >> 8);
    }
  }
  return (seen & not_a_digit) == 0;
}

#if defined(__SSE2__)
/// 16 characters at once: a lane is 0xFF when its character is a digit of either alphabet.
/// Signed compares are fine: bytes >= 0x80 are negative and fall in no range.
__m128i digit_lanes(__m128i c) noexcept {
  const auto in_range = [c](char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(c, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const __m128i letters_or_digits =
      _mm_or_si128(_mm_or_si128(in_range('A', 'Z'), in_range('a', 'z')), in_range('0', '9'));
  const __m128i symbols = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('+')), _mm_cmpeq_epi8(c, _mm_set1_epi8('-'))),
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('/')), _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))));
  return _mm_or_si128(letters_or_digits, symbols);
}
#endif

} // namespace

bool is_base64(std::string_view text) noexcept {
  const std::size_t end = unpadded_length(text);
  if (end == std::string_view::npos) {
    return false;
  }
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
#if defined(__SSE2__)
  // The `cc` claim checked on every ring is ~1 KB: 16 characters per step.
  for (; i + 16 <= end; i += 16) {
    __m128i chunk;
    std::memcpy(&chunk, src + i, 16);
    if (_mm_movemask_epi8(digit_lanes(chunk)) != 0xFFFF) {
      return false;
    }
  }
#endif
  std::uint8_t bad = 0; // any digit's "not base64" bit (64)
  for (; i < end; ++i) {
    bad |= base64_digits[src[i]];
  }
  return (bad & 64) == 0;
}

result<std::string> base64url_decode(std::string_view text) {
  std::string out;
  auto r = base64url_decode_into(text, out);
  if (!r) {
    return r.error();
  }
  return out;
}

result<void> base64url_decode_into(std::string_view text, std::string& out) {
  // Table-driven, two quanta per step, no intermediate copy: decoding the ~1.2 KB
  // incomingCallContext payload of every ring is on the hot path of encode_apns.
  const std::size_t end = unpadded_length(text);
  if (end == std::string_view::npos) {
    return bad_base64("impossible length or misplaced padding");
  }
  out.resize(decoded_size(end));
  if (!decode_digits(reinterpret_cast<const unsigned char*>(text.data()), end,
                     reinterpret_cast<unsigned char*>(out.data()))) {
    out.clear();
    return bad_base64("character outside both alphabets");
  }
  return ok();
}

} // namespace herald::protocol
