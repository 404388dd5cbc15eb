#include "protocol/webhook_handshake.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_access.hpp"

namespace herald::protocol {

std::string validation_response_body(std::string_view code) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("validationResponse");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

result<std::vector<std::pair<std::string, std::string>>>
abuse_protection_headers(std::string_view request_origin, const abuse_protection_policy& policy) {
  // Header values may carry optional surrounding whitespace (RFC 9110 section 5.5).
  while (!request_origin.empty() &&
         (request_origin.front() == ' ' || request_origin.front() == '\t')) {
    request_origin.remove_prefix(1);
  }
  while (!request_origin.empty() &&
         (request_origin.back() == ' ' || request_origin.back() == '\t')) {
    request_origin.remove_suffix(1);
  }
  if (request_origin.empty()) {
    return error{errc::missing_field, "WebHook-Request-Origin",
                 "required by the CloudEvents "
                 "web hook validation handshake",
                 -1};
  }
  if (!policy.allowed_origins.empty()) {
    bool allowed = false;
    for (const auto& o : policy.allowed_origins) {
      allowed = allowed || json::iequals(o, request_origin);
    }
    if (!allowed) {
      return error{errc::invalid_field, "WebHook-Request-Origin",
                   "origin not allowed: " + std::string{request_origin}, -1};
    }
  }
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("webhook-allowed-origin", std::string{request_origin});
  headers.emplace_back("webhook-allowed-rate",
                       policy.allowed_rate ? std::to_string(*policy.allowed_rate) : "*");
  headers.emplace_back("allow", "POST");
  return headers;
}

} // namespace herald::protocol
