#pragma once

#include <filesystem>
#include <string>

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

/// Paths of a Google service-account style RSA key pair (the JSON is written separately,
/// once the token endpoint's address is known).
struct test_rsa_key {
  std::filesystem::path private_key; ///< RSA-2048 private key (PKCS#8 PEM).
  std::filesystem::path public_key;  ///< Its public key (SubjectPublicKeyInfo PEM).
};

/// Makes an RSA-2048 key pair into `dir` as `<stem>.key` and `<stem>.pub.pem`.
/// Throws std::runtime_error on failure.
[[nodiscard]] test_rsa_key make_test_rsa_key(const std::filesystem::path& dir,
                                             const std::string& stem);

/// Writes a service-account JSON ("type": "service_account", "project_id", "private_key_id",
/// "private_key" read from `private_key`, "client_email", "token_uri") to `file`.
/// Throws std::runtime_error on failure.
void write_service_account_json(const std::filesystem::path& file,
                                const std::filesystem::path& private_key,
                                const std::string& project_id, const std::string& client_email,
                                const std::string& token_uri);

/// Makes a fresh CA, a server certificate for 127.0.0.1 / localhost signed by it (valid one
/// day), and an APNs-style P-256 `.p8` key pair, all ECDSA P-256, into `dir` (created if
/// missing) as ca.pem, ca.key, server.pem, server.key, apns_auth_key.p8,
/// apns_auth_key.pub.pem. Uses OpenSSL's APIs directly (no `openssl` command).
/// Throws std::runtime_error on any failure: test set-up, not a handled condition.
[[nodiscard]] test_pki make_test_pki(const std::filesystem::path& dir);

} // namespace herald::test
