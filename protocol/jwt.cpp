#include "protocol/jwt.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/base64url.hpp"
#include "protocol/jwt_keys.hpp"

namespace herald::protocol {

namespace {

template <class Signer>
result<std::string> make_jws(const Signer& signer, std::string_view header_json,
                             std::string_view claims_json) {
  std::string out = base64url_encode(header_json);
  out += '.';
  out += base64url_encode(claims_json);
  auto sig = signer.sign(out);
  if (!sig) {
    return sig.error();
  }
  out += '.';
  out += base64url_encode(sig.value());
  return out;
}

} // namespace

result<es256_signer> es256_signer::from_pem(std::string_view pem) {
  auto key = jwt_keys::load_private_key(pem);
  if (!key) {
    return key.error();
  }
  if (!jwt_keys::is_p256(key.value().get())) {
    return error{errc::crypto_failure, {}, "ES256 needs an EC key on P-256"};
  }
  return es256_signer{std::move(key).value()};
}

result<std::string> es256_signer::sign(std::string_view signing_input) const {
  auto der = jwt_keys::sha256_sign(key_.get(), signing_input);
  if (!der) {
    return der.error();
  }
  // OpenSSL produces DER; JWS wants the fixed-size R || S form (RFC 7518 §3.4).
  return jwt_keys::ecdsa_der_to_raw(der.value());
}

result<std::string> es256_signer::public_key_pem() const {
  return jwt_keys::public_pem(key_.get());
}

result<rs256_signer> rs256_signer::from_pem(std::string_view pem) {
  auto key = jwt_keys::load_private_key(pem);
  if (!key) {
    return key.error();
  }
  if (!jwt_keys::is_rsa(key.value().get())) {
    return error{errc::crypto_failure, {}, "RS256 needs an RSA key"};
  }
  return rs256_signer{std::move(key).value()};
}

result<std::string> rs256_signer::sign(std::string_view signing_input) const {
  // RSASSA-PKCS1-v1_5 is the default padding of EVP_DigestSign for RSA keys.
  return jwt_keys::sha256_sign(key_.get(), signing_input);
}

result<std::string> rs256_signer::public_key_pem() const {
  return jwt_keys::public_pem(key_.get());
}

result<std::string> make_es256_jws(const es256_signer& signer, std::string_view header_json,
                                   std::string_view claims_json) {
  return make_jws(signer, header_json, claims_json);
}

result<std::string> make_rs256_jws(const rs256_signer& signer, std::string_view header_json,
                                   std::string_view claims_json) {
  return make_jws(signer, header_json, claims_json);
}

result<std::string> make_apns_provider_token(const es256_signer& signer, std::string_view team_id,
                                             std::string_view key_id,
                                             std::chrono::system_clock::time_point iat) {
  if (team_id.empty()) {
    return error{errc::missing_field, "team_id", "APNs team id is empty"};
  }
  if (key_id.empty()) {
    return error{errc::missing_field, "key_id", "APNs key id is empty"};
  }
  rapidjson::StringBuffer header;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w(header);
    w.StartObject();
    w.Key("alg");
    w.String("ES256");
    w.Key("kid");
    w.String(key_id.data(), static_cast<rapidjson::SizeType>(key_id.size()));
    w.EndObject();
  }
  rapidjson::StringBuffer claims;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w(claims);
    w.StartObject();
    w.Key("iss");
    w.String(team_id.data(), static_cast<rapidjson::SizeType>(team_id.size()));
    w.Key("iat");
    w.Int64(std::chrono::duration_cast<std::chrono::seconds>(iat.time_since_epoch()).count());
    w.EndObject();
  }
  return make_es256_jws(signer, {header.GetString(), header.GetSize()},
                        {claims.GetString(), claims.GetSize()});
}

result<std::string> es256_public_key_pem(std::string_view private_pem) {
  auto signer = es256_signer::from_pem(private_pem);
  if (!signer) {
    return signer.error();
  }
  return signer.value().public_key_pem();
}

} // namespace herald::protocol
