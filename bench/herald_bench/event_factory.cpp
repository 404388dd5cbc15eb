#include "bench/herald_bench/event_factory.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "protocol/base64url.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/intent.hpp"
#include "protocol/registration.hpp"
#include "protocol/voip_payload.hpp"

namespace herald::bench {

namespace {

constexpr const char* caller = "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000014-2033-438d-1000-"
                               "343a0d006e10";

std::string rfc3339(std::chrono::system_clock::time_point now) {
  const auto t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

} // namespace

event_factory::event_factory(const population& people, std::uint64_t seed)
    : people_(people), random_state_(seed * 0x9E3779B97F4A7C15ull + 1) {
  // The Calling SDK base64-decodes `cc`; ~700 bytes make a context the size of the docs'.
  std::string cc_bytes(700, '\0');
  for (std::size_t i = 0; i < cc_bytes.size(); ++i) {
    cc_bytes[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  }
  cc_ = protocol::base64_encode(cc_bytes);
  const std::string claims = R"({"cc":")" + cc_ + R"("})";
  context_ = protocol::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
             protocol::base64url_encode(claims) + ".";
}

std::string event_factory::voip_body(std::uint64_t seq, std::uint32_t recipient) const {
  protocol::call_push_fields f;
  f.cp = cc_;
  f.call_id = event_id(seq);
  f.recipient_id = people_.identities().at(recipient).raw_id;
  f.caller_id = caller;
  f.display_name = "Bench Caller";
  return protocol::make_voip_payload(f);
}

protocol::result<protocol::provider_request>
event_factory::fcm_request(std::uint64_t seq, std::uint32_t recipient, const std::string& token,
                           const std::string& project) const {
  protocol::intent in;
  in.kind = protocol::intent_kind::ring;
  in.recipient = people_.identities().at(recipient).raw_id;
  in.event_id = event_id(seq);
  in.event_type = "Microsoft.Communication.IncomingCall";
  in.event_time = std::chrono::system_clock::now();
  in.call.call_id = event_id(seq);
  in.call.caller_raw_id = caller;
  in.call.caller_display_name = "Bench Caller";
  in.call.incoming_call_context = context_;
  in.call.cp = cc_;
  protocol::registration reg;
  reg.identity = in.recipient;
  reg.channel = protocol::platform::fcm;
  reg.token = token;
  protocol::fcm_settings settings;
  settings.project_id = project;
  return protocol::encode_fcm(in, reg, settings);
}

std::string event_factory::event_id(std::uint64_t seq) const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", people_.run_tag(),
                static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<std::uint64_t> event_factory::seq_of(std::string_view correlation_id) const {
  if (correlation_id.size() != 36 || correlation_id.substr(0, 8) != event_id(0).substr(0, 8)) {
    return std::nullopt;
  }
  std::uint64_t seq = 0;
  const auto tail = correlation_id.substr(24);
  auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), seq, 16);
  if (ec != std::errc{} || end != tail.data() + tail.size()) {
    return std::nullopt;
  }
  return seq;
}

std::string event_factory::batch(std::uint64_t first_seq, std::uint32_t count,
                                 std::chrono::system_clock::time_point now,
                                 std::vector<std::uint32_t>& recipients) {
  const auto time = rfc3339(now);
  const auto& ids = people_.identities();
  std::string out;
  out.reserve(count * (context_.size() + 1100) + 2);
  out += '[';
  for (std::uint32_t i = 0; i < count; ++i) {
    // xorshift64: cheap, and the draw only has to spread recipients evenly.
    random_state_ ^= random_state_ << 13;
    random_state_ ^= random_state_ >> 7;
    random_state_ ^= random_state_ << 17;
    const auto who = static_cast<std::uint32_t>(random_state_ % ids.size());
    recipients.push_back(who);
    const auto& raw = ids[who].raw_id;
    const auto id = event_id(first_seq + i);
    if (i > 0) {
      out += ',';
    }
    out += R"({"id":")" + id +
           R"(","topic":"/subscriptions/bench/resourcegroups/bench/providers/)"
           R"(microsoft.communication/communicationservices/bench","subject":"/caller/)";
    out += caller;
    out += "/recipient/" + raw;
    out += R"(","data":{"to":{"kind":"communicationUser","rawId":")" + raw +
           R"(","communicationUser":{"id":")" + raw +
           R"("}},"from":{"kind":"communicationUser","rawId":")";
    out += caller;
    out += R"(","communicationUser":{"id":")";
    out += caller;
    out += R"("}},"serverCallId":"bench-)" + id + R"(","callerDisplayName":"Bench Caller",)";
    out += R"("incomingCallContext":")" + context_ + R"(","correlationId":")" + id +
           R"("},"eventType":"Microsoft.Communication.IncomingCall","dataVersion":"1.0",)"
           R"("metadataVersion":"1","eventTime":")" +
           time + R"("})";
  }
  out += ']';
  return out;
}

} // namespace herald::bench
