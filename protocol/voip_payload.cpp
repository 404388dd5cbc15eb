#include "protocol/voip_payload.hpp"

#include "protocol/base64url.hpp"
#include "protocol/template.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::protocol {

namespace {

constexpr const char* context_field = "data.incomingCallContext";

error bad_context(std::string message) {
  return error{errc::invalid_field, context_field, std::move(message)};
}

} // namespace

result<std::string> extract_call_context_cp(std::string_view context) {
  if (context.empty()) {
    return error{errc::missing_field, context_field, "incomingCallContext is empty"};
  }
  const auto dot1 = context.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : context.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return bad_context("incomingCallContext is not header.payload.signature");
  }
  auto payload = base64url_decode(context.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) {
    return bad_context("incomingCallContext payload is not base64url");
  }
  // Parsed in place: the decoded payload is ours to overwrite, and `cc` is then copied once.
  // A raw NUL ends the text here exactly as it ended the length-bounded stream before.
  std::string& text = payload.value();
  rapidjson::Document doc;
  doc.ParseInsitu(text.data());
  if (doc.HasParseError() || !doc.IsObject()) {
    return bad_context("incomingCallContext payload is not a JSON object");
  }
  const auto cc = doc.FindMember("cc");
  if (cc == doc.MemberEnd() || !cc->value.IsString() || cc->value.GetStringLength() == 0) {
    return bad_context("incomingCallContext payload has no string cc");
  }
  std::string cp(cc->value.GetString(), cc->value.GetStringLength());
  // The SDK base64-decodes cp; Microsoft's sample refuses to send one that does not decode.
  if (!is_base64(cp)) {
    return bad_context("incomingCallContext cc is not base64");
  }
  return cp;
}

result<call_push_fields> make_call_push_fields(const intent& in) {
  if (in.kind == intent_kind::chat_alert) {
    return error{errc::unsupported, {}, "a chat alert is not a call push"};
  }
  if (in.call.call_id.empty()) {
    return error{errc::missing_field, "data.correlationId", "call id is empty"};
  }
  call_push_fields out;
  if (in.kind == intent_kind::ring) {
    out.event_id = acs_event_incoming_call;
    auto cp = extract_call_context_cp(in.call.incoming_call_context);
    if (!cp) {
      return cp.error();
    }
    out.cp = std::move(cp).value();
  } else {
    out.event_id = acs_event_stop_ringing;
    if (auto cp = extract_call_context_cp(in.call.incoming_call_context)) {
      out.cp = std::move(cp).value();
    }
  }
  out.call_id = in.call.call_id;
  out.recipient_id = in.recipient;
  out.caller_id = in.call.caller_raw_id;
  out.display_name = truncate_utf8(in.call.caller_display_name, max_call_display_name);
  out.video = in.call.video;
  return out;
}

std::string make_voip_payload(const call_push_fields& f) {
  // Written with RapidJSON directly into a buffer sized once for the whole payload: the hot
  // path of every ring. The Writer reserves 6 bytes per input byte before escaping a string
  // (`\u00XX` worst case), so size for that, not for the ~1.3 KB result, or it regrows.
  const std::size_t estimate = 256 + 6 * (f.cp.size() + f.call_id.size() + f.recipient_id.size() +
                                          f.caller_id.size() + f.display_name.size());
  rapidjson::StringBuffer buffer(nullptr, estimate);
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto str = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  // PushKit needs no aps content, but the SDK's parser expects the key present.
  str("aps");
  w.StartObject();
  w.EndObject();
  str("data");
  w.StartObject();
  str("eventId");
  w.Int64(f.event_id);
  if (!f.cp.empty()) {
    str("cp");
    str(f.cp);
  }
  str("callId");
  str(f.call_id);
  str("recipientId");
  str(f.recipient_id);
  str("callerId");
  str(f.caller_id);
  str("displayName");
  str(f.display_name);
  str("videoCall");
  str(f.video ? "true" : "false");
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
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
