#include "protocol/json_access.hpp"

#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/cpu_features.hpp"

namespace herald::protocol::json {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) {
    out.push_back(lower(c));
  }
}

} // namespace

namespace {

/// Length of the UTF-8 sequence at `p` whose lead byte is not ASCII, or 0 when it is not
/// well-formed (RFC 3629 section 4 table: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned c = *p;
  std::size_t len = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (end - p < static_cast<std::ptrdiff_t>(len) || p[1] < lo || p[1] > hi) {
    return 0;
  }
  for (std::size_t i = 2; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) {
      return 0;
    }
  }
  return len;
}

#if defined(HERALD_X86_AVX2)
/// The clean start of `copy_checked_text`, 64 bytes per step: copies whole steps until one
/// holds a non-ASCII or NUL byte (that step is copied too, but not counted) and returns how
/// many bytes were passed, a multiple of 64.
__attribute__((target("avx2"))) std::size_t avx2_copy_clean(const unsigned char* src, std::size_t n,
                                                            unsigned char* dst) noexcept {
  const __m256i zero = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; n - i >= 64; i += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + 32), b);
    const __m256i nul = _mm256_or_si256(_mm256_cmpeq_epi8(a, zero), _mm256_cmpeq_epi8(b, zero));
    if (_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(a, b), nul)) != 0) {
      break;
    }
  }
  return i;
}
#endif

} // namespace

bool valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    // ASCII fast path: JSON bodies are almost entirely ASCII.
#if defined(__SSE2__)
    // 32 bytes per step: one OR and one byte-sign mask (SSE2 is part of every x86-64 CPU).
    while (end - p >= 32) {
      __m128i a;
      __m128i b;
      std::memcpy(&a, p, 16);
      std::memcpy(&b, p + 16, 16);
      if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) {
        break;
      }
      p += 32;
    }
    if (p == end) {
      break;
    }
#endif
    if (end - p >= 16) {
      std::uint64_t a = 0;
      std::uint64_t b = 0;
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + 8, 8);
      if (((a | b) & 0x8080808080808080ULL) == 0) {
        p += 16;
        continue;
      }
    }
    if (end - p >= 8) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t len = utf8_sequence(p, end);
    if (len == 0) {
      return false;
    }
    p += len;
  }
  return true;
}

text_check copy_checked_text(std::string_view text, char* out) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  auto* o = reinterpret_cast<unsigned char*>(out);
  while (p < end) {
#if defined(HERALD_X86_AVX2)
    if (have_avx2()) {
      const std::size_t passed = avx2_copy_clean(p, static_cast<std::size_t>(end - p), o);
      p += passed;
      o += passed;
    }
#endif
#if defined(__SSE2__)
    // 32 bytes per step, copied, then one mask of "not ASCII or NUL" for both halves.
    const __m128i zero = _mm_setzero_si128();
    while (end - p >= 32) {
      __m128i a;
      __m128i b;
      std::memcpy(&a, p, 16);
      std::memcpy(&b, p + 16, 16);
      std::memcpy(o, &a, 16);
      std::memcpy(o + 16, &b, 16);
      const __m128i nul = _mm_or_si128(_mm_cmpeq_epi8(a, zero), _mm_cmpeq_epi8(b, zero));
      if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), nul)) != 0) {
        break;
      }
      p += 32;
      o += 32;
    }
    if (p == end) {
      break;
    }
#endif
    const unsigned c = *p;
    if (c != 0 && c < 0x80) {
      *o++ = *p++;
      continue;
    }
    const std::size_t len = c == 0 ? 0 : utf8_sequence(p, end);
    if (len == 0) {
      // A NUL anywhere is reported before bad UTF-8, as `valid_utf8` after `memchr` would.
      return std::memchr(p, '\0', static_cast<std::size_t>(end - p)) != nullptr
                 ? text_check::nul_byte
                 : text_check::bad_utf8;
    }
    std::memcpy(o, p, len);
    p += len;
    o += len;
  }
  return text_check::ok;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  if (a == b) {
    return true; // the usual case (keys as documented), one memcmp
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view view(const value& v) noexcept {
  if (!v.IsString()) {
    return {};
  }
  return {v.GetString(), v.GetStringLength()};
}

const value* find(const value& obj, std::string_view key) noexcept {
  if (!obj.IsObject()) {
    return nullptr;
  }
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    // Length first: most members differ in length, and keys are strings (RFC 8259 §4).
    if (it->name.GetStringLength() == key.size() && iequals(view(it->name), key)) {
      return &it->value;
    }
  }
  return nullptr;
}

std::string_view type_name(const value& v) noexcept {
  switch (v.GetType()) {
  case rapidjson::kNullType:
    return "null";
  case rapidjson::kFalseType:
  case rapidjson::kTrueType:
    return "boolean";
  case rapidjson::kObjectType:
    return "object";
  case rapidjson::kArrayType:
    return "array";
  case rapidjson::kStringType:
    return "string";
  case rapidjson::kNumberType:
    return "number";
  }
  return "unknown";
}

std::optional<std::int64_t> integer(const value& v) noexcept {
  if (v.IsInt64()) {
    return v.GetInt64();
  }
  if (v.IsString()) {
    const std::string_view s = view(v);
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) {
      return out;
    }
  }
  return std::nullopt;
}

std::optional<std::string> scalar_text(const value& v) {
  char buf[32];
  switch (v.GetType()) {
  case rapidjson::kNullType:
    return std::string{};
  case rapidjson::kFalseType:
    return std::string{"false"};
  case rapidjson::kTrueType:
    return std::string{"true"};
  case rapidjson::kStringType:
    return std::string{view(v)};
  case rapidjson::kNumberType: {
    std::to_chars_result r{};
    if (v.IsInt64()) {
      r = std::to_chars(buf, buf + sizeof buf, v.GetInt64());
    } else if (v.IsUint64()) {
      r = std::to_chars(buf, buf + sizeof buf, v.GetUint64());
    } else {
      r = std::to_chars(buf, buf + sizeof buf, v.GetDouble());
    }
    return std::string(buf, r.ptr);
  }
  case rapidjson::kObjectType:
  case rapidjson::kArrayType:
    break;
  }
  return std::nullopt;
}

bool flatten(const value& v, std::map<std::string, std::string>& out, const flatten_limits& limits,
             std::string_view prefix) {
  // An explicit stack instead of recursion: the document came from the network.
  struct frame {
    const value* node;
    std::string key;
    std::size_t depth;
  };
  std::vector<frame> todo;
  todo.push_back({&v, std::string{}, 0});
  if (!prefix.empty()) {
    append_lower(todo.back().key, prefix);
  }
  bool complete = true;
  while (!todo.empty()) {
    frame f = std::move(todo.back());
    todo.pop_back();
    if (auto text = scalar_text(*f.node)) {
      if (out.size() >= limits.max_fields) {
        complete = false;
        continue;
      }
      out.insert_or_assign(std::move(f.key), std::move(*text));
      continue;
    }
    if (f.depth >= limits.max_depth) {
      complete = false;
      continue;
    }
    const auto child_key = [&](std::string_view part) {
      std::string k = f.key;
      if (!k.empty()) {
        k.push_back('.');
      }
      append_lower(k, part);
      return k;
    };
    if (f.node->IsObject()) {
      // Pushed in reverse so the first member is handled first (stable "first wins" order).
      for (auto it = f.node->MemberEnd(); it != f.node->MemberBegin();) {
        --it;
        todo.push_back({&it->value, child_key(view(it->name)), f.depth + 1});
      }
    } else if (f.node->IsArray()) {
      for (rapidjson::SizeType i = f.node->Size(); i > 0; --i) {
        todo.push_back({&(*f.node)[i - 1], child_key(std::to_string(i - 1)), f.depth + 1});
      }
    }
  }
  return complete;
}

} // namespace herald::protocol::json
