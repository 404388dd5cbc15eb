#include "protocol/voip_payload.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>

#include <rapidjson/reader.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/base64url.hpp"
#include "protocol/template.hpp"

namespace herald::protocol {

namespace {

constexpr const char* context_field = "data.incomingCallContext";

error bad_context(std::string message) {
  return error{errc::invalid_field, context_field, std::move(message)};
}

/// Calls `f(buffer)` with this thread's buffer for decoded JWT payloads (~1 KB per ring),
/// reused from call to call; one grown by a hostile context is released rather than kept.
template <class F>
auto with_payload_buffer(F&& f) {
  constexpr std::size_t keep_capacity = 16 * 1024;
  thread_local std::string payload;
  auto r = f(payload);
  if (payload.capacity() > keep_capacity) {
    payload = std::string{};
  }
  return r;
}

/// The fields of `call_push_fields` as views: what the payload writer reads, so the hot path
/// (`append_voip_payload`) needs no copies of the intent's strings.
struct call_push_view {
  int event_id = acs_event_incoming_call;
  std::string_view cp;
  std::string_view call_id;
  std::string_view recipient_id;
  std::string_view caller_id;
  std::string_view display_name;
  bool video = false;
};

/// Finds the first `cc` member of the top-level object, reading the payload with RapidJSON's
/// SAX reader: no DOM, no allocation, and nesting bounded by `max_depth` (the recursive
/// reader would otherwise follow a hostile `[[[[…` down the stack).
class cc_finder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, cc_finder> {
public:
  static constexpr int max_depth = 32;

  bool Default() { return value_seen(); }
  bool String(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    if (want_ && !found_) {
      found_ = true;
      cc_ = {s, n};
      is_string_ = true;
    }
    return value_seen();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    want_ = depth_ == 1 && std::string_view{s, n} == "cc";
    return true;
  }
  bool StartObject() { return open(true); }
  bool EndObject(rapidjson::SizeType /*members*/) {
    --depth_;
    return true;
  }
  bool StartArray() { return open(false); }
  bool EndArray(rapidjson::SizeType /*elements*/) {
    --depth_;
    return true;
  }

  /// The value of `cc` when it is a string (the first `cc`, as `FindMember` would find).
  [[nodiscard]] std::optional<std::string_view> cc() const {
    return is_string_ ? std::optional{cc_} : std::nullopt;
  }
  [[nodiscard]] bool root_is_object() const noexcept { return root_is_object_; }

private:
  bool open(bool object) {
    if (depth_ == 0) {
      root_is_object_ = object;
    }
    value_seen();
    ++depth_;
    return depth_ <= max_depth;
  }
  bool value_seen() {
    if (want_ && !found_) {
      found_ = true; // the first `cc` is not a string
    }
    want_ = false;
    return true;
  }

  int depth_ = 0;
  bool want_ = false;
  bool found_ = false;
  bool is_string_ = false;
  bool root_is_object_ = false;
  std::string_view cc_;
};

/// `cp` of `context` as a view into `payload`, which receives the decoded JWT payload.
result<std::string_view> find_cp(std::string_view context, std::string& payload) {
  if (context.empty()) {
    return error{errc::missing_field, context_field, "incomingCallContext is empty"};
  }
  const auto dot1 = context.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : context.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return bad_context("incomingCallContext is not header.payload.signature");
  }
  if (!base64url_decode_into(context.substr(dot1 + 1, dot2 - dot1 - 1), payload)) {
    return bad_context("incomingCallContext payload is not base64url");
  }
  // The shape ACS sends, exactly `{"cc":"<base64>"}`, needs no JSON reader: base64 has no
  // quote, backslash, control character or NUL, so when the middle is base64 the payload is a
  // JSON object whose only member is that string, and the reader below would find the same.
  constexpr std::string_view cc_head = R"({"cc":")";
  constexpr std::string_view cc_tail = R"("})";
  const std::string_view whole{payload};
  if (whole.size() > cc_head.size() + cc_tail.size() && whole.starts_with(cc_head) &&
      whole.ends_with(cc_tail)) {
    const std::string_view cc =
        whole.substr(cc_head.size(), whole.size() - cc_head.size() - cc_tail.size());
    if (is_base64(cc)) {
      return cc;
    }
  }
  // Parsed in place: the decoded payload is ours to overwrite. A raw NUL ends the text here.
  rapidjson::InsituStringStream stream(payload.data());
  rapidjson::Reader reader;
  cc_finder finder;
  reader.Parse<rapidjson::kParseInsituFlag>(stream, finder);
  if (reader.HasParseError() || !finder.root_is_object()) {
    return bad_context("incomingCallContext payload is not a JSON object");
  }
  const auto cc = finder.cc();
  if (!cc || cc->empty()) {
    return bad_context("incomingCallContext payload has no string cc");
  }
  // The SDK base64-decodes cp; Microsoft's sample refuses to send one that does not decode.
  if (!is_base64(*cc)) {
    return bad_context("incomingCallContext cc is not base64");
  }
  return *cc;
}

/// The call push of `in` as views into `in`, `payload` (for `cp`) and `name` (for a display
/// name that had to be truncated).
result<call_push_view> view_call_push(const intent& in, std::string& payload, std::string& name) {
  if (in.kind == intent_kind::chat_alert) {
    return error{errc::unsupported, {}, "a chat alert is not a call push"};
  }
  if (in.call.call_id.empty()) {
    return error{errc::missing_field, "data.correlationId", "call id is empty"};
  }
  call_push_view out;
  if (!in.call.cp.empty() && is_base64(in.call.cp)) {
    // Extracted when the intent was built (build_intents); checked again because the payload
    // writer copies `cp` unescaped and an intent may have been made elsewhere.
    out.event_id = in.kind == intent_kind::ring ? acs_event_incoming_call : acs_event_stop_ringing;
    out.cp = in.call.cp;
  } else if (in.kind == intent_kind::ring) {
    out.event_id = acs_event_incoming_call;
    auto cp = find_cp(in.call.incoming_call_context, payload);
    if (!cp) {
      return cp.error();
    }
    out.cp = cp.value();
  } else {
    out.event_id = acs_event_stop_ringing;
    if (auto cp = find_cp(in.call.incoming_call_context, payload)) {
      out.cp = cp.value();
    }
  }
  out.call_id = in.call.call_id;
  out.recipient_id = in.recipient;
  out.caller_id = in.call.caller_raw_id;
  out.display_name = in.call.caller_display_name;
  if (out.display_name.size() > max_call_display_name) {
    name = truncate_utf8(out.display_name, max_call_display_name);
    out.display_name = name;
  }
  out.video = in.call.video;
  return out;
}

/// Appends `s` as a JSON string, escaped exactly as RapidJSON's Writer does: `"`, `\` and
/// the C0 controls (short forms \b \f \n \r \t, else \u00XX with upper-case hex); all
/// other bytes as they are. Sixteen (SSE2) or eight clean bytes are passed per step.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  std::size_t clean = 0; // s[clean, i) is still to be copied
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (i < s.size()) {
#if defined(__SSE2__)
    if (s.size() - i >= 16) {
      __m128i x;
      std::memcpy(&x, s.data() + i, 16);
      // Unsigned x < 0x20 as a signed compare of both sides shifted by 0x80.
      const __m128i shift = _mm_set1_epi8(static_cast<char>(0x80));
      const __m128i control =
          _mm_cmplt_epi8(_mm_xor_si128(x, shift), _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80)));
      const __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
      const __m128i slash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
      if (_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, slash))) == 0) {
        i += 16;
        continue;
      }
    }
#endif
    if (s.size() - i >= 8) {
      std::uint64_t x = 0;
      std::memcpy(&x, s.data() + i, 8);
      // Any byte < 0x20, == '"' or == '\\' (exact for "any", Hacker's Delight §6.1).
      const std::uint64_t quote = x ^ (ones * '"');
      const std::uint64_t slash = x ^ (ones * '\\');
      const std::uint64_t special =
          (((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) &
          highs;
      if (special == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + clean, i - clean);
    static constexpr std::string_view hex = "0123456789ABCDEF";
    switch (c) {
    case '"':
      out.append("\\\"");
      break;
    case '\\':
      out.append("\\\\");
      break;
    case '\b':
      out.append("\\b");
      break;
    case '\f':
      out.append("\\f");
      break;
    case '\n':
      out.append("\\n");
      break;
    case '\r':
      out.append("\\r");
      break;
    case '\t':
      out.append("\\t");
      break;
    default:
      out.append("\\u00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0F]);
      break;
    }
    clean = ++i;
  }
  out.append(s.data() + clean, s.size() - clean);
  out.push_back('"');
}

/// Appends the VoIP payload of `f`; one reservation for the whole body.
void write_voip_payload(const call_push_view& f, std::string& out) {
  out.reserve(out.size() + 160 + f.cp.size() + f.call_id.size() + f.recipient_id.size() +
              f.caller_id.size() + f.display_name.size());
  // PushKit needs no aps content, but the SDK's parser expects the key present.
  out.append(R"({"aps":{},"data":{"eventId":)");
  char digits[16];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, f.event_id);
  out.append(digits, end);
  if (!f.cp.empty()) {
    out.append(R"(,"cp":")");
    out.append(f.cp); // base64 (checked by find_cp): nothing to escape
    out.push_back('"');
  }
  out.append(R"(,"callId":)");
  append_json_string(out, f.call_id);
  out.append(R"(,"recipientId":)");
  append_json_string(out, f.recipient_id);
  out.append(R"(,"callerId":)");
  append_json_string(out, f.caller_id);
  out.append(R"(,"displayName":)");
  append_json_string(out, f.display_name);
  out.append(f.video ? R"(,"videoCall":"true"}})" : R"(,"videoCall":"false"}})");
}

} // namespace

result<std::string> extract_call_context_cp(std::string_view context) {
  return with_payload_buffer([context](std::string& payload) -> result<std::string> {
    auto cp = find_cp(context, payload);
    if (!cp) {
      return cp.error();
    }
    return std::string{cp.value()};
  });
}

result<shared_text> keep_call_context_cp(std::string_view context, shared_text_pool& pool) {
  return with_payload_buffer([context, &pool](std::string& payload) -> result<shared_text> {
    auto cp = find_cp(context, payload);
    if (!cp) {
      return cp.error();
    }
    return pool.keep(cp.value());
  });
}

std::size_t call_context_cp_bound(std::string_view context) noexcept {
  // `cp` is part of the base64url-decoded middle segment: at most 3 bytes per 4 characters.
  return context.size() / 4 * 3 + 3;
}

result<call_push_fields> make_call_push_fields(const intent& in) {
  std::string payload;
  std::string name;
  auto view = view_call_push(in, payload, name);
  if (!view) {
    return view.error();
  }
  const call_push_view& v = view.value();
  call_push_fields out;
  out.event_id = v.event_id;
  out.cp = v.cp;
  out.call_id = v.call_id;
  out.recipient_id = v.recipient_id;
  out.caller_id = v.caller_id;
  out.display_name = v.display_name;
  out.video = v.video;
  return out;
}

std::string make_voip_payload(const call_push_fields& f) {
  std::string out;
  write_voip_payload(call_push_view{f.event_id, f.cp, f.call_id, f.recipient_id, f.caller_id,
                                    f.display_name, f.video},
                     out);
  return out;
}

result<void> append_voip_payload(const intent& in, std::string& out) {
  return with_payload_buffer([&in, &out](std::string& payload) -> result<void> {
    std::string name;
    auto view = view_call_push(in, payload, name);
    if (!view) {
      return view.error();
    }
    write_voip_payload(view.value(), out);
    return ok();
  });
}

std::map<std::string, std::string> make_call_data(const call_push_fields& f) {
  std::map<std::string, std::string> out{
      {"eventId", std::to_string(f.event_id)}, {"callId", f.call_id},
      {"recipientId", f.recipient_id},         {"callerId", f.caller_id},
      {"displayName", f.display_name},         {"videoCall", f.video ? "true" : "false"},
  };
  if (!f.cp.empty()) {
    out.emplace("cp", f.cp);
  }
  return out;
}

} // namespace herald::protocol
