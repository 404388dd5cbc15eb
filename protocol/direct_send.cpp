#include "protocol/direct_send.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "protocol/apns_request.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/registration_json.hpp"
#include "protocol/wns_request.hpp"

namespace herald::protocol {

namespace {

using json = rapidjson::Value;

error invalid(std::string field, std::string message) {
  return error{errc::invalid_field, std::move(field), std::move(message), -1};
}

std::string_view text_of(const json& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::string serialise(const json& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

/// A string member, or nullopt when absent / null; an error when of another type.
result<std::optional<std::string>> string_member(const json& obj, const char* key,
                                                 const std::string& field) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    return std::optional<std::string>{};
  }
  if (!it->value.IsString()) {
    return invalid(field, "must be a string");
  }
  return std::optional<std::string>(text_of(it->value));
}

result<void> parse_target(const json& to, direct_send& out) {
  if (!to.IsObject()) {
    return invalid("to", "must be an object with identity, deviceId or token");
  }
  auto identity = string_member(to, "identity", "to.identity");
  auto device = string_member(to, "deviceId", "to.deviceId");
  auto token = string_member(to, "token", "to.token");
  for (const auto* r : {&identity, &device, &token}) {
    if (!*r) {
      return r->error();
    }
  }
  const int given = int(identity.value().has_value()) + int(device.value().has_value()) +
                    int(token.value().has_value());
  if (given != 1) {
    return invalid("to", "give exactly one of identity, deviceId, token");
  }
  if (identity.value()) {
    auto normalised = registrable_identity(*identity.value());
    if (!normalised) {
      return invalid("to.identity", "must be the rawId of an ACS or Teams user");
    }
    out.target = send_target::identity;
    out.identity = std::move(*normalised);
    return ok();
  }
  if (device.value()) {
    if (!valid_device_id(*device.value())) {
      return invalid("to.deviceId", "1 to 128 characters of [A-Za-z0-9._:-]");
    }
    out.target = send_target::device;
    out.device_id = std::move(*device.value());
    return ok();
  }
  out.target = send_target::token;
  auto plat = string_member(to, "platform", "to.platform");
  if (!plat) {
    return plat.error();
  }
  auto p = plat.value() ? parse_platform(*plat.value()) : std::nullopt;
  if (!p || (*p != platform::apns && *p != platform::fcm && *p != platform::wns)) {
    return invalid("to.platform", "a token send needs platform apns, fcm or wns");
  }
  out.channel = *p;
  out.token = std::move(*token.value());
  if (auto checked = validate_token(out.channel, out.token); !checked) {
    return invalid("to.token", checked.error().message);
  }
  auto env = string_member(to, "environment", "to.environment");
  if (!env) {
    return env.error();
  }
  if (env.value()) {
    auto e = parse_environment(*env.value());
    if (!e) {
      return invalid("to.environment", "must be production or sandbox");
    }
    out.env = *e;
  }
  return ok();
}

result<void> parse_data(const json& data, direct_send& out) {
  if (!data.IsObject() || data.MemberCount() > 64) {
    return invalid("data", "must be an object of at most 64 members");
  }
  for (const auto& m : data.GetObject()) {
    std::string key(text_of(m.name));
    std::string value;
    if (m.value.IsString()) {
      value = text_of(m.value);
    } else if (m.value.IsNumber() || m.value.IsBool()) {
      value = serialise(m.value);
    } else {
      return invalid("data", "member " + key + " must be a string, number or boolean");
    }
    if (key.empty() || key.size() > 64 || value.size() > 1024) {
      return invalid("data", "keys are 1 to 64 bytes, values at most 1024 bytes");
    }
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.data.insert_or_assign(std::move(key), std::move(value));
  }
  return ok();
}

/// `payload.wns`: `{"type": "wns/raw"|"wns/toast"|"wns/tile"|"wns/badge", "body": text}`
/// (Microsoft, "Push notification service request and response headers": X-WNS-Type; the
/// body at most 5000 bytes).
result<void> parse_wns_payload(const json& v, direct_send& out) {
  const auto shape = invalid("payload.wns", "must be an object with string members type and body");
  if (!v.IsObject()) {
    return shape;
  }
  auto type = v.FindMember("type");
  auto body = v.FindMember("body");
  if (type == v.MemberEnd() || body == v.MemberEnd() || !type->value.IsString() ||
      !body->value.IsString()) {
    return shape;
  }
  const std::string_view t(type->value.GetString(), type->value.GetStringLength());
  if (t != "wns/raw" && t != "wns/toast" && t != "wns/tile" && t != "wns/badge") {
    return invalid("payload.wns.type", "one of wns/raw, wns/toast, wns/tile, wns/badge");
  }
  const auto size = body->value.GetStringLength();
  if (size == 0 || size > wns_max_payload) {
    return invalid("payload.wns.body", "1 to 5000 bytes (the WNS limit)");
  }
  out.wns_type = std::string(t);
  out.wns_body.assign(body->value.GetString(), size);
  return ok();
}

result<void> parse_payload(const json& payload, direct_send& out) {
  if (!payload.IsObject()) {
    return invalid("payload", "must be an object with apns, fcm and/or wns");
  }
  auto apns = payload.FindMember("apns");
  auto fcm = payload.FindMember("fcm");
  auto wns = payload.FindMember("wns");
  if (apns == payload.MemberEnd() && fcm == payload.MemberEnd() && wns == payload.MemberEnd()) {
    return invalid("payload", "give apns, fcm and/or wns");
  }
  if (wns != payload.MemberEnd()) {
    if (auto parsed = parse_wns_payload(wns->value, out); !parsed) {
      return parsed;
    }
  }
  if (apns != payload.MemberEnd()) {
    const auto& v = apns->value;
    auto aps = v.IsObject() ? v.FindMember("aps") : v.MemberEnd();
    if (!v.IsObject() || aps == v.MemberEnd() || !aps->value.IsObject()) {
      return invalid("payload.apns", "must be an APNs payload object with an aps object");
    }
    out.apns_payload = serialise(v);
    out.apns_background = !aps->value.HasMember("alert");
    if (out.apns_payload.size() > apns_max_payload) {
      return invalid("payload.apns", "exceeds the APNs limit of 4096 bytes");
    }
  }
  if (fcm != payload.MemberEnd()) {
    const auto& v = fcm->value;
    if (!v.IsObject() || v.HasMember("token") || v.HasMember("topic") || v.HasMember("condition")) {
      return invalid("payload.fcm",
                     "must be an FCM message object without token, topic or condition");
    }
    if (auto data = v.FindMember("data"); data != v.MemberEnd()) {
      // FCM v1: `data` is a map<string, string>; anything else is INVALID_ARGUMENT.
      const bool strings =
          data->value.IsObject() && std::all_of(data->value.MemberBegin(), data->value.MemberEnd(),
                                                [](const auto& m) { return m.value.IsString(); });
      if (!strings) {
        return invalid("payload.fcm", "data must be an object of string values");
      }
    }
    out.fcm_message = serialise(v);
    if (out.fcm_message.size() > fcm_max_payload) {
      return invalid("payload.fcm", "exceeds the FCM limit of 4096 bytes");
    }
  }
  return ok();
}

} // namespace

std::string_view to_string(delivery_state s) noexcept {
  switch (s) {
  case delivery_state::pending:
    return "pending";
  case delivery_state::accepted:
    return "accepted";
  case delivery_state::rejected:
    return "rejected";
  case delivery_state::failed:
    return "failed";
  }
  return "failed";
}

std::optional<lane> parse_lane(std::string_view s) noexcept {
  for (const auto l : {lane::call, lane::chat, lane::bulk}) {
    if (s == to_string(l)) {
      return l;
    }
  }
  return std::nullopt;
}

result<direct_send> parse_direct_send_json(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    return error{errc::malformed_json, "", "the body is not JSON", -1};
  }
  if (!doc.IsObject()) {
    return error{errc::wrong_shape, "", "the body must be a JSON object", -1};
  }
  direct_send out;
  auto to = doc.FindMember("to");
  if (to == doc.MemberEnd()) {
    return error{errc::missing_field, "to", "required", -1};
  }
  if (auto t = parse_target(to->value, out); !t) {
    return t.error();
  }
  auto name = string_member(doc, "template", "template");
  if (!name) {
    return name.error();
  }
  auto payload = doc.FindMember("payload");
  const bool has_payload = payload != doc.MemberEnd() && !payload->value.IsNull();
  if (name.value().has_value() == has_payload) {
    return invalid("template", "give exactly one of template and payload");
  }
  if (name.value()) {
    if (name.value()->empty() || name.value()->size() > 64) {
      return invalid("template", "a template name is 1 to 64 bytes");
    }
    out.template_name = std::move(*name.value());
    if (auto data = doc.FindMember("data"); data != doc.MemberEnd() && !data->value.IsNull()) {
      if (auto d = parse_data(data->value, out); !d) {
        return d.error();
      }
    }
  } else if (auto p = parse_payload(payload->value, out); !p) {
    return p.error();
  }
  auto lane_name = string_member(doc, "lane", "lane");
  if (!lane_name) {
    return lane_name.error();
  }
  if (lane_name.value()) {
    auto l = parse_lane(*lane_name.value());
    if (!l) {
      return invalid("lane", "must be call, chat or bulk");
    }
    out.priority = *l;
  }
  if (auto ttl = doc.FindMember("ttl"); ttl != doc.MemberEnd() && !ttl->value.IsNull()) {
    if (!ttl->value.IsInt64() || ttl->value.GetInt64() < 0 ||
        ttl->value.GetInt64() > direct_send_max_ttl.count()) {
      return invalid("ttl", "seconds from 0 to " + std::to_string(direct_send_max_ttl.count()));
    }
    out.ttl = std::chrono::seconds(ttl->value.GetInt64());
  }
  return out;
}

} // namespace herald::protocol
