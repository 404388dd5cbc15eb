#include "protocol/registration_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "protocol/communication_identifier.hpp"
#include "protocol/rfc3339.hpp"

namespace herald::protocol {

namespace {

error invalid(std::string field, std::string message) {
  return error{errc::invalid_field, std::move(field), std::move(message), -1};
}

bool all_of(std::string_view s, bool (*pred)(unsigned char)) {
  return std::all_of(s.begin(), s.end(),
                     [pred](char c) { return pred(static_cast<unsigned char>(c)); });
}

bool is_hex(unsigned char c) {
  return std::isxdigit(c) != 0;
}
bool is_fcm_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_' || c == ':' || c == '-' || c == '.';
}
bool is_id_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_' || c == ':' || c == '-' || c == '.';
}

} // namespace

result<void> validate_token(platform p, std::string_view token) {
  switch (p) {
  case platform::apns:
  case platform::apns_voip:
    // APNs device tokens are 32 bytes today; Apple warns they may grow, so allow up to 100.
    if (token.size() < 64 || token.size() > 200 || token.size() % 2 != 0 ||
        !all_of(token, is_hex)) {
      return invalid("token", "an APNs token is 64 to 200 hexadecimal digits");
    }
    return ok();
  case platform::fcm:
    if (token.size() < 32 || token.size() > 4096 || !all_of(token, is_fcm_char)) {
      return invalid("token", "an FCM token is 32 to 4096 characters of [A-Za-z0-9_:.-]");
    }
    return ok();
  case platform::wns:
    if (token.rfind("https://", 0) != 0 || token.size() > 2048 || token.size() <= 8) {
      return invalid("token", "a WNS token is an https:// channel URI");
    }
    return ok();
  }
  return invalid("platform", "unknown platform");
}

bool valid_device_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= 128 && all_of(id, is_id_char);
}

namespace {

/// Parses `text` (`what`: "the body", "the line") as one JSON object into `doc`.
result<void> parse_object(rapidjson::Document& doc, std::string_view text, std::string_view what) {
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return error{errc::malformed_json, "", std::string(what) + " is not JSON", -1};
  }
  if (!doc.IsObject()) {
    return error{errc::wrong_shape, "", std::string(what) + " must be a JSON object", -1};
  }
  return ok();
}

/// The registration fields of a parsed object (see `parse_registration_json`); with
/// `expires_ms`, an absent `expiresAt` may be given as `expiresAtMs` (the export's form).
result<registration> registration_of(const rapidjson::Document& doc, std::string_view app,
                                     std::string_view device_id,
                                     std::chrono::system_clock::time_point now,
                                     std::chrono::seconds default_ttl, bool expires_ms) {
  auto text = [&](const char* key, bool required) -> result<std::string> {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || it->value.IsNull()) {
      if (required) {
        return error{errc::missing_field, key, "required", -1};
      }
      return std::string{};
    }
    if (!it->value.IsString()) {
      return invalid(key, "must be a string");
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };

  registration reg;
  reg.app = app;
  reg.device_id = device_id;
  reg.updated_at = now;

  auto identity = text("identity", true);
  if (!identity) {
    return identity.error();
  }
  reg.identity = std::move(identity).value();
  if (reg.identity.empty() || reg.identity.size() > 256) {
    return invalid("identity", "must be a rawId of 1 to 256 bytes");
  }

  auto plat = text("platform", true);
  if (!plat) {
    return plat.error();
  }
  auto p = parse_platform(plat.value());
  if (!p) {
    return invalid("platform", "must be one of apns, apns-voip, fcm, wns");
  }
  reg.channel = *p;

  auto token = text("token", true);
  if (!token) {
    return token.error();
  }
  reg.token = std::move(token).value();
  if (auto checked = validate_token(reg.channel, reg.token); !checked) {
    return checked.error();
  }

  auto env = text("environment", false);
  if (!env) {
    return env.error();
  }
  if (!env.value().empty()) {
    auto e = parse_environment(env.value());
    if (!e) {
      return invalid("environment", "must be production or sandbox");
    }
    reg.env = *e;
  }

  auto locale = text("locale", false);
  if (!locale) {
    return locale.error();
  }
  reg.locale = std::move(locale).value();
  if (reg.locale.size() > 35) {
    return invalid("locale", "must be a BCP 47 tag of at most 35 bytes");
  }

  if (auto it = doc.FindMember("tags"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray() || it->value.Size() > 32) {
      return invalid("tags", "must be an array of at most 32 strings");
    }
    for (const auto& tag : it->value.GetArray()) {
      if (!tag.IsString() || tag.GetStringLength() == 0 || tag.GetStringLength() > 64) {
        return invalid("tags", "each tag is a string of 1 to 64 bytes");
      }
      reg.tags.emplace_back(tag.GetString(), tag.GetStringLength());
    }
  }

  auto expires = text("expiresAt", false);
  if (!expires) {
    return expires.error();
  }
  if (!expires.value().empty()) {
    auto at = parse_rfc3339(expires.value());
    if (!at) {
      return invalid("expiresAt", "must be an RFC 3339 date-time");
    }
    if (*at <= now) {
      return invalid("expiresAt", "must be in the future");
    }
    reg.expires_at = *at;
  } else if (auto ms = doc.FindMember("expiresAtMs");
             expires_ms && ms != doc.MemberEnd() && !ms->value.IsNull()) {
    if (!ms->value.IsInt64()) {
      return invalid("expiresAtMs", "must be an integer (Unix milliseconds)");
    }
    const std::chrono::system_clock::time_point at{std::chrono::milliseconds(ms->value.GetInt64())};
    if (at <= now) {
      return invalid("expiresAtMs", "must be in the future");
    }
    reg.expires_at = at;
  } else if (default_ttl.count() > 0) {
    reg.expires_at = now + default_ttl;
  }
  return reg;
}

} // namespace

result<registration> parse_registration_json(std::string_view body, std::string_view app,
                                             std::string_view device_id,
                                             std::chrono::system_clock::time_point now,
                                             std::chrono::seconds default_ttl) {
  rapidjson::Document doc;
  if (auto parsed = parse_object(doc, body, "the body"); !parsed) {
    return parsed.error();
  }
  return registration_of(doc, app, device_id, now, default_ttl, false);
}

result<registration> parse_registration_line(std::string_view line, std::string_view app,
                                             std::chrono::system_clock::time_point now,
                                             std::chrono::seconds default_ttl) {
  rapidjson::Document doc;
  if (auto parsed = parse_object(doc, line, "the line"); !parsed) {
    return parsed.error();
  }
  auto id = doc.FindMember("deviceId");
  if (id == doc.MemberEnd() || id->value.IsNull()) {
    return error{errc::missing_field, "deviceId", "required", -1};
  }
  if (!id->value.IsString() ||
      !valid_device_id({id->value.GetString(), id->value.GetStringLength()})) {
    return invalid("deviceId", "1 to 128 characters of [A-Za-z0-9._:-]");
  }
  return registration_of(doc, app, {id->value.GetString(), id->value.GetStringLength()}, now,
                         default_ttl, true);
}

std::optional<std::string> registrable_identity(std::string_view raw) {
  if (raw.empty() || raw.size() > 256) {
    return std::nullopt;
  }
  auto id = communication_identifier::from_raw_id(raw);
  if (!id.can_receive_app_push()) {
    return std::nullopt;
  }
  return id.to_raw_id();
}

std::string registration_to_json(const registration& reg) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto ms = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  w.StartObject();
  w.Key("app");
  w.String(reg.app.c_str(), static_cast<rapidjson::SizeType>(reg.app.size()));
  w.Key("deviceId");
  w.String(reg.device_id.c_str(), static_cast<rapidjson::SizeType>(reg.device_id.size()));
  w.Key("identity");
  w.String(reg.identity.c_str(), static_cast<rapidjson::SizeType>(reg.identity.size()));
  w.Key("platform");
  auto p = to_string(reg.channel);
  w.String(p.data(), static_cast<rapidjson::SizeType>(p.size()));
  w.Key("token");
  w.String(reg.token.c_str(), static_cast<rapidjson::SizeType>(reg.token.size()));
  w.Key("environment");
  auto e = to_string(reg.env);
  w.String(e.data(), static_cast<rapidjson::SizeType>(e.size()));
  if (!reg.locale.empty()) {
    w.Key("locale");
    w.String(reg.locale.c_str(), static_cast<rapidjson::SizeType>(reg.locale.size()));
  }
  w.Key("tags");
  w.StartArray();
  for (const auto& t : reg.tags) {
    w.String(t.c_str(), static_cast<rapidjson::SizeType>(t.size()));
  }
  w.EndArray();
  w.Key("updatedAtMs");
  w.Int64(ms(reg.updated_at));
  if (reg.expires_at) {
    w.Key("expiresAtMs");
    w.Int64(ms(*reg.expires_at));
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace herald::protocol
