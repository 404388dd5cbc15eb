// classify_apns: Apple, "Handling notification responses from APNs" (status codes and the
// `reason` strings of the error body).
#include "protocol/apns_request.hpp"

#include <rapidjson/document.h>

#include "protocol/retry_after.hpp"

namespace herald::protocol {

namespace {

struct apns_error_body {
  std::string reason;
  std::optional<std::int64_t> timestamp_ms;
};

apns_error_body parse_body(const std::string& body) {
  apns_error_body out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return out; // Not JSON (a proxy's HTML page, say): classify on the status alone.
  }
  if (const auto it = doc.FindMember("reason"); it != doc.MemberEnd() && it->value.IsString()) {
    out.reason.assign(it->value.GetString(), it->value.GetStringLength());
  }
  if (const auto it = doc.FindMember("timestamp"); it != doc.MemberEnd() && it->value.IsNumber()) {
    // Milliseconds since the epoch. Anything before 1970 or from 2200 on is not a time Apple
    // sends, and beyond 2262 system_clock's nanoseconds overflow.
    constexpr double max_ms = 7258118399999.0; // 2199-12-31T23:59:59.999Z
    const double ms = it->value.GetDouble();
    if (ms >= 0 && ms <= max_ms) {
      out.timestamp_ms = static_cast<std::int64_t>(ms);
    }
  }
  return out;
}

bool token_dead_reason(std::string_view r) {
  return r == "BadDeviceToken" || r == "DeviceTokenNotForTopic" || r == "Unregistered" ||
         r == "ExpiredToken";
}

verdict_kind kind_for(int status, std::string_view reason) {
  switch (status) {
  case 200:
    return verdict_kind::accepted;
  case 400:
    // IdleTimeout is Apple's connection idling out, not a fault of the request.
    return reason == "IdleTimeout" ? verdict_kind::failed : verdict_kind::rejected;
  case 403:
    // Provider-token and certificate problems (ExpiredProviderToken, InvalidProviderToken,
    // MissingProviderToken, BadEnvironmentKey[Id]InToken, UnrelatedKeyIdInToken,
    // BadCertificate[Environment], Forbidden): fix the credential, then retry.
    return verdict_kind::unauthorized;
  case 404: // BadPath
  case 405: // MethodNotAllowed
  case 410: // Unregistered, ExpiredToken
  case 413: // PayloadTooLarge
    return verdict_kind::rejected;
  case 429: // TooManyRequests (per device), TooManyProviderTokenUpdates
    return verdict_kind::failed;
  default:
    break;
  }
  // Unknown status. 4xx: our request is at fault, retrying cannot help; anything else
  // (5xx, 1xx/3xx from a middlebox): transient, retried until the deadline.
  return status >= 400 && status < 500 ? verdict_kind::rejected : verdict_kind::failed;
}

} // namespace

verdict classify_apns(const provider_response& response,
                      std::chrono::system_clock::time_point now) {
  verdict v;
  v.status = response.status;
  v.provider_id = response.header("apns-id");
  const auto body = response.status == 200 ? apns_error_body{} : parse_body(response.body);
  v.reason = body.reason;
  v.kind = kind_for(response.status, v.reason);
  if (v.kind == verdict_kind::rejected && (token_dead_reason(v.reason) || response.status == 410)) {
    // 410 always means "the device token is no longer active for the topic".
    v.token_dead = true;
    if (response.status == 410 && body.timestamp_ms) {
      // Apple sends milliseconds since the epoch here, unlike apns-expiration (seconds).
      v.token_dead_since =
          std::chrono::system_clock::time_point{std::chrono::milliseconds{*body.timestamp_ms}};
    }
  }
  if (v.kind == verdict_kind::failed || v.kind == verdict_kind::unauthorized) {
    v.retry_after = parse_retry_after(response.header("retry-after"), now);
  }
  return v;
}

verdict classify_apns(const provider_response& response) {
  return classify_apns(response, std::chrono::system_clock::now());
}

} // namespace herald::protocol
