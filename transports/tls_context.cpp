#include "transports/tls_context.hpp"

#include <cstdio>
#include <fstream>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace herald::transports {

namespace {

/// Drains OpenSSL's thread-local error queue into one sentence.
std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

tls_result<void> check_readable(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (path.empty() || !in) {
    return tls_error{tls_errc::file_unreadable,
                     std::string(what) + " file '" + path + "' is missing or unreadable"};
  }
  return boost::outcome_v2::success();
}

tls_result<void> load_cert_and_key(SSL_CTX* ctx, const std::string& cert_file,
                                   const std::string& key_file) {
  if (auto r = check_readable(cert_file, "certificate"); !r) {
    return r.error();
  }
  if (auto r = check_readable(key_file, "private key"); !r) {
    return r.error();
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return tls_error{tls_errc::bad_certificate,
                     "certificate file '" + cert_file + "': " + openssl_errors()};
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return tls_error{tls_errc::bad_key, "private key file '" + key_file + "': " + openssl_errors()};
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return tls_error{tls_errc::bad_key, "private key '" + key_file +
                                            "' does not match certificate '" + cert_file + "'"};
  }
  return boost::outcome_v2::success();
}

/// RFC 7301 section 3.2: the server picks from its own preference list.
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* arg) {
  const auto* server_wire = static_cast<const std::string*>(arg);
  unsigned char* selected = nullptr;
  const auto* server = reinterpret_cast<const unsigned char*>(server_wire->data());
  if (SSL_select_next_proto(&selected, outlen, server,
                            static_cast<unsigned int>(server_wire->size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

} // namespace

tls_context::tls_context(boost::asio::ssl::context::method method) : context_(method) {
  // TLS 1.2 is the floor for HTTP/2 (RFC 9113 section 9.2) and for APNs / FCM.
  SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
  context_.set_options(boost::asio::ssl::context::default_workarounds |
                       boost::asio::ssl::context::no_compression);
}

tls_result<std::string> tls_context::encode_alpn(const std::vector<std::string>& names) {
  std::string wire;
  for (const auto& name : names) {
    if (name.empty() || name.size() > 255) {
      return tls_error{tls_errc::bad_alpn, "ALPN protocol name '" + name + "' is invalid"};
    }
    wire += static_cast<char>(name.size());
    wire += name;
  }
  return wire;
}

tls_result<std::shared_ptr<tls_context>> tls_context::make_client(const tls_client_config& config) {
  std::shared_ptr<tls_context> out(new tls_context(boost::asio::ssl::context::tls_client));
  SSL_CTX* ctx = out->context_.native_handle();
  ERR_clear_error();
  if (config.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return tls_error{tls_errc::bad_ca, "system CA roots: " + openssl_errors()};
    }
  } else {
    if (auto r = check_readable(config.ca_file, "CA"); !r) {
      return r.error();
    }
    if (SSL_CTX_load_verify_locations(ctx, config.ca_file.c_str(), nullptr) != 1) {
      return tls_error{tls_errc::bad_ca, "CA file '" + config.ca_file + "': " + openssl_errors()};
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!config.client_cert_file.empty() || !config.client_key_file.empty()) {
    if (auto r = load_cert_and_key(ctx, config.client_cert_file, config.client_key_file); !r) {
      return r.error();
    }
  }
  if (!config.alpn.empty()) {
    auto wire = encode_alpn(config.alpn);
    if (!wire) {
      return wire.error();
    }
    out->alpn_wire_ = wire.value();
    // Unlike most OpenSSL calls, SSL_CTX_set_alpn_protos returns 0 on success.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(out->alpn_wire_.data()),
                                static_cast<unsigned int>(out->alpn_wire_.size())) != 0) {
      return tls_error{tls_errc::openssl_error, "ALPN: " + openssl_errors()};
    }
  }
  return out;
}

tls_result<std::shared_ptr<tls_context>> tls_context::make_server(const tls_server_config& config) {
  std::shared_ptr<tls_context> out(new tls_context(boost::asio::ssl::context::tls_server));
  SSL_CTX* ctx = out->context_.native_handle();
  if (auto r = load_cert_and_key(ctx, config.cert_file, config.key_file); !r) {
    return r.error();
  }
  if (!config.alpn.empty()) {
    auto wire = encode_alpn(config.alpn);
    if (!wire) {
      return wire.error();
    }
    out->alpn_wire_ = wire.value();
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, &out->alpn_wire_);
  }
  return out;
}

tls_result<void> tls_context::prepare_client_stream(SSL* ssl, const std::string& host) {
  ERR_clear_error();
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  if (ip != nullptr) {
    // An IP literal: no SNI (RFC 6066 section 3 forbids it), verify the iPAddress SAN.
    ASN1_OCTET_STRING_free(ip);
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
      return tls_error{tls_errc::openssl_error, "verify IP " + host + ": " + openssl_errors()};
    }
    return boost::outcome_v2::success();
  }
  ERR_clear_error();
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return tls_error{tls_errc::openssl_error, "SNI " + host + ": " + openssl_errors()};
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    return tls_error{tls_errc::openssl_error, "verify host " + host + ": " + openssl_errors()};
  }
  return boost::outcome_v2::success();
}

std::string tls_context::negotiated_alpn(const SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &data, &len);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), len);
}

} // namespace herald::transports
