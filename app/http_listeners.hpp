#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "app/config_error.hpp"
#include "transports/http_server.hpp"

namespace herald::app {

struct http_config;
class config_reader;

/// Reads the listener keys of `[http]` into `out`: `tls_cert_file` and `tls_key_file` (both
/// or neither), `h2`, `max_concurrent_streams` (1..10000), `admin_listen` (host:port).
[[nodiscard]] config_result<void> read_http_listener(config_reader& r, http_config& out);

/// The webhook / API listener's options from `[http]`, with the TLS context loaded from the
/// PEM files (TLS 1.2+, ALPN `h2` and `http/1.1`, or only `http/1.1` when `h2 = false`). A
/// file that is missing, unreadable, not PEM, or a key that does not match the certificate
/// is an error naming `http.tls_cert_file` or `http.tls_key_file`.
[[nodiscard]] config_result<transports::http_server_options>
make_http_server_options(const http_config& http);

/// Handler of the admin listener (`http.admin_listen`): `/healthz` and `/readyz` served by
/// `api`, 404
/// problem+json for every other path, so the webhook and REST routes stay on the main port.
[[nodiscard]] transports::http_handler admin_routes(transports::http_handler api);

/// Herald's HTTP listeners: the webhook / API one (`http.listen`, TLS and HTTP/2 per
/// `[http]`) and the optional admin one (`http.admin_listen`, clear text, `admin_routes`).
///
/// Lifecycle: `start` binds both (or neither), `stop` (or destruction) closes them.
/// Threading: the servers run on the given `io_context`; `stop` from any one thread.
class http_listeners {
public:
  /// Builds the options, loads TLS, binds. A failure names its key (`http.listen`,
  /// `http.admin_listen`, `http.tls_cert_file`, `http.tls_key_file`).
  [[nodiscard]] static config_result<std::unique_ptr<http_listeners>>
  start(boost::asio::io_context& io, const http_config& http, transports::http_handler api);

  /// Bound port of the webhook / API listener.
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// Bound port of the admin listener, when configured.
  [[nodiscard]] std::optional<std::uint16_t> admin_port() const noexcept { return admin_port_; }
  /// Closes both listeners and their connections.
  void stop();

private:
  http_listeners() = default;

  std::unique_ptr<transports::http_server> main_;
  std::unique_ptr<transports::http_server> admin_;
  std::uint16_t port_ = 0;
  std::optional<std::uint16_t> admin_port_;
};

} // namespace herald::app
