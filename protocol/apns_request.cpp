#include "protocol/apns_request.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>

#include <openssl/evp.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/json_writer.hpp"
#include "protocol/voip_payload.hpp"

namespace herald::protocol {

using namespace std::string_view_literals;

namespace {

/// Longest device token accepted (Apple's are 32 bytes = 64 hex digits today; leave room).
constexpr std::size_t max_token_hex = 200;

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// Text length of a UUID (8-4-4-4-12 hex digits).
constexpr std::size_t uuid_text_size = 36;

/// Name-based UUID (RFC 9562 §5.5: SHA-1, version 5 bits, variant 10) of the concatenation
/// of `parts`, as text (no allocation).
std::array<char, uuid_text_size> name_uuid(std::initializer_list<std::string_view> parts) {
  // Fetched once: OpenSSL 3 otherwise looks SHA-1 up in its provider store on every call
  // (`EVP_sha1()` is an implicit fetch). One context per thread, reinitialised per digest:
  // `EVP_Digest` would allocate and free a context every time. Both live until exit.
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free};
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (ctx && EVP_DigestInit_ex2(ctx.get(), sha1 ? sha1 : EVP_sha1(), nullptr) == 1) {
    // Joined on the stack when short (the usual ids): one update instead of one per part.
    std::array<char, 256> joined;
    std::size_t used = 0;
    for (const std::string_view part : parts) {
      if (part.size() > joined.size() - used) {
        EVP_DigestUpdate(ctx.get(), joined.data(), used);
        used = 0;
      }
      if (part.size() > joined.size()) {
        EVP_DigestUpdate(ctx.get(), part.data(), part.size());
        continue;
      }
      std::memcpy(joined.data() + used, part.data(), part.size());
      used += part.size();
    }
    EVP_DigestUpdate(ctx.get(), joined.data(), used);
    EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  }
  md[6] = static_cast<unsigned char>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<unsigned char>((md[8] & 0x3F) | 0x80);
  // Two digits per byte from one table: a load and a 2-byte store each.
  static constexpr std::array<char, 512> digit_pairs = [] {
    constexpr std::string_view hex = "0123456789abcdef";
    std::array<char, 512> t{};
    for (std::size_t b = 0; b < 256; ++b) {
      t[2 * b] = hex[b >> 4];
      t[2 * b + 1] = hex[b & 0x0F];
    }
    return t;
  }();
  std::array<char, uuid_text_size> text{};
  text[8] = text[13] = text[18] = text[23] = '-';
  static constexpr std::array<unsigned char, 16> at = {0,  2,  4,  6,  9,  11, 14, 16,
                                                       19, 21, 24, 26, 28, 30, 32, 34};
  for (std::size_t i = 0; i < 16; ++i) {
    std::memcpy(text.data() + at[i], digit_pairs.data() + 2 * md[i], 2);
  }
  return text;
}

void write_call_data(json_writer& w, const call_push_fields& f) {
  w.object_member("data");
  for (const auto& [k, v] : make_call_data(f)) {
    if (k == "eventId") {
      w.member(k, std::int64_t{f.event_id}); // a number, as the SDK sample sends it
    } else {
      w.member(k, v);
    }
  }
  w.end_object();
}

std::string background_call_payload(const call_push_fields& f) {
  json_writer w;
  w.start_object();
  w.object_member("aps");
  w.member("content-available", std::int64_t{1});
  w.end_object();
  write_call_data(w, f);
  w.end_object();
  return w.str();
}

std::string alert_payload(const intent& in, const rendered_alert& alert,
                          const apns_settings& settings) {
  json_writer w;
  w.start_object();
  w.object_member("aps");
  write_aps_alert(w, alert, settings.alert_sound);
  if (!in.chat.thread_id.empty()) {
    w.member("thread-id", in.chat.thread_id); // groups the thread's alerts
  }
  w.end_object();
  w.member("threadId", in.chat.thread_id);
  w.member("messageId", in.chat.message_id);
  w.member("eventType", in.event_type);
  w.end_object();
  return w.str();
}

/// Renders the alert and shortens the body, then the title, until the JSON fits `limit`.
result<std::string> fitted_alert(const intent& in, const apns_settings& settings,
                                 std::size_t limit) {
  rendered_alert alert = settings.templates.render(in);
  const auto encode = [&] { return alert_payload(in, alert, settings); };
  if (encode().size() <= limit) {
    return encode();
  }
  if (shrink_to_fit(alert.body, limit, encode)) {
    return encode();
  }
  alert.body.clear();
  if (shrink_to_fit(alert.title, limit, encode)) {
    return encode();
  }
  return error{errc::too_large, "aps", "alert payload exceeds the APNs limit"};
}

bool is_hex(std::string_view s) {
  // Not std::isxdigit: a call into the C library per character, and locale-dependent.
  std::size_t i = 0;
#if defined(__SSE2__)
  // A device token is 64 digits: four steps of 16. Signed compares: bytes >= 0x80 are
  // negative and in no range; `c | 0x20` is in a-f exactly when c is in A-F or a-f.
  const auto in_range = [](__m128i c, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(c, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  for (; i + 16 <= s.size(); i += 16) {
    __m128i c;
    std::memcpy(&c, s.data() + i, 16);
    const __m128i letters = in_range(_mm_or_si128(c, _mm_set1_epi8(0x20)), 'a', 'f');
    if (_mm_movemask_epi8(_mm_or_si128(in_range(c, '0', '9'), letters)) != 0xFFFF) {
      return false;
    }
  }
#endif
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

} // namespace

std::string apns_expiration(std::chrono::system_clock::time_point now, std::chrono::seconds ttl) {
  // Apple: 0 means "deliver once, do not store"; otherwise an absolute UNIX epoch in seconds.
  return ttl.count() <= 0 ? "0" : std::to_string(unix_seconds(now + ttl));
}

void write_aps_alert(json_writer& w, const rendered_alert& alert, std::string_view sound) {
  w.object_member("alert");
  w.member("title", alert.title);
  w.member("body", alert.body);
  w.end_object();
  if (!sound.empty()) {
    w.member("sound", sound);
  }
}

std::string_view apns_host(environment env) noexcept {
  return env == environment::sandbox ? "api.sandbox.push.apple.com" : "api.push.apple.com";
}

std::string apns_authorization(std::string_view provider_token) {
  return "bearer " + std::string(provider_token);
}

result<provider_request> encode_apns(const intent& in, const registration& reg,
                                     const apns_settings& settings,
                                     std::chrono::system_clock::time_point now) {
  if (reg.channel != platform::apns && reg.channel != platform::apns_voip) {
    return error{errc::unsupported, "platform", "not an APNs registration"};
  }
  if (reg.token.empty()) {
    return error{errc::missing_field, "token", "device token is empty"};
  }
  if (reg.token.size() > max_token_hex || !is_hex(reg.token)) {
    return error{errc::invalid_field, "token", "APNs device token must be hexadecimal"};
  }
  if (settings.bundle_id.empty()) {
    return error{errc::missing_field, "bundle_id", "APNs bundle id is not configured"};
  }
  const bool voip = reg.channel == platform::apns_voip;
  const bool call = in.kind != intent_kind::chat_alert;
  if (voip && !call) {
    // Every VoIP push must report a CallKit call (iOS 13+): never use it for chat.
    return error{errc::unsupported, "platform", "chat alerts are not sent to VoIP tokens"};
  }

  provider_request req;
  req.path.reserve(10 + reg.token.size());
  req.path.append("/3/device/").append(reg.token);
  std::string_view push_type;
  std::string_view priority;
  std::string_view collapse_id;
  std::chrono::seconds ttl{};
  std::size_t limit = apns_max_payload;
  if (call) {
    collapse_id = in.call.call_id;
    ttl = settings.ring_ttl;
    priority = "10";
    if (voip) {
      push_type = "voip";
      limit = apns_max_voip_payload;
      // Written straight from the intent: the hot path of every ring.
      auto written = append_voip_payload(in, req.body);
      if (!written) {
        return written.error();
      }
    } else {
      auto fields = make_call_push_fields(in);
      if (!fields) {
        return fields.error();
      }
      // Apple: background pushes must use priority 5 and apns-push-type background.
      push_type = "background";
      priority = "5";
      req.body = background_call_payload(fields.value());
    }
  } else {
    push_type = "alert";
    priority = "10";
    collapse_id = in.chat.message_id;
    ttl = settings.alert_ttl;
    auto body = fitted_alert(in, settings, limit);
    if (!body) {
      return body.error();
    }
    req.body = std::move(body).value();
  }
  if (req.body.size() > limit) {
    return error{errc::too_large, "data", "payload exceeds the APNs limit"};
  }

  // Names, values and their lengths in one buffer, written in one pass: one allocation.
  const std::string expiration = apns_expiration(now, ttl);
  const std::array<char, uuid_text_size> apns_id = name_uuid(
      {in.event_id, "\n", reg.device_id, "\n", to_string(in.kind), "\n", to_string(reg.channel)});
  std::array<header_list::field, 7> fields{{
      {"apns-push-type"sv, push_type},
      {"apns-topic"sv, settings.bundle_id, voip ? ".voip"sv : ""sv},
      {"apns-priority"sv, priority},
      {"apns-expiration"sv, expiration},
      {"apns-collapse-id"sv, collapse_id},
      {"apns-id"sv, {apns_id.data(), apns_id.size()}},
      {"content-type"sv, "application/json"sv},
  }};
  std::size_t count = fields.size();
  // Apple rejects collapse ids over 64 bytes (BadCollapseId); a longer id is simply not used.
  if (collapse_id.empty() || collapse_id.size() > apns_max_collapse_id) {
    std::move(fields.begin() + 5, fields.end(), fields.begin() + 4);
    --count;
  }
  req.headers.append({fields.data(), count});
  return req;
}

} // namespace herald::protocol
