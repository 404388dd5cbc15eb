#include "protocol/json_parse.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/reader.h>

#include "protocol/cpu_features.hpp"

namespace herald::protocol::json::detail {

/// RapidJSON's in-situ stream, as a type of its own so that the reader's string and
/// whitespace scanners can be replaced for it (below) by ones that rely on `parse_padding`.
struct padded_stream : rapidjson::InsituStringStream {
  using rapidjson::InsituStringStream::InsituStringStream;
};

/// Bit i set when byte i of the 16 at `p` ends an unescaped run: `"`, `\` or below 0x20.
inline unsigned special_bytes(const char* p) noexcept {
#if defined(__SSE2__)
  const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i quote = _mm_cmpeq_epi8(s, _mm_set1_epi8('"'));
  const __m128i slash = _mm_cmpeq_epi8(s, _mm_set1_epi8('\\'));
  const __m128i ctl = _mm_set1_epi8(0x1F);
  // s <= 0x1F (unsigned) ⇔ min(s, 0x1F) == s.
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(s, ctl), s);
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), control)));
#else
  unsigned mask = 0;
  for (unsigned i = 0; i < 16; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '"' || c == '\\' || c < 0x20) {
      mask |= 1u << i;
    }
  }
  return mask;
#endif
}

/// Bit i set when byte i of the 16 at `p` is not JSON whitespace (RFC 8259 section 2).
inline unsigned non_whitespace(const char* p) noexcept {
#if defined(__SSE2__)
  const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i ws = _mm_cmpeq_epi8(s, _mm_set1_epi8(' '));
  ws = _mm_or_si128(ws, _mm_cmpeq_epi8(s, _mm_set1_epi8('\n')));
  ws = _mm_or_si128(ws, _mm_cmpeq_epi8(s, _mm_set1_epi8('\r')));
  ws = _mm_or_si128(ws, _mm_cmpeq_epi8(s, _mm_set1_epi8('\t')));
  return ~static_cast<unsigned>(_mm_movemask_epi8(ws)) & 0xFFFFu;
#else
  unsigned mask = 0;
  for (unsigned i = 0; i < 16; ++i) {
    if (p[i] != ' ' && p[i] != '\n' && p[i] != '\r' && p[i] != '\t') {
      mask |= 1u << i;
    }
  }
  return mask;
#endif
}

#if defined(HERALD_X86_AVX2)
/// The first `"`, `\\` or byte below 0x20 at or after `p`, 32 bytes per step: the long strings
/// (`incomingCallContext`, ~1.4 KB) after their first 16 bytes.
__attribute__((target("avx2"))) const char* avx2_find_special(const char* p) noexcept {
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i slash = _mm256_set1_epi8('\\');
  const __m256i ctl = _mm256_set1_epi8(0x1F);
  for (;; p += 32) {
    const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hit =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(s, quote), _mm256_cmpeq_epi8(s, slash)),
                        _mm256_cmpeq_epi8(_mm256_min_epu8(s, ctl), s));
    if (const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(hit))) {
      return p + __builtin_ctz(mask);
    }
  }
}
#endif

/// The first `"`, `\\` or byte below 0x20 at or after `p`.
inline char* find_special(char* p) noexcept {
  if (const unsigned mask = special_bytes(p)) {
    return p + __builtin_ctz(mask); // most keys and values: one step
  }
  p += 16;
#if defined(HERALD_X86_AVX2)
  if (have_avx2()) {
    return p + (avx2_find_special(p) - p);
  }
#endif
  for (;; p += 16) {
    if (const unsigned mask = special_bytes(p)) {
      return p + __builtin_ctz(mask);
    }
  }
}

} // namespace herald::protocol::json::detail

namespace rapidjson {

using herald::protocol::json::detail::padded_stream;

template <>
struct StreamTraits<padded_stream> {
  enum { copyOptimization = 1 };
};

// Whitespace and unescaped string runs, 16 bytes per step from wherever they start. RapidJSON's
// own SSE2 scanners walk byte by byte to a 16-byte boundary first (its buffers have no padding),
// which costs more than the rest on the short keys and values of ACS events. Both stop at the
// text's NUL at the latest, so no load reaches past the padding.
template <>
inline void SkipWhitespace(padded_stream& is) {
  char* p = is.src_;
  if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
    return;
  }
  for (;; p += 16) {
    if (const unsigned mask = herald::protocol::json::detail::non_whitespace(p)) {
      is.src_ = p + __builtin_ctz(mask);
      return;
    }
  }
}

template <>
template <>
inline void GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString(padded_stream& is,
                                                                                 padded_stream&) {
  using herald::protocol::json::detail::special_bytes;
  char* p = is.src_;
  if (is.src_ == is.dst_) { // no escape so far in this string: nothing to move
    is.src_ = is.dst_ = herald::protocol::json::detail::find_special(p);
    return;
  }
  char* q = is.dst_;
  for (;; p += 16, q += 16) {
    const unsigned mask = special_bytes(p);
    // q < p: copying forward 16 bytes never overwrites bytes not yet read.
    if (mask == 0) {
      std::memmove(q, p, 16);
      continue;
    }
    const auto n = static_cast<std::size_t>(__builtin_ctz(mask));
    std::memmove(q, p, n);
    is.src_ = p + n;
    is.dst_ = q + n;
    return;
  }
}

} // namespace rapidjson

namespace herald::protocol::json {

namespace {

/// Forwards SAX events to the document, refusing (ending the parse) nesting deeper than
/// `max_fast_depth`, so the recursive reader's stack use is bounded.
struct depth_bounded_handler {
  rapidjson::Document& doc;
  unsigned depth = 0;
  bool too_deep = false;

  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned i) { return doc.Uint(i); }
  bool Int64(std::int64_t i) { return doc.Int64(i); }
  bool Uint64(std::uint64_t i) { return doc.Uint64(i); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool StartObject() { return enter() && doc.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth;
    return doc.EndObject(n);
  }
  bool StartArray() { return enter() && doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth;
    return doc.EndArray(n);
  }

  bool enter() {
    too_deep = ++depth > max_fast_depth;
    return !too_deep;
  }
};

} // namespace

void parse_in_situ(rapidjson::Document& doc, char* text, std::string_view original) {
  constexpr unsigned flags = rapidjson::kParseInsituFlag;
  bool parsed = false;
  auto fast = [&](rapidjson::Document& handler_doc) {
    detail::padded_stream stream(text);
    depth_bounded_handler handler{handler_doc};
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator> reader;
    parsed = !reader.Parse<flags>(stream, handler).IsError();
    return parsed;
  };
  doc.Populate(fast);
  if (parsed) {
    return;
  }
  // Too deep, or not JSON: the in-situ pass has overwritten part of the text, so start again
  // from the original. Iterative: nesting costs heap, not stack; its error offsets are the
  // ones this function promises.
  std::memcpy(text, original.data(), original.size());
  text[original.size()] = '\0';
  detail::padded_stream stream(text);
  doc.ParseStream<flags | rapidjson::kParseIterativeFlag, rapidjson::UTF8<>>(stream);
}

} // namespace herald::protocol::json
