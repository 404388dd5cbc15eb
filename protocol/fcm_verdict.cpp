// classify_fcm: Firebase, "FCM error codes" (HTTP v1 ErrorCode enum) and google.rpc.Status.
#include "protocol/fcm_message.hpp"

#include <rapidjson/document.h>

#include "protocol/retry_after.hpp"

namespace herald::protocol {

namespace {

constexpr std::string_view fcm_error_type = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
constexpr std::string_view bad_request_type = "type.googleapis.com/google.rpc.BadRequest";

struct fcm_error_body {
  std::string error_code;   ///< details[].errorCode of the FcmError entry
  std::string status;       ///< error.status
  bool token_field = false; ///< a BadRequest fieldViolation names message.token
  std::string name;         ///< success body `name`
};

std::string_view str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) {
    return {};
  }
  const auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

fcm_error_body parse_body(const std::string& body) {
  fcm_error_body out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return out;
  }
  out.name = str(doc, "name");
  const auto err = doc.FindMember("error");
  if (err == doc.MemberEnd() || !err->value.IsObject()) {
    return out;
  }
  out.status = str(err->value, "status");
  const auto details = err->value.FindMember("details");
  if (details == err->value.MemberEnd() || !details->value.IsArray()) {
    return out;
  }
  for (const auto& d : details->value.GetArray()) {
    const auto type = str(d, "@type");
    if (type == fcm_error_type && out.error_code.empty()) {
      out.error_code = str(d, "errorCode");
    } else if (type == bad_request_type) {
      const auto violations = d.FindMember("fieldViolations");
      if (violations == d.MemberEnd() || !violations->value.IsArray()) {
        continue;
      }
      for (const auto& v : violations->value.GetArray()) {
        out.token_field = out.token_field || str(v, "field") == "message.token";
      }
    }
  }
  return out;
}

} // namespace

verdict classify_fcm(const provider_response& response, std::chrono::system_clock::time_point now) {
  verdict v;
  v.status = response.status;
  const auto body = parse_body(response.body);
  if (response.status == 200) {
    v.kind = verdict_kind::accepted;
    v.provider_id = body.name;
    return v;
  }
  const std::string& code = !body.error_code.empty() ? body.error_code : body.status;
  v.reason = code;
  const int s = response.status;
  if (code == "UNREGISTERED" || code == "SENDER_ID_MISMATCH") {
    v.kind = verdict_kind::rejected;
    v.token_dead = true;
  } else if (code == "INVALID_ARGUMENT") {
    v.kind = verdict_kind::rejected;
    v.token_dead = body.token_field;
  } else if (code == "THIRD_PARTY_AUTH_ERROR") {
    v.kind = verdict_kind::rejected;
  } else if (code == "QUOTA_EXCEEDED" || code == "RESOURCE_EXHAUSTED" || code == "UNAVAILABLE" ||
             code == "INTERNAL") {
    v.kind = verdict_kind::failed;
  } else if (s == 401 || s == 403 || code == "UNAUTHENTICATED" || code == "PERMISSION_DENIED") {
    v.kind = verdict_kind::unauthorized;
  } else if (s == 429 || s >= 500 || s < 400) {
    v.kind = verdict_kind::failed;
  } else {
    v.kind = verdict_kind::rejected; // other 4xx: our request is wrong; retrying cannot help
  }
  if (v.kind == verdict_kind::failed || v.kind == verdict_kind::unauthorized) {
    v.retry_after = parse_retry_after(response.header("retry-after"), now);
  }
  return v;
}

verdict classify_fcm(const provider_response& response) {
  return classify_fcm(response, std::chrono::system_clock::now());
}

} // namespace herald::protocol
