#include "protocol/voip_payload.hpp"

#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/template.hpp"

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
  rapidjson::Document doc;
  doc.Parse(payload.value().data(), payload.value().size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return bad_context("incomingCallContext payload is not a JSON object");
  }
  const auto cc = doc.FindMember("cc");
  if (cc == doc.MemberEnd() || !cc->value.IsString() || cc->value.GetStringLength() == 0) {
    return bad_context("incomingCallContext payload has no string cc");
  }
  std::string cp(cc->value.GetString(), cc->value.GetStringLength());
  // The SDK base64-decodes cp; Microsoft's sample refuses to send one that does not decode.
  if (!base64url_decode(cp)) {
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
  json_writer w;
  w.start_object();
  // PushKit needs no aps content, but the SDK's parser expects the key present.
  w.object_member("aps");
  w.end_object();
  w.object_member("data");
  w.member("eventId", std::int64_t{f.event_id});
  if (!f.cp.empty()) {
    w.member("cp", f.cp);
  }
  w.member("callId", f.call_id);
  w.member("recipientId", f.recipient_id);
  w.member("callerId", f.caller_id);
  w.member("displayName", f.display_name);
  w.member("videoCall", f.video ? "true" : "false");
  w.end_object();
  w.end_object();
  return w.str();
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
