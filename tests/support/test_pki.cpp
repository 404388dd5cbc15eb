#include "tests/support/test_pki.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace herald::test {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const { X509_free(p); }
};
struct bio_free {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "no OpenSSL error";
  if (auto code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof buf);
  }
  throw std::runtime_error("test PKI: " + what + ": " + buf);
}

void check(bool ok, const char* what) {
  if (!ok) {
    fail(what);
  }
}

pkey_ptr make_p256_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "certificate extension");
  check(X509_add_ext(cert, ext, -1) == 1, "add extension");
  X509_EXTENSION_free(ext);
}

/// A v3 certificate for `key`, signed by `issuer_key` (self-signed when `issuer` is null).
x509_ptr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                   bool is_ca) {
  x509_ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f; // Positive (RFC 5280 §4.1.2.2).
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  check(X509_set_pubkey(cert.get(), key) == 1, "set public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Herald tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "issuer");
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (is_ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid");
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    add_ext(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "sign certificate");
  return cert;
}

bio_ptr open_file(const std::filesystem::path& path) {
  bio_ptr bio(BIO_new_file(path.c_str(), "w"));
  check(bio != nullptr, "open file for writing");
  return bio;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  auto bio = open_file(path);
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate");
}

void write_private_key(const std::filesystem::path& path, EVP_PKEY* key) {
  auto bio = open_file(path);
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), the format of Apple's .p8.
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write private key");
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
}

void write_public_key(const std::filesystem::path& path, EVP_PKEY* key) {
  auto bio = open_file(path);
  check(PEM_write_bio_PUBKEY(bio.get(), key) == 1, "write public key");
}

} // namespace

test_rsa_key make_test_rsa_key(const std::filesystem::path& dir, const std::string& stem) {
  std::filesystem::create_directories(dir);
  test_rsa_key out{dir / (stem + ".key"), dir / (stem + ".pub.pem")};
  pkey_ptr key(EVP_RSA_gen(2048));
  check(key != nullptr, "RSA key generation");
  write_private_key(out.private_key, key.get());
  write_public_key(out.public_key, key.get());
  return out;
}

void write_service_account_json(const std::filesystem::path& file,
                                const std::filesystem::path& private_key,
                                const std::string& project_id, const std::string& client_email,
                                const std::string& token_uri) {
  std::ifstream in(private_key, std::ios::binary);
  std::ostringstream pem;
  pem << in.rdbuf();
  check(static_cast<bool>(in), "read RSA private key");
  // A PEM holds only base64, dashes, spaces and newlines: newlines are all JSON needs escaped.
  std::string escaped;
  for (char c : pem.str()) {
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  std::ofstream out(file, std::ios::trunc);
  out << "{\n  \"type\": \"service_account\",\n  \"project_id\": \"" << project_id
      << "\",\n  \"private_key_id\": \"0123456789abcdef\",\n  \"private_key\": \"" << escaped
      << "\",\n  \"client_email\": \"" << client_email << "\",\n  \"token_uri\": \"" << token_uri
      << "\"\n}\n";
  check(static_cast<bool>(out), "write service account JSON");
}

test_pki make_test_pki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  test_pki out{dir / "ca.pem",     dir / "ca.key",           dir / "server.pem",
               dir / "server.key", dir / "apns_auth_key.p8", dir / "apns_auth_key.pub.pem"};
  auto ca_key = make_p256_key();
  auto ca = make_cert(ca_key.get(), "Herald test CA", nullptr, ca_key.get(), true);
  auto server_key = make_p256_key();
  auto server = make_cert(server_key.get(), "localhost", ca.get(), ca_key.get(), false);
  auto apns_key = make_p256_key();
  write_cert(out.ca_cert, ca.get());
  write_private_key(out.ca_key, ca_key.get());
  write_cert(out.server_cert, server.get());
  write_private_key(out.server_key, server_key.get());
  write_private_key(out.apns_key, apns_key.get());
  write_public_key(out.apns_public_key, apns_key.get());
  return out;
}

} // namespace herald::test
