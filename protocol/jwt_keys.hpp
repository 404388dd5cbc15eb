#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "protocol/jwt.hpp"
#include "protocol/result.hpp"

/// Internal OpenSSL 3 helpers of the JWT module (EVP APIs only). Not for other modules.
namespace herald::protocol::jwt_keys {

/// An `errc::crypto_failure` naming `what`, with OpenSSL's first queued reason; clears the
/// thread's OpenSSL error queue so a later call does not report a stale reason.
[[nodiscard]] error crypto_error(std::string what);

/// Loads a PEM private key of any type. Encrypted keys fail (no passphrase prompt).
[[nodiscard]] result<evp_key_ptr> load_private_key(std::string_view pem);

/// Loads a PEM `BEGIN PUBLIC KEY`, or else the public half of a PEM private key.
[[nodiscard]] result<evp_key_ptr> load_public_key(std::string_view pem);

/// Writes the public half of `key` as PEM `BEGIN PUBLIC KEY`.
[[nodiscard]] result<std::string> public_pem(EVP_PKEY* key);

/// True for an EC key on NIST P-256 (prime256v1).
[[nodiscard]] bool is_p256(EVP_PKEY* key);

/// True for an RSA key.
[[nodiscard]] bool is_rsa(EVP_PKEY* key);

/// SHA-256 digest-and-sign; for EC keys the result is DER `ECDSA-Sig-Value`.
[[nodiscard]] result<std::string> sha256_sign(EVP_PKEY* key, std::string_view data);

/// SHA-256 digest-and-verify of a DER (EC) or raw (RSA) signature.
[[nodiscard]] bool sha256_verify(EVP_PKEY* key, std::string_view data, std::string_view sig);

/// DER `ECDSA-Sig-Value` → `R || S`, each left-padded to 32 bytes (RFC 7518 §3.4).
[[nodiscard]] result<std::string> ecdsa_der_to_raw(std::string_view der);

/// A JWS header or claims segment: base64url of a JSON object (RFC 7515 §7.1); errors name
/// `name` as the field.
[[nodiscard]] result<rapidjson::Document> json_segment(std::string_view segment, const char* name);

/// `R || S` (64 bytes) → DER `ECDSA-Sig-Value`.
[[nodiscard]] result<std::string> ecdsa_raw_to_der(std::string_view raw);

} // namespace herald::protocol::jwt_keys
