#include "protocol/direct_push.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "protocol/json_writer.hpp"

namespace herald::protocol {

namespace {

std::string alert_body(const rendered_alert& alert, const direct_send& send,
                       const apns_settings& settings) {
  json_writer w;
  w.start_object();
  w.object_member("aps");
  write_aps_alert(w, alert, settings.alert_sound);
  w.end_object();
  if (!send.data.empty()) {
    w.object_member("data");
    for (const auto& [k, v] : send.data) {
      w.member(k, v);
    }
    w.end_object();
  }
  w.end_object();
  return w.str();
}

/// `alert_body` with the body, then the title, cut until it fits `limit`.
result<std::string> fitted_body(rendered_alert alert, const direct_send& send,
                                const apns_settings& settings) {
  const auto encode = [&] { return alert_body(alert, send, settings); };
  if (encode().size() <= apns_max_payload || shrink_to_fit(alert.body, apns_max_payload, encode)) {
    return encode();
  }
  alert.body.clear();
  if (shrink_to_fit(alert.title, apns_max_payload, encode)) {
    return encode();
  }
  return error{errc::too_large, "data", "alert payload exceeds the APNs limit"};
}

rapidjson::Value text(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

/// Sets `obj[key]` (an object) to `value`, replacing an earlier member.
void put(rapidjson::Value& obj, std::string_view key, rapidjson::Value value,
         rapidjson::Document::AllocatorType& a) {
  if (auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
      it != obj.MemberEnd()) {
    it->value = std::move(value);
    return;
  }
  obj.AddMember(text(key, a), std::move(value), a);
}

} // namespace

rendered_alert render_direct(const alert_template& t, const direct_send& send) {
  intent facts;
  facts.kind = intent_kind::chat_alert;
  facts.chat.fields = send.data;
  return {render_pattern(t.title, facts), render_pattern(t.body, facts)};
}

result<provider_request> encode_direct_apns(const direct_send& send, const rendered_alert* alert,
                                            const registration& reg, const apns_settings& settings,
                                            std::chrono::system_clock::time_point now) {
  if (reg.channel != platform::apns) {
    return error{errc::unsupported, "platform", "direct sends use apns alert tokens only", -1};
  }
  if (alert == nullptr && send.apns_payload.empty()) {
    return error{errc::unsupported, "payload.apns", "the send has no APNs payload", -1};
  }
  provider_request req;
  req.path = "/3/device/" + reg.token;
  bool background = false;
  if (alert != nullptr) {
    auto body = fitted_body(*alert, send, settings);
    if (!body) {
      return body.error();
    }
    req.body = std::move(body).value();
  } else {
    req.body = send.apns_payload;
    background = send.apns_background;
  }
  req.headers.emplace_back("apns-push-type", background ? "background" : "alert");
  req.headers.emplace_back("apns-topic", settings.bundle_id);
  // Apple: background pushes must use priority 5; 5 also lets APNs batch bulk traffic.
  req.headers.emplace_back("apns-priority", background || send.priority == lane::bulk ? "5" : "10");
  req.headers.emplace_back("apns-expiration", apns_expiration(now, send.ttl));
  req.headers.emplace_back("content-type", "application/json");
  return req;
}

result<provider_request> encode_direct_fcm(const direct_send& send, const rendered_alert* alert,
                                           const registration& reg, const fcm_settings& settings) {
  if (reg.channel != platform::fcm) {
    return error{errc::unsupported, "platform", "not an FCM registration", -1};
  }
  if (alert == nullptr && send.fcm_message.empty()) {
    return error{errc::unsupported, "payload.fcm", "the send has no FCM payload", -1};
  }
  if (settings.project_id.empty()) {
    return error{errc::missing_field, "project_id", "FCM project id is not configured", -1};
  }
  rapidjson::Document doc;
  auto& a = doc.GetAllocator();
  rapidjson::Value message(rapidjson::kObjectType);
  if (alert != nullptr) {
    rapidjson::Value notification(rapidjson::kObjectType);
    notification.AddMember("title", text(alert->title, a), a);
    notification.AddMember("body", text(alert->body, a), a);
    message.AddMember("notification", notification, a);
    if (!send.data.empty()) {
      rapidjson::Value data(rapidjson::kObjectType);
      for (const auto& [k, v] : send.data) {
        data.AddMember(text(k, a), text(v, a), a);
      }
      message.AddMember("data", data, a);
    }
  } else {
    rapidjson::Document given; // Validated as an object by parse_direct_send_json.
    given.Parse(send.fcm_message.data(), send.fcm_message.size());
    message.CopyFrom(given, a);
  }
  std::size_t payload_size = 0;
  for (const auto& m : message.GetObject()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    m.value.Accept(w);
    payload_size += buf.GetSize();
  }
  if (payload_size > fcm_max_payload) {
    return error{errc::too_large, "data", "payload exceeds the FCM limit", -1};
  }
  put(message, "token", text(reg.token, a), a);
  auto android = message.FindMember("android");
  if (android == message.MemberEnd() || !android->value.IsObject()) {
    put(message, "android", rapidjson::Value(rapidjson::kObjectType), a);
    android = message.FindMember("android");
  }
  put(android->value, "priority", text(send.priority == lane::bulk ? "normal" : "high", a), a);
  // google.protobuf.Duration JSON form: seconds with an "s" suffix.
  put(android->value, "ttl", text(std::to_string(send.ttl.count()) + "s", a), a);
  rapidjson::Value root(rapidjson::kObjectType);
  root.AddMember("message", message, a);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  root.Accept(w);
  provider_request req;
  req.path = "/v1/projects/" + settings.project_id + "/messages:send";
  req.headers.emplace_back("content-type", "application/json");
  req.body.assign(buf.GetString(), buf.GetSize());
  return req;
}

} // namespace herald::protocol
