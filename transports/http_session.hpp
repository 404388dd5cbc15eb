#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "transports/h2_server.hpp"
#include "transports/http_server.hpp"
#include "transports/server_stream.hpp"

namespace herald::transports::detail {

/// What an `http_server`, its listeners and its connections share; outlives the server while
/// a connection still runs. Threading: the connection table is guarded by a mutex; the rest
/// is immutable after construction.
struct http_server_state {
  http_server_state(boost::asio::io_context& io, http_server_options opts, http_handler h);

  /// Reserves a connection slot unless stopped or at `max_connections`; its id, or nullopt.
  [[nodiscard]] std::optional<std::uint64_t> admit();
  /// Sets how `stop_sessions` closes connection `id` (replaced when it changes hands).
  void set_closer(std::uint64_t id, std::function<void()> closer);
  /// Releases a slot (called when its connection object is destroyed).
  void forget(std::uint64_t id);
  /// Marks the state stopped and closes every live connection.
  void stop_sessions();
  [[nodiscard]] std::size_t size() const;

  boost::asio::io_context& ioc;
  const http_server_options options;
  const http_handler handler;
  /// Settings and handler of HTTP/2 connections (the handler bridges to `handler`); null
  /// when `options.h2` is off.
  std::shared_ptr<h2_server::shared_state> h2;

private:
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::function<void()>> connections_;
};

/// One HTTP/1.1 connection (clear text or TLS): reads a request, hands it to the handler,
/// writes the answer, repeats while keep-alive holds.
///
/// Lifecycle: created by the listener once the protocol is known, `start`ed, kept alive by
/// its own pending operations and by outstanding responders; it ends when the socket closes
/// and nothing refers to it, releasing its connection slot. Threading: every member function
/// except `close` and `deliver` runs on the stream's strand; those two post onto it and may
/// be called from any thread.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
  /// Takes an open stream (TLS already handshaken) and the bytes already read from it.
  http_session(Stream stream, std::shared_ptr<http_server_state> server, std::uint64_t id,
               std::string_view preread);
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
  plain_server_stream& tcp();

  Stream stream_;
  std::shared_ptr<http_server_state> server_;
  std::uint64_t id_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  std::string remote_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool first_request_ = true;
};

extern template class http_session<plain_server_stream>;
extern template class http_session<tls_server_stream>;

} // namespace herald::transports::detail
