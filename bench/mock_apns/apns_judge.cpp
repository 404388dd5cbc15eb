#include "bench/mock_apns/apns_judge.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::bench {

namespace {

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool is_uuid(const std::string& s) {
  // Apple: "a canonical UUID ... 8-4-4-4-12" (header `apns-id`).
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

bool is_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool known_push_type(const std::string& t) {
  for (const char* known : {"alert", "background", "location", "voip", "complication",
                            "fileprovider", "mdm", "liveactivity", "pushtotalk"}) {
    if (t == known) {
      return true;
    }
  }
  return false;
}

} // namespace

std::optional<std::string> apns_judge::check_config(const apns_mock_config& config) {
  if (config.public_key.empty()) {
    return std::nullopt;
  }
  auto verifier = protocol::es256_verifier::from_pem(config.public_key);
  if (!verifier) {
    return "public key: " + verifier.error().describe();
  }
  return std::nullopt;
}

apns_judge::apns_judge(apns_mock_config config)
    : config_(std::move(config)), random_(std::random_device{}()) {
  if (!config_.public_key.empty()) {
    auto verifier = protocol::es256_verifier::from_pem(config_.public_key);
    if (verifier) {
      verifier_ = verifier.value();
    }
  }
}

std::string apns_judge::make_uuid() {
  std::uint64_t hi = random_(), lo = random_();
  char out[37];
  std::snprintf(out, sizeof out, "%08X-%04X-%04X-%04X-%012llX", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>((hi & 0x0fff) | 0x4000),
                static_cast<unsigned>(((lo >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return out;
}

std::optional<protocol::jwt_claims> apns_judge::claims_of(const std::string& token) const {
  for (const auto& [known, claims] : verified_) {
    if (known == token) {
      return claims;
    }
  }
  auto claims = verifier_->verify(token);
  if (!claims) {
    return std::nullopt; // never cached: every bad token is checked again
  }
  if (verified_.size() < verified_capacity) {
    verified_.emplace_back(token, claims.value());
  } else {
    verified_[verified_next_] = {token, claims.value()};
    verified_next_ = (verified_next_ + 1) % verified_capacity;
  }
  return claims.value();
}

std::string apns_judge::check_provider_token(const std::string& authorization,
                                             std::chrono::system_clock::time_point now,
                                             int& status) const {
  status = 403;
  if (authorization.empty()) {
    return "MissingProviderToken";
  }
  const std::string prefix = "bearer ";
  if (authorization.size() <= prefix.size() ||
      !std::equal(prefix.begin(), prefix.end(), authorization.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    return "InvalidProviderToken";
  }
  auto claims = claims_of(authorization.substr(prefix.size()));
  if (!claims || claims->kid != config_.key_id || claims->iss != config_.team_id || !claims->iat) {
    return "InvalidProviderToken";
  }
  // Apple: tokens older than one hour are rejected with ExpiredProviderToken.
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() -
             *claims->iat;
  if (age > 3600) {
    return "ExpiredProviderToken";
  }
  return {};
}

apns_answer apns_judge::judge(const transports::h2_server_request& request,
                              std::chrono::system_clock::time_point now) {
  apns_answer a;
  const std::string& apns_id = request.header("apns-id");
  a.apns_id = apns_id.empty() || !is_uuid(apns_id) ? make_uuid() : apns_id;
  auto reject = [&](int status, const char* reason) {
    a.status = status;
    a.reason = reason;
    return a;
  };
  const std::string device_prefix = "/3/device/";
  if (request.path.rfind(device_prefix, 0) != 0) {
    return reject(404, "BadPath");
  }
  if (request.method != "POST") {
    return reject(405, "MethodNotAllowed");
  }
  a.token = request.path.substr(device_prefix.size());
  if (verifier_) {
    int status = 403;
    auto reason = check_provider_token(request.header("authorization"), now, status);
    if (!reason.empty()) {
      a.status = status;
      a.reason = reason;
      return a;
    }
  }
  if (!apns_id.empty() && !is_uuid(apns_id)) {
    return reject(400, "BadMessageId");
  }
  const std::string& push_type = request.header("apns-push-type");
  if (!known_push_type(push_type)) {
    return reject(400, "InvalidPushType");
  }
  const std::string& topic = request.header("apns-topic");
  if (topic.empty()) {
    return reject(400, "MissingTopic");
  }
  std::string expected = push_type == "voip" ? config_.bundle_id + ".voip" : config_.bundle_id;
  if (!config_.bundle_id.empty() && topic != expected) {
    return reject(400, "DeviceTokenNotForTopic");
  }
  const std::string& priority = request.header("apns-priority");
  if (!priority.empty() && priority != "10" && priority != "5" && priority != "1") {
    return reject(400, "BadPriority");
  }
  const std::string& expiration = request.header("apns-expiration");
  if (!expiration.empty() && !is_digits(expiration)) {
    return reject(400, "BadExpirationDate");
  }
  if (a.token.size() < 64 || !is_hex(a.token)) {
    return reject(400, "BadDeviceToken");
  }
  if (request.body.empty()) {
    return reject(400, "PayloadEmpty");
  }
  // Apple: 4 KB for regular pushes, 5 KB for VoIP.
  if (request.body.size() > (push_type == "voip" ? 5120u : 4096u)) {
    return reject(413, "PayloadTooLarge");
  }
  if (std::find(config_.unregistered.begin(), config_.unregistered.end(), a.token) !=
      config_.unregistered.end()) {
    a.timestamp =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return reject(410, "Unregistered");
  }
  if (config_.fail_rate > 0 &&
      std::uniform_real_distribution<double>(0, 1)(random_) < config_.fail_rate) {
    a.retry_after_s = config_.retry_after_s;
    switch (config_.fail_status) {
    case 429:
      return reject(429, "TooManyRequests");
    case 500:
      return reject(500, "InternalServerError");
    default:
      return reject(config_.fail_status, "ServiceUnavailable");
    }
  }
  return a;
}

void apns_judge::encode(const apns_answer& answer, transports::h2_headers& headers,
                        std::string& body) {
  headers.emplace_back("apns-id", answer.apns_id);
  if (answer.status == 200) {
    return; // Success has an empty body.
  }
  if (answer.retry_after_s > 0) {
    headers.emplace_back("retry-after", std::to_string(answer.retry_after_s));
  }
  headers.emplace_back("content-type", "application/json");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("reason");
  w.String(answer.reason.c_str());
  if (answer.timestamp) {
    w.Key("timestamp");
    w.Int64(*answer.timestamp);
  }
  w.EndObject();
  body.assign(buffer.GetString(), buffer.GetSize());
}

} // namespace herald::bench
