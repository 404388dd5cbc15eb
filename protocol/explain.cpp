#include "protocol/explain.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <optional>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "protocol/apns_request.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/wns_request.hpp"

namespace herald::protocol {

namespace {

using writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// The fake registrations and settings `explain` encodes for: one per platform.
struct fake_targets {
  std::array<registration, 4> regs;
  apns_settings apns;
  fcm_settings fcm;
  wns_settings wns;

  fake_targets() {
    const std::array<std::pair<platform, std::string>, 4> tokens{{
        {platform::apns, std::string(64, 'a')},
        {platform::apns_voip, std::string(64, 'b')},
        {platform::fcm, "fake-fcm-registration-token"},
        {platform::wns, "https://db5.notify.windows.com/?token=fake"},
    }};
    for (std::size_t i = 0; i < regs.size(); ++i) {
      regs[i].app = "explain";
      regs[i].device_id = "explain-" + std::string{to_string(tokens[i].first)};
      regs[i].channel = tokens[i].first;
      regs[i].token = tokens[i].second;
    }
    apns.bundle_id = "com.example.app";
    fcm.project_id = "example-project";
  }
};

void str(writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void member(writer& w, std::string_view key, std::string_view value) {
  str(w, key);
  str(w, value);
}

/// RFC 3339 UTC with milliseconds, e.g. `2022-08-25T19:27:24.241Z`.
std::string rfc3339(std::chrono::system_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const long frac = static_cast<long>((ms % 1000 + 1000) % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf.data();
}

/// A body that parses as JSON is written as JSON (readable), anything else as a string.
void body(writer& w, const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  str(w, "body");
  if (doc.HasParseError()) {
    str(w, text);
  } else {
    doc.Accept(w);
  }
}

void request(writer& w, platform p, std::string_view authority, const provider_request& req) {
  w.StartObject();
  member(w, "platform", to_string(p));
  member(w, "authority", authority);
  member(w, "method", req.method);
  member(w, "path", req.path);
  str(w, "headers");
  w.StartObject();
  for (const auto& [name, value] : req.headers) {
    member(w, name, value);
  }
  w.EndObject();
  body(w, req.body);
  w.EndObject();
}

void request_error(writer& w, platform p, const error& e) {
  w.StartObject();
  member(w, "platform", to_string(p));
  member(w, "error", e.describe());
  w.EndObject();
}

/// One entry of `requests` for the fake registration `reg`.
void encode_for(writer& w, const intent& in, const registration& reg, const fake_targets& t,
                std::chrono::system_clock::time_point now) {
  switch (reg.channel) {
  case platform::apns:
  case platform::apns_voip: {
    auto r = encode_apns(in, reg, t.apns, now);
    return r ? request(w, reg.channel, apns_host(reg.env), r.value())
             : request_error(w, reg.channel, r.error());
  }
  case platform::fcm: {
    auto r = encode_fcm(in, reg, t.fcm);
    return r ? request(w, reg.channel, fcm_host, r.value())
             : request_error(w, reg.channel, r.error());
  }
  case platform::wns: {
    auto r = encode_wns(in, reg, t.wns);
    return r ? request(w, reg.channel, r.value().authority, r.value().request)
             : request_error(w, reg.channel, r.error());
  }
  }
}

void intent_facts(writer& w, const intent& in) {
  member(w, "kind", to_string(in.kind));
  member(w, "recipient", in.recipient);
  member(w, "lane", to_string(in.lane_of()));
  if (in.kind == intent_kind::chat_alert) {
    member(w, "threadId", in.chat.thread_id);
    member(w, "messageId", in.chat.message_id);
    member(w, "senderRawId", in.chat.sender_raw_id);
    member(w, "senderDisplayName", in.chat.sender_display_name);
    member(w, "messageBody", in.chat.message_body);
    return;
  }
  member(w, "callId", in.call.call_id);
  member(w, "serverCallId", in.call.server_call_id);
  member(w, "callerRawId", in.call.caller_raw_id);
  member(w, "callerDisplayName", in.call.caller_display_name);
  str(w, "video");
  w.Bool(in.call.video);
}

void event(writer& w, const decoded_event& ev, const fake_targets& t,
           std::chrono::system_clock::time_point now) {
  w.StartObject();
  member(w, "id", ev.id);
  member(w, "type", ev.type);
  member(w, "source", ev.source);
  member(w, "subject", ev.subject);
  if (ev.time != std::chrono::system_clock::time_point{}) {
    member(w, "time", rfc3339(ev.time));
  }
  str(w, "known");
  w.Bool(ev.known);
  if (ev.fault) {
    member(w, "fault", ev.fault->describe());
  }
  str(w, "warnings");
  w.StartArray();
  for (const auto& warning : ev.warnings) {
    str(w, warning.describe());
  }
  w.EndArray();
  str(w, "intents");
  w.StartArray();
  for (const auto& in : ev.intents) {
    w.StartObject();
    intent_facts(w, in);
    str(w, "requests");
    w.StartArray();
    for (const auto& reg : t.regs) {
      encode_for(w, in, reg, t, now);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

bool has_specversion(const rapidjson::Value& v) {
  return v.IsObject() && v.HasMember("specversion");
}

} // namespace

content_kind detect_content_kind(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return content_kind::event_grid;
  }
  if (doc.IsArray() && !doc.Empty() && has_specversion(doc[0])) {
    return content_kind::cloud_event_batch;
  }
  return has_specversion(doc) ? content_kind::cloud_event : content_kind::event_grid;
}

result<std::string> explain(std::string_view body, content_kind kind,
                            std::chrono::system_clock::time_point now) {
  auto batch = decode_batch(body, kind);
  if (!batch) {
    return batch.error();
  }
  const fake_targets targets;
  rapidjson::StringBuffer buffer;
  writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  member(w, "schema", to_string(kind));
  if (batch.value().validation_code) {
    str(w, "validation");
    w.StartObject();
    member(w, "code", *batch.value().validation_code);
    if (batch.value().validation_url) {
      member(w, "url", *batch.value().validation_url);
    }
    w.EndObject();
  }
  str(w, "events");
  w.StartArray();
  for (const auto& ev : batch.value().events) {
    event(w, ev, targets, now);
  }
  w.EndArray();
  w.EndObject();
  return std::string{buffer.GetString(), buffer.GetSize()};
}

} // namespace herald::protocol
