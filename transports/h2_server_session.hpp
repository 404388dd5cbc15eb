#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>

#include "transports/h2_server.hpp"

struct nghttp2_session;

namespace herald::transports {

/// One accepted HTTP/2 connection of an `h2_server`: TLS handshake (ALPN must pick h2) or
/// h2c, then nghttp2 server framing; complete requests go to the server's handler.
///
/// Lifecycle: made by the server per accepted socket, `start`ed, ends when the peer closes,
/// on a protocol error, after GOAWAY once streams finish, or on `abort`. Threading: all work
/// on its own strand; `respond`, `shutdown`, `abort`, `send_settings` post to it.
class h2_server_session : public std::enable_shared_from_this<h2_server_session> {
public:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  h2_server_session(strand_type strand, boost::asio::ip::tcp::socket socket,
                    std::shared_ptr<h2_server::shared_state> state);
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

private:
  friend struct h2_server_callbacks;
  struct stream {
    h2_server_request request;
    std::string response_body;
    std::size_t body_sent = 0;
    bool answered = false; ///< Only the first response counts.
  };

  void on_handshaken();
  void start_read();
  void flush();
  void finish();
  void dispatch(std::int32_t stream_id);
  void do_respond(std::int32_t stream_id, int status, const h2_headers& headers, std::string body);
  boost::asio::ip::tcp::socket& socket();
  template <class F>
  void with_stream(F&& f);

  strand_type strand_;
  std::shared_ptr<h2_server::shared_state> state_;
  boost::asio::ip::tcp::socket plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_stream_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, stream> streams_;
  std::array<std::uint8_t, 16384> read_buf_{};
  std::string write_buf_;
  bool writing_ = false;
  bool done_ = false;
  bool goaway_sent_ = false;
  std::int32_t goaway_last_id_ = 0;
  std::uint32_t dispatched_ = 0;
  std::uint32_t open_ = 0;
};

} // namespace herald::transports
