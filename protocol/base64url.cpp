#include "protocol/base64url.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/cpu_features.hpp"

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

#if defined(HERALD_X86_AVX2)

/// 32 characters at once: `invalid` gets 0xFF in each lane whose character is no digit of
/// either alphabet, the result holds each digit's value (garbage where invalid). Table lookups
/// by nibble (`vpshufb`): the high nibble picks a class bit and the value offset, the low
/// nibble the classes in which it is a digit; `-`, `/` and `_` then correct their offsets.
__attribute__((target("avx2"), always_inline)) inline __m256i
avx2_digit_values(__m256i c, __m256i& invalid) noexcept {
  // Classes by high nibble: 2 → bit 0 (`+ - /`), 3 → bit 1 (`0-9`), 4 and 6 → bit 2 (`A-O`,
  // `a-o`), 5 → bit 3 (`P-Z _`), 7 → bit 4 (`p-z`); every other high nibble (incl. >= 8) → 0.
  const __m256i class_of_high =
      _mm256_setr_epi8(0, 0, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                       0x02, 0x04, 0x08, 0x04, 0x10, 0, 0, 0, 0, 0, 0, 0, 0);
  // For each low nibble, the classes in which it makes a digit.
  const __m256i classes_of_low =
      _mm256_setr_epi8(0x1A, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1C, 0x05, 0x04,
                       0x05, 0x04, 0x0D, 0x1A, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E,
                       0x1C, 0x05, 0x04, 0x05, 0x04, 0x0D);
  // value = character + offset (RFC 4648 tables 1 and 2): by high nibble `+` +19, digits +4,
  // upper case -65, lower case -71.
  const __m256i offset_of_high =
      _mm256_setr_epi8(0, 0, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 4, -65,
                       -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(c, 4), nibble);
  const __m256i low = _mm256_and_si256(c, nibble);
  invalid = _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(class_of_high, high),
                                               _mm256_shuffle_epi8(classes_of_low, low)),
                              _mm256_setzero_si256());
  // `-` 17 = 19 - 2, `/` 16 = 19 - 3, `_` -32 = -65 + 33.
  const __m256i fix = _mm256_or_si256(
      _mm256_or_si256(
          _mm256_and_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8('-')), _mm256_set1_epi8(-2)),
          _mm256_and_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8('/')), _mm256_set1_epi8(-3))),
      _mm256_and_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8('_')), _mm256_set1_epi8(33)));
  return _mm256_add_epi8(_mm256_add_epi8(c, _mm256_shuffle_epi8(offset_of_high, high)), fix);
}

/// Decodes 32 digits per step (24 bytes, one 32-byte store) while the store stays inside the
/// output; returns how many digits it consumed (a multiple of 32), or npos on a bad character.
__attribute__((target("avx2"))) std::size_t avx2_decode(const unsigned char* src, std::size_t end,
                                                        unsigned char* dst,
                                                        std::size_t out_size) noexcept {
  std::size_t i = 0;
  for (std::size_t o = 0; i + 32 <= end && o + 32 <= out_size; i += 32, o += 24) {
    __m256i invalid;
    const __m256i v =
        avx2_digit_values(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)), invalid);
    if (_mm256_movemask_epi8(invalid) != 0) {
      return std::string_view::npos;
    }
    // Pairs of 6-bit digits into 12 bits, pairs of those into 24 bits per 32-bit lane.
    const __m256i pairs = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
    const __m256i groups = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    // Each lane's 3 bytes, most significant first, packed to the front of each 128-bit half,
    // then the two halves' 12 bytes made adjacent.
    const __m256i packed = _mm256_shuffle_epi8(
        groups, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6,
                                 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
    const __m256i out =
        _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + o), out);
  }
  return i;
}

/// Whether the first `end / 32 * 32` characters are all digits; the rest is the caller's.
__attribute__((target("avx2"))) bool avx2_all_digits(const unsigned char* src,
                                                     std::size_t end) noexcept {
  for (std::size_t i = 0; i + 32 <= end; i += 32) {
    __m256i invalid;
    (void)avx2_digit_values(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)), invalid);
    if (_mm256_movemask_epi8(invalid) != 0) {
      return false;
    }
  }
  return true;
}
#endif

/// Decodes the `end` digits at `src` into `dst` (exactly `decoded_size(end)` bytes written).
/// False when a character is not a digit of either alphabet.
bool decode_digits(const unsigned char* src, std::size_t end, unsigned char* dst) noexcept {
  const auto& t0 = shifted_digits[0];
  const auto& t1 = shifted_digits[1];
  const auto& t2 = shifted_digits[2];
  const auto& t3 = shifted_digits[3];
  std::uint32_t seen = 0; // OR of every group: `not_a_digit` set if any character was bad
  std::size_t i = 0;
#if defined(HERALD_X86_AVX2)
  if (have_avx2()) {
    i = avx2_decode(src, end, dst, decoded_size(end));
    if (i == std::string_view::npos) {
      return false;
    }
    dst += i / 4 * 3;
  }
#endif
  // Two quanta (8 digits, 6 bytes) per step with one 8-byte store, while that store stays
  // inside the output (its last 2 bytes are overwritten by the next step).
  const std::size_t out_size = decoded_size(end);
  for (std::size_t o = i / 4 * 3; i + 8 <= end && o + 8 <= out_size; i += 8, o += 6, dst += 6) {
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
#if defined(HERALD_X86_AVX2)
  if (have_avx2()) {
    if (!avx2_all_digits(src, end)) {
      return false;
    }
    i = end / 32 * 32;
  }
#endif
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
