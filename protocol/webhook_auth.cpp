#include "protocol/webhook_auth.hpp"

#include <algorithm>
#include <cmath>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <rapidjson/document.h>

#include "protocol/base64url.hpp"
#include "protocol/json_access.hpp"
#include "protocol/jwt_keys.hpp"

namespace herald::protocol {
namespace {

using verdict = webhook_auth_decision::verdict;

webhook_auth_decision wrong(std::string reason, std::string detail) {
  return {verdict::wrong, std::move(reason), std::move(detail)};
}

/// The token of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is
/// case-insensitive, RFC 9110 §11.1), or nullopt for another scheme.
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size() || !json::iequals(header.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  auto token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  return token;
}

std::string_view string_claim(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

/// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional), or nullopt.
std::optional<std::int64_t> date_claim(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsNumber()) {
    return std::nullopt;
  }
  // Clamp before converting: a double beyond int64's range is undefined behaviour to cast, and
  // a date that far out means "never" (exp) or "always" (nbf) either way.
  const double v = std::floor(it->value.GetDouble());
  constexpr double limit = 9.0e18;
  if (v >= limit) {
    return static_cast<std::int64_t>(limit);
  }
  if (v <= -limit) {
    return -static_cast<std::int64_t>(limit);
  }
  return static_cast<std::int64_t>(v);
}

/// RFC 7519 §4.1.3: `aud` is one string or an array of strings.
bool audience_has(const rapidjson::Value& claims, std::string_view audience) {
  const auto it = claims.FindMember("aud");
  if (it == claims.MemberEnd()) {
    return false;
  }
  auto is = [&](const rapidjson::Value& v) {
    return v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == audience;
  };
  if (it->value.IsArray()) {
    return std::any_of(it->value.Begin(), it->value.End(), is);
  }
  return is(it->value);
}

} // namespace

int webhook_auth_decision::status() const noexcept {
  switch (what) {
  case verdict::allowed:
    return 200;
  case verdict::missing:
    return 401;
  case verdict::wrong:
    return 403;
  }
  return 403;
}

result<webhook_authenticator> webhook_authenticator::make(webhook_auth_settings settings) {
  webhook_authenticator out;
  auto hash_all = [](const std::vector<std::string>& secrets, const char* field,
                     std::vector<digest>& into) -> result<void> {
    if (secrets.size() > 2) {
      return error{errc::invalid_field, field, "at most two values (current and next)"};
    }
    for (const auto& s : secrets) {
      if (s.empty()) {
        return error{errc::invalid_field, field, "a secret must not be empty"};
      }
      digest d{};
      SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
      into.push_back(d);
    }
    return ok();
  };
  if (settings.query_parameter.empty()) {
    return error{errc::invalid_field, "query_parameter", "must not be empty"};
  }
  out.query_parameter_ = std::move(settings.query_parameter);
  if (auto r = hash_all(settings.query_secrets, "query_secrets", out.query_secrets_); !r) {
    return r.error();
  }
  if (auto r = hash_all(settings.sas_keys, "sas_keys", out.sas_keys_); !r) {
    return r.error();
  }
  if (settings.jwt) {
    const auto& jwt = *settings.jwt;
    if (jwt.audience.empty()) {
      return error{errc::missing_field, "jwt.audience", "JWT checks need an audience"};
    }
    if (jwt.issuers.empty()) {
      return error{errc::missing_field, "jwt.issuers", "JWT checks need an accepted issuer"};
    }
    if (jwt.keys.empty()) {
      return error{errc::missing_field, "jwt.keys", "JWT checks need a public key"};
    }
    for (const auto& k : jwt.keys) {
      auto key = jwt_keys::load_public_key(k.public_key_pem);
      if (!key || !jwt_keys::is_rsa(key.value().get())) {
        return error{errc::crypto_failure, "jwt.keys." + k.kid, "not an RSA public key (PEM)"};
      }
      out.keys_.push_back({k.kid, std::move(key).value()});
    }
    out.jwt_ = std::move(settings.jwt);
  }
  return out;
}

bool webhook_authenticator::enabled() const noexcept {
  return !query_secrets_.empty() || !sas_keys_.empty() || jwt_.has_value();
}

bool webhook_authenticator::matches(const std::vector<digest>& accepted, std::string_view given) {
  digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), d.data());
  // Compare with every accepted digest, without stopping at the first match, so the time
  // taken does not say which one matched.
  bool any = false;
  for (const auto& a : accepted) {
    any |= CRYPTO_memcmp(a.data(), d.data(), d.size()) == 0;
  }
  return any;
}

webhook_auth_decision
webhook_authenticator::decide(const webhook_credentials& credentials,
                              std::chrono::system_clock::time_point now) const {
  if (!enabled()) {
    return {verdict::allowed, "none", "no authentication configured"};
  }
  std::optional<webhook_auth_decision> failure;
  if (!query_secrets_.empty() && credentials.query_secret) {
    if (matches(query_secrets_, *credentials.query_secret)) {
      return {verdict::allowed, "query_secret", {}};
    }
    failure = wrong("query_secret", "the " + query_parameter_ + " query parameter is wrong");
  }
  if (!sas_keys_.empty() && credentials.sas_key != nullptr) {
    if (matches(sas_keys_, *credentials.sas_key)) {
      return {verdict::allowed, "sas_key", {}};
    }
    failure = wrong("sas_key", "the aeg-sas-key header is wrong");
  }
  if (jwt_ && credentials.authorization != nullptr) {
    if (auto token = bearer_token(*credentials.authorization)) {
      auto d = check_jwt(*token, now);
      if (d.what == verdict::allowed) {
        return d;
      }
      failure = std::move(d);
    }
  }
  if (failure) {
    return std::move(*failure);
  }
  return {verdict::missing, "missing",
          "credentials required: the " + query_parameter_ +
              " query parameter, the aeg-sas-key header or an Authorization: Bearer token"};
}

webhook_auth_decision
webhook_authenticator::check_jwt(std::string_view token,
                                 std::chrono::system_clock::time_point now) const {
  // RFC 7515 §7.1 compact serialisation: exactly three segments.
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return wrong("jwt_malformed", "the Bearer token is not a compact JWS");
  }
  const auto header = jwt_keys::json_segment(token.substr(0, dot1), "header");
  const auto claims = jwt_keys::json_segment(token.substr(dot1 + 1, dot2 - dot1 - 1), "claims");
  const auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !sig) {
    return wrong("jwt_malformed", "the Bearer token's segments are not base64url JSON");
  }
  // RFC 8725 §3.1: the algorithm is ours to choose, never the token's.
  if (string_claim(header.value(), "alg") != "RS256") {
    return wrong("jwt_malformed", "the Bearer token must be signed with RS256");
  }
  const auto kid = string_claim(header.value(), "kid");
  const auto key =
      std::find_if(keys_.begin(), keys_.end(), [&](const loaded_key& k) { return k.kid == kid; });
  if (key == keys_.end()) {
    return wrong("jwt_unknown_key", "the Bearer token's kid names no configured key");
  }
  if (!jwt_keys::sha256_verify(key->key.get(), token.substr(0, dot2), sig.value())) {
    return wrong("jwt_signature", "the Bearer token's signature does not verify");
  }
  // Claims are judged only once the signature holds (RFC 7519 §7.2).
  const auto unix_now =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto skew = jwt_->clock_skew.count();
  const auto exp = date_claim(claims.value(), "exp");
  if (!exp || unix_now > *exp + skew) {
    return wrong("jwt_expired", "the Bearer token has expired (or has no exp)");
  }
  if (const auto nbf = date_claim(claims.value(), "nbf"); nbf && unix_now + skew < *nbf) {
    return wrong("jwt_not_yet_valid", "the Bearer token is not valid yet (nbf)");
  }
  const auto iss = string_claim(claims.value(), "iss");
  if (std::find(jwt_->issuers.begin(), jwt_->issuers.end(), iss) == jwt_->issuers.end()) {
    return wrong("jwt_issuer", "the Bearer token's issuer is not accepted");
  }
  if (!audience_has(claims.value(), jwt_->audience)) {
    return wrong("jwt_audience", "the Bearer token is for another audience");
  }
  // Entra ID v1 tokens name the calling application in `appid`, v2 tokens in `azp`.
  if (!jwt_->app_id.empty() && string_claim(claims.value(), "appid") != jwt_->app_id &&
      string_claim(claims.value(), "azp") != jwt_->app_id) {
    return wrong("jwt_app_id", "the Bearer token was not issued to Event Grid's application");
  }
  return {verdict::allowed, "jwt", {}};
}

} // namespace herald::protocol
