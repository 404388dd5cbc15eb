#include "bench/mock_fcm/fcm_judge.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bench/support/form.hpp"
#include "protocol/base64url.hpp"

namespace herald::bench {

namespace {

using clock = std::chrono::system_clock;

constexpr std::string_view fcm_scope = "https://www.googleapis.com/auth/firebase.messaging";
constexpr std::string_view jwt_bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::size_t max_payload = 4096; // Firebase, "About FCM messages".

std::shared_ptr<EVP_PKEY> load_key(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                &BIO_free);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    bio.reset(BIO_new_mem_buf(pem.data(), int(pem.size())));
    key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  }
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return {key, &EVP_PKEY_free};
}

bool rs256_verify(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

/// RFC 6749 §5.2 error body.
fcm_answer oauth_error(int status, const char* error, const std::string& description) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.String(error);
  w.Key("error_description");
  w.String(description.c_str());
  w.EndObject();
  return {fcm_answer::kind::token, status, buf.GetString(), -1, {}, {}, {}};
}

/// A google.rpc.Status error body as FCM v1 sends it, with an FcmError detail when
/// `fcm_code` is set (Firebase, "FCM error codes").
fcm_answer google_error(int status, const char* rpc_status, const std::string& message,
                        const char* fcm_code) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.Int(status);
  w.Key("message");
  w.String(message.c_str());
  w.Key("status");
  w.String(rpc_status);
  if (fcm_code != nullptr) {
    w.Key("details");
    w.StartArray();
    w.StartObject();
    w.Key("@type");
    w.String("type.googleapis.com/google.firebase.fcm.v1.FcmError");
    w.Key("errorCode");
    w.String(fcm_code);
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return {fcm_answer::kind::send, status, buf.GetString(), -1, {}, {}, {}};
}

std::size_t json_size(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetSize();
}

const char* string_member(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : nullptr;
}

} // namespace

std::optional<std::string> fcm_judge::check_config(const fcm_mock_config& config) {
  if (!load_key(config.public_key)) {
    return "service account key: not a PEM RSA key";
  }
  return std::nullopt;
}

fcm_judge::fcm_judge(fcm_mock_config config)
    : config_(std::move(config)), key_(load_key(config_.public_key)),
      random_(std::random_device{}()) {}

fcm_answer fcm_judge::judge(const transports::h2_server_request& request, clock::time_point now) {
  if (request.method == "POST" && request.path == "/token") {
    return issue_token(request, now);
  }
  if (request.method == "POST" && request.path.starts_with("/v1/projects/")) {
    return send(request, now);
  }
  auto out = google_error(404, "NOT_FOUND", "Requested entity was not found.", nullptr);
  out.what = fcm_answer::kind::other;
  return out;
}

std::string fcm_judge::check_assertion(const std::string& jwt, const std::string& audience,
                                       clock::time_point now) const {
  auto dot1 = jwt.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    return "assertion is not a JWS";
  }
  auto header = protocol::base64url_decode(std::string_view(jwt).substr(0, dot1));
  auto claims = protocol::base64url_decode(std::string_view(jwt).substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = protocol::base64url_decode(std::string_view(jwt).substr(dot2 + 1));
  if (!header || !claims || !sig) {
    return "assertion segments are not base64url";
  }
  rapidjson::Document h, c;
  h.Parse(header.value().c_str());
  c.Parse(claims.value().c_str());
  if (h.HasParseError() || !h.IsObject() || c.HasParseError() || !c.IsObject()) {
    return "assertion header or claims are not JSON objects";
  }
  const char* alg = string_member(h, "alg");
  if (alg == nullptr || std::string_view(alg) != "RS256") {
    return "alg must be RS256";
  }
  if (!rs256_verify(key_.get(), std::string_view(jwt).substr(0, dot2), sig.value())) {
    return "Invalid JWT Signature.";
  }
  const char* iss = string_member(c, "iss");
  if (iss == nullptr || (!config_.client_email.empty() && config_.client_email != iss)) {
    return "Invalid issuer";
  }
  const char* aud = string_member(c, "aud");
  if (aud == nullptr || audience != aud) {
    return "Invalid JWT: aud must be " + audience;
  }
  const char* scope = string_member(c, "scope");
  if (scope == nullptr || std::string_view(scope).find(fcm_scope) == std::string_view::npos) {
    return "Invalid scope";
  }
  auto iat = c.FindMember("iat");
  auto exp = c.FindMember("exp");
  if (iat == c.MemberEnd() || exp == c.MemberEnd() || !iat->value.IsInt64() ||
      !exp->value.IsInt64()) {
    return "iat and exp are required";
  }
  auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Google: exp at most one hour after iat; allow a minute of clock skew on iat.
  if (exp->value.GetInt64() <= t || iat->value.GetInt64() > t + 60 ||
      exp->value.GetInt64() - iat->value.GetInt64() > 3600) {
    return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
           "timeframe.";
  }
  return {};
}

fcm_answer fcm_judge::issue_token(const transports::h2_server_request& request,
                                  clock::time_point now) {
  if (form_field(request.body, "grant_type") != jwt_bearer) {
    return oauth_error(400, "unsupported_grant_type", "Invalid grant_type");
  }
  auto audience =
      config_.audience.empty() ? "https://" + request.authority + request.path : config_.audience;
  if (auto why = check_assertion(form_field(request.body, "assertion"), audience, now);
      !why.empty()) {
    return oauth_error(400, "invalid_grant", why);
  }
  char token[64];
  std::snprintf(token, sizeof token, "ya29.mock-%llu-%016llx",
                static_cast<unsigned long long>(++counter_),
                static_cast<unsigned long long>(random_()));
  issued_[token] = now + config_.token_ttl;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("access_token");
  w.String(token);
  w.Key("expires_in");
  w.Int64(config_.token_ttl.count());
  w.Key("token_type");
  w.String("Bearer");
  w.EndObject();
  return {fcm_answer::kind::token, 200, buf.GetString(), -1, {}, {}, {}};
}

fcm_answer fcm_judge::send(const transports::h2_server_request& request, clock::time_point now) {
  static constexpr std::string_view suffix = "/messages:send";
  std::string_view path = request.path;
  auto project = path.substr(std::string_view("/v1/projects/").size());
  if (!project.ends_with(suffix)) {
    return google_error(404, "NOT_FOUND", "Requested entity was not found.", nullptr);
  }
  project.remove_suffix(suffix.size());
  if (!config_.project_id.empty() && project != config_.project_id) {
    return google_error(403, "PERMISSION_DENIED", "Permission denied on project.",
                        "SENDER_ID_MISMATCH");
  }
  const auto& auth = request.header("authorization");
  auto it = auth.starts_with("Bearer ") ? issued_.find(auth.substr(7)) : issued_.end();
  if (it == issued_.end() || it->second <= now) {
    return google_error(401, "UNAUTHENTICATED",
                        "Request had invalid authentication credentials. Expected OAuth 2 "
                        "access token, login cookie or other valid authentication credential.",
                        nullptr);
  }
  rapidjson::Document doc;
  doc.Parse(request.body.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("message") ||
      !doc["message"].IsObject()) {
    return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.",
                        "INVALID_ARGUMENT");
  }
  const auto& message = doc["message"];
  const char* token = string_member(message, "token");
  if (token == nullptr || *token == '\0') {
    return google_error(400, "INVALID_ARGUMENT",
                        "The registration token is not a valid FCM "
                        "registration token",
                        "INVALID_ARGUMENT");
  }
  std::size_t payload = 0;
  std::string call_id;
  if (auto data = message.FindMember("data"); data != message.MemberEnd()) {
    if (!data->value.IsObject()) {
      return google_error(400, "INVALID_ARGUMENT", "Invalid value at 'message.data'",
                          "INVALID_ARGUMENT");
    }
    for (const auto& m : data->value.GetObject()) {
      if (!m.value.IsString()) {
        return google_error(400, "INVALID_ARGUMENT",
                            std::string("Invalid value at 'message.data[") + m.name.GetString() +
                                "]': values must be strings",
                            "INVALID_ARGUMENT");
      }
      if (std::string_view(m.name.GetString()) == "callId") {
        call_id = m.value.GetString();
      }
    }
    payload += json_size(data->value);
  }
  if (auto n = message.FindMember("notification"); n != message.MemberEnd()) {
    payload += json_size(n->value);
  }
  if (payload > max_payload) {
    return google_error(400, "INVALID_ARGUMENT", "Message is too big", "INVALID_ARGUMENT");
  }
  fcm_answer out;
  out.token = token;
  out.call_id = std::move(call_id);
  // Faults are spread evenly (send k fails when floor(k * rate) steps up) instead of drawn at
  // random, so a test's failure pattern, and a retrying client's worst case, is reproducible.
  ++valid_sends_;
  auto steps = [this](std::uint64_t k) {
    return static_cast<std::uint64_t>(static_cast<double>(k) * config_.fail_rate);
  };
  if (steps(valid_sends_) > steps(valid_sends_ - 1)) {
    const char* status = config_.fail_status == 429   ? "RESOURCE_EXHAUSTED"
                         : config_.fail_status == 500 ? "INTERNAL"
                                                      : "UNAVAILABLE";
    const char* code = config_.fail_status == 429   ? "QUOTA_EXCEEDED"
                       : config_.fail_status == 500 ? "INTERNAL"
                                                    : "UNAVAILABLE";
    auto failed = google_error(config_.fail_status, status, "Injected failure", code);
    failed.token = token;
    failed.retry_after_s = config_.retry_after_s;
    return failed;
  }
  if (std::find(config_.unregistered.begin(), config_.unregistered.end(), token) !=
      config_.unregistered.end()) {
    auto gone = google_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED");
    gone.token = token;
    return gone;
  }
  out.what = fcm_answer::kind::send;
  out.status = 200;
  out.name = "projects/" + std::string(project) + "/messages/0:" + std::to_string(++counter_);
  out.body = "{\"name\":\"" + out.name + "\"}";
  return out;
}

transports::h2_headers fcm_judge::headers(const fcm_answer& answer) {
  transports::h2_headers out{{"content-type", "application/json; charset=UTF-8"}};
  if (answer.retry_after_s >= 0) {
    out.emplace_back("retry-after", std::to_string(answer.retry_after_s));
  }
  return out;
}

} // namespace herald::bench
