#include "protocol/jwt_keys.hpp"

#include "protocol/base64url.hpp"

#include <array>
#include <cstring>
#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace herald::protocol::jwt_keys {

namespace {

/// Size of one P-256 coordinate / scalar in bytes.
constexpr int p256_bytes = 32;

struct bio_free {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct sig_free {
  void operator()(ECDSA_SIG* s) const noexcept { ECDSA_SIG_free(s); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;
using sig_ptr = std::unique_ptr<ECDSA_SIG, sig_free>;

bio_ptr read_bio(std::string_view pem) {
  return bio_ptr{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
}

// Refuses to prompt on a terminal for the passphrase of an encrypted key.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

evp_key_ptr own(EVP_PKEY* key) {
  return evp_key_ptr{key, EVP_PKEY_free};
}

} // namespace

error crypto_error(std::string what) {
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    what += " (";
    what += buf.data();
    what += ")";
  }
  ERR_clear_error();
  return error{errc::crypto_failure, {}, std::move(what)};
}

result<evp_key_ptr> load_private_key(std::string_view pem) {
  auto bio = read_bio(pem);
  if (!bio) {
    return crypto_error("cannot read key text");
  }
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (key == nullptr) {
    return crypto_error("not a PEM private key");
  }
  return own(key);
}

result<evp_key_ptr> load_public_key(std::string_view pem) {
  if (pem.find("PRIVATE KEY") != std::string_view::npos) {
    return load_private_key(pem);
  }
  auto bio = read_bio(pem);
  if (!bio) {
    return crypto_error("cannot read key text");
  }
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
  if (key == nullptr) {
    return crypto_error("not a PEM public key");
  }
  return own(key);
}

result<std::string> public_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return crypto_error("cannot write public key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return false;
  }
  std::array<char, 64> name{};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name.data(), name.size(), &len) != 1) {
    ERR_clear_error();
    return false;
  }
  const std::string_view group(name.data(), len);
  return group == "prime256v1" || group == "P-256" || group == "secp256r1";
}

bool is_rsa(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
}

result<std::string> sha256_sign(EVP_PKEY* key, std::string_view data) {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return crypto_error("cannot start signing");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return crypto_error("cannot size signature");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    return crypto_error("signing failed");
  }
  sig.resize(len); // DER ECDSA signatures vary in length
  return sig;
}

bool sha256_verify(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  const bool good =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  ERR_clear_error();
  return good;
}

result<std::string> ecdsa_der_to_raw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  sig_ptr sig{d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()))};
  if (!sig) {
    return crypto_error("signature is not DER ECDSA-Sig-Value");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  // RFC 7518 §3.4: R and S as unsigned big-endian octet strings of exactly 32 bytes each.
  std::string raw(2 * p256_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, p256_bytes) != p256_bytes ||
      BN_bn2binpad(s, out + p256_bytes, p256_bytes) != p256_bytes) {
    return crypto_error("signature component longer than 32 bytes");
  }
  return raw;
}

result<rapidjson::Document> json_segment(std::string_view segment, const char* name) {
  auto text = base64url_decode(segment);
  if (!text) {
    return error{errc::invalid_field, name, "segment is not base64url"};
  }
  rapidjson::Document doc;
  doc.Parse(text.value().data(), text.value().size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return error{errc::invalid_field, name, "segment is not a JSON object"};
  }
  return doc;
}

result<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * p256_bytes) {
    return error{errc::invalid_field, {}, "ES256 signature must be 64 bytes"};
  }
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(in, p256_bytes, nullptr);
  BIGNUM* s = BN_bin2bn(in + p256_bytes, p256_bytes, nullptr);
  sig_ptr sig{ECDSA_SIG_new()};
  if (r == nullptr || s == nullptr || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return crypto_error("cannot build ECDSA signature");
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) {
    return crypto_error("cannot encode ECDSA signature");
  }
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

} // namespace herald::protocol::jwt_keys
