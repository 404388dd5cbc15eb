#pragma once

#include <filesystem>

namespace herald::test {

/// Paths of a throwaway PKI written by `make_test_pki`.
struct test_pki {
  std::filesystem::path ca_cert;         ///< Self-signed CA certificate (PEM).
  std::filesystem::path ca_key;          ///< CA private key (PKCS#8 PEM).
  std::filesystem::path server_cert;     ///< Leaf for 127.0.0.1 and localhost, signed by the CA.
  std::filesystem::path server_key;      ///< Leaf private key (PKCS#8 PEM).
  std::filesystem::path apns_key;        ///< APNs-style P-256 auth key `.p8` (PKCS#8 PEM).
  std::filesystem::path apns_public_key; ///< Its public key (SubjectPublicKeyInfo PEM).
};

/// Makes a fresh CA, a server certificate for 127.0.0.1 / localhost signed by it (valid one
/// day), and an APNs-style P-256 `.p8` key pair, all ECDSA P-256, into `dir` (created if
/// missing) as ca.pem, ca.key, server.pem, server.key, apns_auth_key.p8,
/// apns_auth_key.pub.pem. Uses OpenSSL's APIs directly (no `openssl` command).
/// Throws std::runtime_error on any failure: test set-up, not a handled condition.
[[nodiscard]] test_pki make_test_pki(const std::filesystem::path& dir);

} // namespace herald::test
