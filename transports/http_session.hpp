#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "transports/http_server.hpp"

namespace herald::transports::detail {

class http_session;

/// What an `http_server`, its listeners and its sessions share; outlives the server while a
/// session still runs. Threading: the session table is guarded by `mutex`; the rest is
/// immutable after construction.
struct http_server_state {
  http_server_state(boost::asio::io_context& io, http_server_options opts, http_handler h)
      : ioc(io), options(std::move(opts)), handler(std::move(h)) {}

  /// Adds a session unless stopped or at `max_connections`.
  [[nodiscard]] bool admit(http_session* s, const std::shared_ptr<http_session>& owner);
  /// Removes a session (called from its destructor).
  void forget(http_session* s);
  /// Marks the state stopped and closes every live session.
  void stop_sessions();
  [[nodiscard]] std::size_t size() const;

  boost::asio::io_context& ioc;
  const http_server_options options;
  const http_handler handler;

private:
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::unordered_map<http_session*, std::weak_ptr<http_session>> sessions_;
};

/// One accepted HTTP/1.1 connection: reads a request, hands it to the handler, writes the
/// answer, repeats while keep-alive holds.
///
/// Lifecycle: created by the listener, `start`ed, kept alive by its own pending operations
/// and by outstanding responders; it ends when the socket closes and nothing refers to it.
/// Threading: every member function except `close` and `deliver` runs on the socket's strand;
/// those two post onto it and may be called from any thread.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<http_server_state> server);
  ~http_session();
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  /// Starts the request loop.
  void start();
  /// Closes the connection (any thread).
  void close();
  /// Sends the answer to the request in flight (any thread).
  void deliver(http_response response);

private:
  void read_request();
  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void dispatch_request();
  void write(http_response response);
  void on_write(boost::beast::error_code ec);
  void linger_close();
  void drain();
  void shutdown();

  boost::beast::tcp_stream stream_;
  std::shared_ptr<http_server_state> server_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  std::string remote_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool first_request_ = true;
};

} // namespace herald::transports::detail
