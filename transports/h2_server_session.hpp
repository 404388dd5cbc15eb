#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/h2_server.hpp"
#include "transports/server_stream.hpp"

struct nghttp2_session;

namespace herald::transports {

/// One HTTP/2 server connection driven by nghttp2: used by `h2_server` (the mock providers)
/// for every accepted socket and by `http_server` (Herald's listener) for connections that
/// chose HTTP/2 (ALPN `h2`, or the h2c prior-knowledge preface). Complete requests go to the
/// state's handler; limits come from `h2_server_options`.
///
/// Lifecycle: made per connection, `start`ed, ends when the peer closes, on a protocol
/// error, a limit (timeout, rapid resets), after GOAWAY once streams finish, or on `abort`;
/// `on_destroy` (if set) runs in the destructor. Threading: all work on the connection's
/// executor (a strand); `respond`, `shutdown`, `abort`, `send_settings` post to it.
class h2_server_session : public std::enable_shared_from_this<h2_server_session> {
public:
  /// A socket accepted by `h2_server`: TLS handshake first when `state->options.tls` is set
  /// (ALPN must select h2), else h2c. The socket's executor must be a strand.
  h2_server_session(boost::asio::ip::tcp::socket socket,
                    std::shared_ptr<h2_server::shared_state> state);
  /// A clear-text connection whose first bytes (`preread`, the client preface or part of
  /// it) were already read by the caller.
  h2_server_session(plain_server_stream connection, std::string preread,
                    std::shared_ptr<h2_server::shared_state> state);
  /// A TLS connection whose handshake already selected ALPN h2.
  h2_server_session(tls_server_stream connection, std::shared_ptr<h2_server::shared_state> state);
  h2_server_session(const h2_server_session&) = delete;
  h2_server_session& operator=(const h2_server_session&) = delete;
  ~h2_server_session();

  /// Begins the handshake / preface exchange.
  void start();
  /// Queues a response for a stream (any thread).
  void respond(std::int32_t stream_id, int status, h2_headers headers, std::string body);
  /// Sends GOAWAY (last processed stream id); the connection ends once streams finish.
  void shutdown();
  /// Closes the socket now.
  void abort();
  /// Sends SETTINGS with a new MAX_CONCURRENT_STREAMS.
  void send_settings(std::uint32_t max_concurrent_streams);
  /// Runs once, from the destructor (connection accounting of the owner). Set before `start`.
  void on_destroy(std::function<void()> f) { on_destroy_ = std::move(f); }

private:
  friend struct h2_server_callbacks;
  struct stream {
    h2_server_request request;
    std::string response_body;
    std::size_t body_sent = 0;
    std::size_t header_bytes = 0;
    std::size_t unconsumed = 0; ///< Body bytes not yet credited back (`window_on_answer`).
    std::chrono::steady_clock::time_point began;
    std::chrono::steady_clock::time_point answered_at; ///< When the response was submitted.
    bool complete = false; ///< The request arrived whole (END_STREAM seen).
    bool rejected = false; ///< Answered by a limit (413/431); never reaches the handler.
    bool answered = false; ///< Only the first response counts.
  };

  bool tls_handshake_needed() const;
  void on_handshaken();
  void start_read();
  void flush();
  void finish();
  void dispatch(std::int32_t stream_id);
  void reject(std::int32_t stream_id, int status, const std::string& title,
              const std::string& detail);
  void on_client_reset();
  /// Credits `st`'s received body bytes back to the peer (`window_on_answer` only).
  void release_window(std::int32_t stream_id, stream& st);
  void arm_timer();
  /// Ends a session that has nothing more to send: half-close, drain input, then `finish`.
  void linger();
  /// Longest wait for the client to close after `linger` half-closed the connection.
  static constexpr std::chrono::milliseconds linger_time{1000};
  /// True when a socket write or a submitted response is older than the write timeout.
  [[nodiscard]] bool write_stalled(std::chrono::steady_clock::time_point now) const;
  void on_timer();
  void do_respond(std::int32_t stream_id, int status, const h2_headers& headers, std::string body);
  boost::asio::ip::tcp::socket& socket();
  template <class F>
  void with_stream(F&& f);

  boost::asio::any_io_executor strand_;
  std::shared_ptr<h2_server::shared_state> state_;
  std::optional<plain_server_stream> plain_;
  std::optional<tls_server_stream> tls_stream_;
  bool handshaken_ = false;
  std::string preread_;
  std::string remote_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, stream> streams_;
  std::array<std::uint8_t, 16384> read_buf_{};
  std::string write_buf_;
  bool writing_ = false;
  bool in_recv_ = false; ///< Inside nghttp2_session_mem_recv (its callbacks may not send).
  bool done_ = false;
  bool goaway_sent_ = false;
  bool lingering_ = false; ///< Half-closed after the last frame, discarding input (`linger`).
  std::int32_t goaway_last_id_ = 0;
  std::uint32_t dispatched_ = 0;
  std::int32_t max_dispatched_id_ = 0; ///< Highest stream id handed to the handler.
  std::uint32_t open_ = 0;
  std::deque<std::chrono::steady_clock::time_point> client_resets_;
  std::optional<boost::asio::steady_timer> timer_;
  std::chrono::steady_clock::time_point last_read_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point write_started_; ///< Of the pending socket write.
  std::function<void()> on_destroy_;
};

} // namespace herald::transports
