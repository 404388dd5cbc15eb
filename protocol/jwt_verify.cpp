#include "protocol/jwt.hpp"

#include "protocol/base64url.hpp"
#include "protocol/jwt_keys.hpp"

#include <rapidjson/document.h>

namespace herald::protocol {

namespace {

error bad_token(std::string field, std::string message) {
  return error{errc::invalid_field, std::move(field), std::move(message)};
}

std::string string_member(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

} // namespace

result<es256_verifier> es256_verifier::from_pem(std::string_view pem) {
  auto key = jwt_keys::load_public_key(pem);
  if (!key) {
    return key.error();
  }
  if (!jwt_keys::is_p256(key.value().get())) {
    return error{errc::crypto_failure, {}, "ES256 needs an EC key on P-256"};
  }
  return es256_verifier{std::move(key).value()};
}

result<jwt_claims> es256_verifier::verify(std::string_view token) const {
  // RFC 7515 §7.1 compact serialisation: exactly three segments.
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return bad_token("token", "a JWS needs exactly three dot-separated segments");
  }
  auto header = jwt_keys::json_segment(token.substr(0, dot1), "header");
  if (!header) {
    return header.error();
  }
  auto claims = jwt_keys::json_segment(token.substr(dot1 + 1, dot2 - dot1 - 1), "claims");
  if (!claims) {
    return claims.error();
  }
  jwt_claims out;
  out.alg = string_member(header.value(), "alg");
  // RFC 8725 §3.1: never let the token choose the algorithm.
  if (out.alg != "ES256") {
    return bad_token("header.alg", "alg must be ES256");
  }
  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!sig) {
    return bad_token("signature", "signature is not base64url");
  }
  auto der = jwt_keys::ecdsa_raw_to_der(sig.value());
  if (!der) {
    return bad_token("signature", der.error().message);
  }
  if (!jwt_keys::sha256_verify(key_.get(), token.substr(0, dot2), der.value())) {
    return error{errc::crypto_failure, "signature", "signature does not verify"};
  }
  out.kid = string_member(header.value(), "kid");
  out.iss = string_member(claims.value(), "iss");
  const auto iat = claims.value().FindMember("iat");
  if (iat != claims.value().MemberEnd() && iat->value.IsInt64()) {
    out.iat = iat->value.GetInt64();
  }
  return out;
}

result<jwt_claims> verify_es256_jwt(std::string_view token, std::string_view public_key_pem) {
  auto verifier = es256_verifier::from_pem(public_key_pem);
  if (!verifier) {
    return verifier.error();
  }
  return verifier.value().verify(token);
}

} // namespace herald::protocol
