#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <boost/outcome/result.hpp>

namespace herald::transports {

/// Why a TLS context or stream could not be prepared.
enum class tls_errc {
  file_unreadable = 1, ///< A certificate, key or CA file is missing or unreadable.
  bad_certificate,     ///< A certificate file is not a PEM certificate (chain).
  bad_key,             ///< A key file is not a PEM private key, or does not match the cert.
  bad_ca,              ///< The CA file holds no usable certificate, or system roots failed.
  bad_alpn,            ///< An ALPN protocol name is empty or longer than 255 bytes.
  openssl_error,       ///< Any other OpenSSL failure (detail holds its error queue).
};

/// A TLS setup failure: what, and a human sentence naming the file or OpenSSL reason.
struct tls_error {
  tls_errc code = tls_errc::openssl_error;
  std::string detail;
};

/// Result of a fallible TLS setup step.
template <class T>
using tls_result = boost::outcome_v2::result<T, tls_error, boost::outcome_v2::policy::terminate>;

/// Settings of a client-side TLS context (push provider connections).
struct tls_client_config {
  /// PEM file of trusted CAs; empty means the system's default roots.
  std::string ca_file;
  /// Optional client certificate chain + key (APNs certificate-based auth); both or neither.
  std::string client_cert_file;
  std::string client_key_file;
  /// ALPN protocols offered, in preference order (RFC 7301).
  std::vector<std::string> alpn{"h2"};
};

/// Settings of a server-side TLS context (Herald's listeners, mock providers).
struct tls_server_config {
  std::string cert_file; ///< PEM certificate chain, leaf first.
  std::string key_file;  ///< PEM private key of the leaf.
  /// ALPN protocols accepted, in server preference order; the first one the client also
  /// offers is selected. A client offering none of them fails the handshake
  /// (RFC 7301 section 3.2, no_application_protocol alert).
  std::vector<std::string> alpn{"h2"};
};

/// An OpenSSL context plus the ALPN data its callbacks read.
///
/// Immutable after creation and shared (`std::shared_ptr`) by every stream made from it, so
/// it must outlive them; thread-safe for concurrent stream creation as OpenSSL contexts are.
class tls_context {
public:
  /// Makes a client context: TLS 1.2+, peer verification on, ALPN offer, optional client cert.
  [[nodiscard]] static tls_result<std::shared_ptr<tls_context>>
  make_client(const tls_client_config& config);
  /// Makes a server context: TLS 1.2+, certificate + key, ALPN selection.
  [[nodiscard]] static tls_result<std::shared_ptr<tls_context>>
  make_server(const tls_server_config& config);

  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;
  ~tls_context() = default;

  /// The Asio context to build `ssl::stream`s from.
  [[nodiscard]] boost::asio::ssl::context& native() noexcept { return context_; }

  /// Sets SNI and RFC 6125 host name (or IP address) verification on a client stream's SSL.
  [[nodiscard]] static tls_result<void> prepare_client_stream(SSL* ssl, const std::string& host);
  /// The ALPN protocol negotiated on a finished handshake, or empty.
  [[nodiscard]] static std::string negotiated_alpn(const SSL* ssl);
  /// Encodes protocol names in ALPN wire format (length-prefixed), or fails on a bad name.
  [[nodiscard]] static tls_result<std::string> encode_alpn(const std::vector<std::string>& names);

private:
  explicit tls_context(boost::asio::ssl::context::method method);

  boost::asio::ssl::context context_;
  std::string alpn_wire_; ///< Server: accepted protocols, read by the select callback.
};

} // namespace herald::transports
