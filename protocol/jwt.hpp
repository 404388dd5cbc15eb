#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "protocol/result.hpp"

namespace herald::protocol {

/// Shared, immutable handle to an OpenSSL key (reference counted by the handle, not by OpenSSL).
using evp_key_ptr = std::shared_ptr<EVP_PKEY>;

/// Signs JWS with ES256 (ECDSA P-256 + SHA-256, RFC 7518 §3.4), the algorithm of APNs provider
/// tokens. Lifecycle: made once from the app's `.p8` key, then copied freely (copies share the
/// key). Threading: `sign` is const and may run concurrently on several threads (OpenSSL 3 keys
/// are read-only while signing; each call has its own digest context).
class es256_signer {
public:
  /// Loads a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` as in Apple's `.p8`, or SEC1
  /// `BEGIN EC PRIVATE KEY`); fails unless it is an EC key on P-256.
  [[nodiscard]] static result<es256_signer> from_pem(std::string_view pem);

  /// Signs `signing_input` (`b64url(header).b64url(claims)`) and returns the raw 64-byte
  /// `R || S` signature (RFC 7518 §3.4), converted from OpenSSL's DER `ECDSA-Sig-Value`.
  [[nodiscard]] result<std::string> sign(std::string_view signing_input) const;

  /// The matching public key as PEM `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo).
  [[nodiscard]] result<std::string> public_key_pem() const;

private:
  explicit es256_signer(evp_key_ptr key) : key_(std::move(key)) {}
  evp_key_ptr key_;
};

/// Signs JWS with RS256 (RSASSA-PKCS1-v1_5 + SHA-256, RFC 7518 §3.3), used for the Google
/// OAuth2 service-account assertion. Same lifecycle and threading as `es256_signer`.
class rs256_signer {
public:
  /// Loads a PEM RSA private key (PKCS#8 `BEGIN PRIVATE KEY` as in a service-account JSON, or
  /// PKCS#1 `BEGIN RSA PRIVATE KEY`).
  [[nodiscard]] static result<rs256_signer> from_pem(std::string_view pem);

  /// Signs `signing_input` and returns the raw signature bytes (modulus length).
  [[nodiscard]] result<std::string> sign(std::string_view signing_input) const;

  /// The matching public key as PEM `BEGIN PUBLIC KEY`.
  [[nodiscard]] result<std::string> public_key_pem() const;

private:
  explicit rs256_signer(evp_key_ptr key) : key_(std::move(key)) {}
  evp_key_ptr key_;
};

/// Encodes and signs a compact JWS: `b64url(header_json).b64url(claims_json).b64url(sig)`.
/// The JSON texts are used verbatim (callers build them with RapidJSON's Writer).
[[nodiscard]] result<std::string> make_es256_jws(const es256_signer& signer,
                                                 std::string_view header_json,
                                                 std::string_view claims_json);

/// RS256 variant of `make_es256_jws`.
[[nodiscard]] result<std::string> make_rs256_jws(const rs256_signer& signer,
                                                 std::string_view header_json,
                                                 std::string_view claims_json);

/// Makes an APNs provider authentication token ("Establishing a token-based connection to
/// APNs"): header `{"alg":"ES256","kid":key_id}`, claims `{"iss":team_id,"iat":<unix s>}`.
/// Fails on an empty team or key id or a signing failure.
[[nodiscard]] result<std::string>
make_apns_provider_token(const es256_signer& signer, std::string_view team_id,
                         std::string_view key_id, std::chrono::system_clock::time_point iat);

/// What `verify_es256_jwt` read from a valid token (header `alg`/`kid`, claims `iss`/`iat`).
struct jwt_claims {
  std::string alg;                 ///< Always `ES256` after a successful verification.
  std::string kid;                 ///< Header `kid`, empty when absent.
  std::string iss;                 ///< Claim `iss`, empty when absent or not a string.
  std::optional<std::int64_t> iat; ///< Claim `iat` (Unix seconds) when it is an integer.
};

/// A loaded ES256 public key for verifying many tokens (the mock APNs server's hot path).
/// Threading: `verify` is const and safe to call concurrently.
class es256_verifier {
public:
  /// Loads a PEM `BEGIN PUBLIC KEY` (P-256), or a private key PEM (its public half is used).
  [[nodiscard]] static result<es256_verifier> from_pem(std::string_view pem);

  /// Checks structure (three base64url segments, JSON header and claims), `alg` = `ES256` and
  /// the raw `R || S` signature; returns the parsed header/claims. Does not judge `iat` age:
  /// the caller (the mock server) decides what "expired" means with its own clock.
  [[nodiscard]] result<jwt_claims> verify(std::string_view token) const;

private:
  explicit es256_verifier(evp_key_ptr key) : key_(std::move(key)) {}
  evp_key_ptr key_;
};

/// One-shot form of `es256_verifier::from_pem(public_key_pem)` then `verify(token)`.
[[nodiscard]] result<jwt_claims> verify_es256_jwt(std::string_view token,
                                                  std::string_view public_key_pem);

/// Derives the public key PEM (`BEGIN PUBLIC KEY`) from an ES256 private key PEM.
[[nodiscard]] result<std::string> es256_public_key_pem(std::string_view private_pem);

} // namespace herald::protocol
