#include "protocol/fcm_message.hpp"

#include <map>

#include "protocol/json_writer.hpp"
#include "protocol/voip_payload.hpp"

namespace herald::protocol {

namespace {

std::size_t data_size(const std::map<std::string, std::string>& data) {
  std::size_t n = 0;
  for (const auto& [k, v] : data) {
    n += k.size() + v.size();
  }
  return n;
}

void write_data(json_writer& w, const std::map<std::string, std::string>& data) {
  w.object_member("data");
  for (const auto& [k, v] : data) {
    w.member(k, v);
  }
  w.end_object();
}

void write_android(json_writer& w, std::chrono::seconds ttl, std::string_view collapse_key) {
  w.object_member("android");
  w.member("priority", "high");
  // google.protobuf.Duration JSON form: seconds with an "s" suffix.
  w.member("ttl", std::to_string(ttl.count()) + "s");
  if (!collapse_key.empty()) {
    w.member("collapse_key", collapse_key);
  }
  w.end_object();
}

} // namespace

std::string fcm_authorization(std::string_view access_token) {
  return "Bearer " + std::string(access_token);
}

result<provider_request> encode_fcm(const intent& in, const registration& reg,
                                    const fcm_settings& settings) {
  if (reg.channel != platform::fcm) {
    return error{errc::unsupported, "platform", "not an FCM registration"};
  }
  if (reg.token.empty()) {
    return error{errc::missing_field, "token", "FCM registration token is empty"};
  }
  if (settings.project_id.empty()) {
    return error{errc::missing_field, "project_id", "FCM project id is not configured"};
  }
  provider_request req;
  req.path = "/v1/projects/" + settings.project_id + "/messages:send";
  req.headers.emplace_back("content-type", "application/json");

  json_writer w;
  w.start_object();
  w.object_member("message");
  w.member("token", reg.token);
  if (in.kind != intent_kind::chat_alert) {
    auto fields = make_call_push_fields(in);
    if (!fields) {
      return fields.error();
    }
    const auto data = make_call_data(fields.value());
    if (data_size(data) > fcm_max_payload) {
      return error{errc::too_large, "data", "call data exceeds the FCM limit"};
    }
    write_data(w, data);
    write_android(w, settings.ring_ttl, in.call.call_id);
    // iOS apps registered through FCM: a data-only message is a background push there.
    w.object_member("apns");
    w.object_member("headers");
    w.member("apns-push-type", "background");
    w.member("apns-priority", "5");
    w.end_object();
    w.object_member("payload");
    w.object_member("aps");
    w.member("content-available", std::int64_t{1});
    w.end_object();
    w.end_object();
    w.end_object();
  } else {
    const std::map<std::string, std::string> data{{"threadId", in.chat.thread_id},
                                                  {"messageId", in.chat.message_id},
                                                  {"eventType", in.event_type.str()}};
    auto alert = settings.templates.render(in);
    // Google counts the payload's keys and values: data, plus notification's "title" and
    // "body" keys. The title gets the first claim on what is left.
    const std::size_t fixed =
        data_size(data) + std::string_view("title").size() + std::string_view("body").size();
    if (fixed > fcm_max_payload) {
      return error{errc::too_large, "data", "chat data exceeds the FCM limit"};
    }
    alert.title = truncate_utf8(alert.title, fcm_max_payload - fixed);
    alert.body = truncate_utf8(alert.body, fcm_max_payload - fixed - alert.title.size());
    w.object_member("notification");
    w.member("title", alert.title);
    w.member("body", alert.body);
    w.end_object();
    write_data(w, data);
    write_android(w, settings.alert_ttl, in.chat.message_id);
  }
  w.end_object();
  w.end_object();
  req.body = w.str();
  return req;
}

} // namespace herald::protocol
