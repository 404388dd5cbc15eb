#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/outcome/result.hpp>

#include "transports/http_request.hpp"
#include "transports/http_response.hpp"
#include "transports/tls_context.hpp"

namespace herald::transports {

/// Completes one request. Call it exactly once, from any thread, at any later time: the
/// server marshals the answer back onto the connection's strand. Dropping every copy without
/// calling it makes the server answer 503 with `Retry-After` (a request lost on our side is
/// our fault, and Event Grid retries 503) and log an error; a second call is ignored and
/// logged.
using http_responder = std::function<void(http_response)>;

/// Serves one request. Runs on the connection's strand (an event-loop thread): it must not
/// block; hand slow work elsewhere and call the responder later. An exception escaping it is
/// a bug: the server answers 500, logs it and keeps serving.
using http_handler = std::function<void(http_request&&, http_responder)>;

/// Limits and timeouts of an `http_server`.
struct http_server_options {
  /// Largest accepted request body. Event Grid delivers batches of up to 1 MiB (its
  /// documented maximum event batch size); the headroom covers CloudEvents framing.
  std::size_t body_limit = (std::size_t{1} << 20) + 64 * 1024;
  /// Largest accepted request line plus header fields, in bytes (over it: 431, RFC 6585).
  std::size_t header_limit = 16384;
  /// Time allowed to receive one whole request once its first byte arrived (or from accept
  /// for the first request): a slow sender (slowloris) is cut off after it.
  std::chrono::milliseconds read_timeout{std::chrono::seconds{30}};
  /// Time an idle keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};
  /// Time allowed to write one response to a slow reader.
  std::chrono::milliseconds write_timeout{std::chrono::seconds{30}};
  /// Open connections above this are closed at accept.
  std::size_t max_connections = 10000;
  /// `Retry-After` seconds sent with the 503 for a dropped responder.
  std::chrono::seconds retry_after{1};
  /// Value of the `Server` header of every response.
  std::string server_name = "herald";
  /// TLS server context (from `tls_context::make_server`, ALPN `h2` and/or `http/1.1`);
  /// null serves clear text. With TLS, ALPN `h2` selects HTTP/2 and anything else (or no
  /// ALPN) HTTP/1.1.
  std::shared_ptr<tls_context> tls;
  /// Serve HTTP/2 too: h2c with prior knowledge on clear text (RFC 9113 section 3.3), ALPN
  /// `h2` on TLS. Off: HTTP/1.1 only.
  bool h2 = true;
  /// SETTINGS_MAX_CONCURRENT_STREAMS advertised on HTTP/2 connections.
  std::uint32_t max_concurrent_streams = 100;
  /// HTTP/2 rapid-reset guard: more client RST_STREAMs than this within `reset_window` end
  /// the connection with GOAWAY ENHANCE_YOUR_CALM.
  std::uint32_t max_client_resets = 200;
  /// Window of the rapid-reset guard.
  std::chrono::milliseconds reset_window{std::chrono::seconds{10}};
};

/// ALPN protocols a TLS context for an `http_server` must accept, in preference order.
[[nodiscard]] std::vector<std::string> http_server_alpn(bool h2);

/// Result of `http_server::listen`: the bound port or the socket error.
template <class T>
using listen_result =
    boost::outcome_v2::result<T, std::error_code, boost::outcome_v2::policy::terminate>;

namespace detail {
struct http_server_state;
class http_listener;
} // namespace detail

/// HTTP server for HTTP/1.1 (Boost.Beast: keep-alive, one request at a time per connection,
/// pipelined requests wait in the read buffer) and HTTP/2 (`h2_server_session`, nghttp2) on
/// the same port, in clear text or TLS; limits and timeouts from `http_server_options`.
/// Clear text: a connection whose first 24 bytes are the HTTP/2 client preface is HTTP/2
/// (prior knowledge), any other is HTTP/1.1. TLS (1.2+): the handshake's ALPN decides. Both
/// versions hand the same `http_request` to the same handler and count toward
/// `max_connections`.
///
/// Lifecycle: construct, `listen` on one or more addresses, run the `io_context` (any number
/// of threads), `stop` (or destroy) to close the listeners and every connection.
/// Threading: every connection has its own strand, so a multi-threaded `io_context` is safe;
/// `listen` and `stop` may be called from any thread, but not concurrently with each other.
class http_server {
public:
  /// Prepares a server; nothing listens until `listen`.
  http_server(boost::asio::io_context& ioc, http_server_options options, http_handler handler);
  /// Stops the server (see `stop`).
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds `address:port` (an IP literal; port 0 picks an ephemeral port) and starts
  /// accepting. Returns the bound port, or the error (bad address, port in use, ...).
  [[nodiscard]] listen_result<std::uint16_t> listen(std::string_view address, std::uint16_t port);

  /// Closes the listeners and every open connection (requests in flight are abandoned; a
  /// responder called afterwards is a no-op). Idempotent. The closing itself runs on the
  /// event loop, so it completes while the `io_context` runs.
  void stop();

  /// Number of open connections (for metrics and tests).
  [[nodiscard]] std::size_t connections() const;

private:
  std::shared_ptr<detail::http_server_state> state_;
  std::vector<std::shared_ptr<detail::http_listener>> listeners_;
};

} // namespace herald::transports
