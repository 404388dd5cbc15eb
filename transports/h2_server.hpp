#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/outcome/result.hpp>
#include <boost/system/error_code.hpp>

#include "transports/tls_context.hpp"

namespace herald::transports {

class h2_server_session;

/// Header list of a request or response; names are lower-case (RFC 9113 §8.2.1).
using h2_headers = std::vector<std::pair<std::string, std::string>>;

/// One complete HTTP/2 request (headers and the whole body) as the server received it.
struct h2_server_request {
  std::string method, scheme, authority, path;
  h2_headers headers; ///< Regular headers, in arrival order (no pseudo-headers).
  std::string body;
  std::int32_t stream_id = 0;
  std::chrono::system_clock::time_point received; ///< When the last byte arrived.
  std::string remote; ///< Peer address, `ip:port` (`[v6]:port` for IPv6).

  /// Value of the first header with this lower-case name, or empty.
  [[nodiscard]] const std::string& header(const std::string& name) const;
};

/// Answers one request, now or later. Copyable; only the first `respond` counts.
///
/// Threading: `respond` may be called from any thread (it posts to the session's strand).
/// If the stream was reset or the connection is gone, the response is dropped silently.
class h2_responder {
public:
  h2_responder() = default;
  h2_responder(std::weak_ptr<h2_server_session> session, std::int32_t stream_id)
      : session_(std::move(session)), stream_id_(stream_id) {}

  /// Sends the response: `:status`, `headers` (lower-case names), then `body`.
  void respond(int status, h2_headers headers = {}, std::string body = {}) const;

private:
  std::weak_ptr<h2_server_session> session_;
  std::int32_t stream_id_ = 0;
};

/// Called once per complete request, on the session's strand.
using h2_request_handler = std::function<void(h2_server_request, h2_responder)>;

/// Listener settings. `tls` null means cleartext h2c with prior knowledge (RFC 9113 §3.3).
struct h2_server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0; ///< 0: the OS picks (see `h2_server::port`).
  std::shared_ptr<tls_context> tls;
  std::uint32_t max_concurrent_streams = 100; ///< Advertised in SETTINGS.
  std::size_t max_request_body = 1 << 20;     ///< Larger bodies get the stream reset.
  /// Answer a body over `max_request_body` with a 413 problem+json on its stream instead of
  /// resetting the stream (the handler never sees the request either way).
  bool answer_oversized_body = false;
  /// Largest header list per request, counted as RFC 9113 section 6.5.2 does (name + value
  /// + 32 per field), advertised as SETTINGS_MAX_HEADER_LIST_SIZE; over it the stream gets a
  /// 431. 0: no limit.
  std::size_t max_header_list_size = 0;
  /// Time a request may take to arrive whole once its stream began, and the time allowed
  /// for the connection preface: a slow sender is cut off after it. 0: no limit.
  std::chrono::milliseconds read_timeout{0};
  /// Time a connection without open streams may stay silent before GOAWAY and close.
  /// 0: no limit.
  std::chrono::milliseconds idle_timeout{0};
  /// Time a response may take to reach the peer once submitted (and a socket write to
  /// complete): a client that stops reading, or never opens its flow-control window, is
  /// disconnected after it instead of holding the stream and its buffers. 0: no limit.
  std::chrono::milliseconds write_timeout{0};
  /// Rapid-reset guard (CVE-2023-44487): more client RST_STREAM frames than this within
  /// `reset_window` end the connection with GOAWAY ENHANCE_YOUR_CALM. 0: no guard.
  std::uint32_t max_client_resets = 0;
  /// Window of the rapid-reset guard.
  std::chrono::milliseconds reset_window{std::chrono::seconds{10}};
  /// Test knob: after this many requests on one connection send GOAWAY (0 = never).
  std::uint32_t goaway_after_streams = 0;
  /// Test knob: wait this long before handing each request to the handler.
  std::chrono::milliseconds response_delay{0};
  /// Test knob: return request-body flow-control credit (WINDOW_UPDATE) only once a request
  /// is answered or its stream ends, as a slow consumer does, instead of on receipt. With
  /// `response_delay` this keeps a busy client's connection window exhausted.
  bool window_on_answer = false;
  /// Connection-level receive window for request bodies, in bytes (RFC 9113 §6.9.2): 0
  /// keeps the protocol's initial 65,535. A client with many streams of small bodies in
  /// flight is otherwise paced by the WINDOW_UPDATE round trip.
  std::uint32_t connection_window = 0;
};

/// Live counters of a server, readable from any thread.
struct h2_server_stats {
  std::atomic<std::uint32_t> open_streams{0};     ///< Streams open right now, all sessions.
  std::atomic<std::uint32_t> max_open_streams{0}; ///< Highest `open_streams` per session seen.
  std::atomic<std::uint64_t> requests{0};         ///< Complete requests handed to the handler.
  std::atomic<std::uint64_t> sessions{0};         ///< Connections accepted so far.
  std::atomic<std::uint64_t> calm_goaways{0};     ///< Connections ended by the reset guard.
};

/// Result of `h2_server::listen`: the bound port or the bind/listen error.
using h2_listen_result = boost::outcome_v2::result<std::uint16_t, boost::system::error_code,
                                                   boost::outcome_v2::policy::terminate>;

/// A generic HTTP/2 server (TLS with ALPN h2, or h2c prior knowledge): accepts connections
/// and hands each complete request to the handler with a responder for an async answer.
///
/// Lifecycle: `create`, `listen` (binds, starts accepting), `stop` (graceful: no new
/// connections, GOAWAY on live ones) or `abort` (closes every socket now, like a crash).
/// Threading: the acceptor and each session run on their own strands of the io_context;
/// every public member is thread-safe. Sessions keep only shared settings alive, not the
/// server object.
class h2_server : public std::enable_shared_from_this<h2_server> {
public:
  /// State shared by the server and its sessions.
  struct shared_state {
    h2_server_options options;
    h2_request_handler handler;
    h2_server_stats stats;
    std::atomic<std::uint32_t> max_concurrent_streams{0};
  };

  /// Makes a server; nothing is bound until `listen`.
  [[nodiscard]] static std::shared_ptr<h2_server>
  create(boost::asio::io_context& io, h2_server_options options, h2_request_handler handler);

  /// Binds `options.host:options.port`, listens and starts accepting; returns the bound port.
  [[nodiscard]] h2_listen_result listen();
  /// The bound port (0 before `listen`).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_.load(); }
  /// Stops accepting and sends GOAWAY on every live connection; open streams finish.
  void stop();
  /// Closes the listener and every connection at once, without GOAWAY (crash simulation).
  void abort();
  /// Advertises a new SETTINGS_MAX_CONCURRENT_STREAMS on every live and future connection.
  void set_max_concurrent_streams(std::uint32_t n);
  /// Live counters.
  [[nodiscard]] const h2_server_stats& stats() const noexcept { return state_->stats; }

private:
  h2_server(boost::asio::io_context& io, h2_server_options options, h2_request_handler handler);
  void accept();
  template <class F>
  void for_each_session(F&& f);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<shared_state> state_;
  std::atomic<std::uint16_t> port_{0};
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<h2_server_session>> sessions_;
};

} // namespace herald::transports
