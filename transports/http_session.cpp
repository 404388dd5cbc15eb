#include "transports/http_session.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "transports/http_dispatch.hpp"

namespace herald::transports::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

template <class Stream>
http_session<Stream>::http_session(Stream stream, std::shared_ptr<http_server_state> server,
                                   std::uint64_t id, std::string_view preread)
    : stream_(std::move(stream)), server_(std::move(server)), id_(id),
      remote_(describe_peer(tcp().socket())) {
  if (!preread.empty()) {
    auto room = buffer_.prepare(preread.size());
    std::memcpy(room.data(), preread.data(), preread.size());
    buffer_.commit(preread.size());
  }
}

template <class Stream>
http_session<Stream>::~http_session() {
  server_->forget(id_);
}

template <class Stream>
plain_server_stream& http_session<Stream>::tcp() {
  return beast::get_lowest_layer(stream_);
}

template <class Stream>
void http_session<Stream>::start() {
  net::dispatch(stream_.get_executor(),
                [self = this->shared_from_this()] { self->read_request(); });
}

template <class Stream>
void http_session<Stream>::close() {
  net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->shutdown(); });
}

template <class Stream>
void http_session<Stream>::deliver(http_response response) {
  net::post(stream_.get_executor(),
            [self = this->shared_from_this(), r = std::move(response)]() mutable {
              self->write(std::move(r));
            });
}

template <class Stream>
void http_session<Stream>::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
  parser_->body_limit(server_->options.body_limit);
  if (first_request_ || buffer_.size() > 0) {
    // The first request's clock starts at accept; a pipelined one is already arriving.
    first_request_ = false;
    tcp().expires_after(server_->options.read_timeout);
    read_header();
    return;
  }
  // Idle keep-alive: wait for one byte under the idle timeout, then give the whole request
  // the (shorter) read timeout, so a slow sender cannot stretch it to the idle one.
  tcp().expires_after(server_->options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) {
                              self->on_read_error(ec);
                              return;
                            }
                            self->buffer_.commit(n);
                            self->tcp().expires_after(self->server_->options.read_timeout);
                            self->read_header();
                          });
}

template <class Stream>
void http_session<Stream>::read_header() {
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            self->on_header(ec);
                          });
}

template <class Stream>
void http_session<Stream>::on_header(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  const auto& req = parser_->get();
  // RFC 9110 section 10.1.1: a client that sent `Expect: 100-continue` may wait for the
  // interim response before sending the body.
  auto expect = req[http::field::expect];
  if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
    continue_ = {http::status::continue_, req.version()};
    http::async_write(stream_, continue_,
                      [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec) {
                          self->on_read_error(wec);
                          return;
                        }
                        self->read_body();
                      });
    return;
  }
  read_body();
}

template <class Stream>
void http_session<Stream>::read_body() {
  http::async_read(
      stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

template <class Stream>
void http_session<Stream>::on_body(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  tcp().expires_never();
  dispatch_request();
}

template <class Stream>
void http_session<Stream>::on_read_error(beast::error_code ec) {
  keep_alive_ = false;
  version_ = 11;
  if (ec == http::error::body_limit) {
    write(http_response::problem(413, "Content Too Large",
                                 "the request body exceeds " +
                                     std::to_string(server_->options.body_limit) + " bytes"));
    return;
  }
  if (ec == http::error::header_limit) {
    write(http_response::problem(431, "Request Header Fields Too Large",
                                 "the request line and header fields exceed " +
                                     std::to_string(server_->options.header_limit) + " bytes"));
    return;
  }
  bool parse_fault = ec.category() == http::make_error_code(http::error::bad_method).category() &&
                     ec != http::error::end_of_stream && ec != http::error::partial_message;
  if (parse_fault) {
    write(
        http_response::problem(400, "Bad Request", "malformed HTTP/1.1 request: " + ec.message()));
    return;
  }
  if (ec == beast::error::timeout) {
    spdlog::debug("http: {} timed out, closing", remote_);
  } else if (ec != http::error::end_of_stream && ec != net::error::operation_aborted) {
    spdlog::debug("http: {} read failed: {}", remote_, ec.message());
  }
  shutdown();
}

template <class Stream>
void http_session<Stream>::dispatch_request() {
  auto message = parser_->release();
  keep_alive_ = message.keep_alive();
  version_ = message.version();

  http_request req;
  req.method = std::string(message.method_string());
  req.target = std::string(message.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? std::string{} : req.target.substr(q + 1);
  req.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
    }
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.body = std::move(message.body());
  req.remote = remote_;

  dispatch_to_handler(
      server_->handler, std::move(req),
      [self = this->shared_from_this()](http_response r) { self->deliver(std::move(r)); },
      server_->options.retry_after);
}

template <class Stream>
void http_session<Stream>::write(http_response response) {
  if (!tcp().socket().is_open()) {
    return; // Closed by stop() or a peer reset while the handler worked.
  }
  response_ = {};
  response_.version(version_);
  response_.result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) {
    response_.insert(name, value);
  }
  response_.set(http::field::date, http_date());
  response_.set(http::field::server, server_->options.server_name);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive_);
  response_.prepare_payload();
  tcp().expires_after(server_->options.write_timeout);
  http::async_write(
      stream_, response_,
      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

template <class Stream>
void http_session<Stream>::on_write(beast::error_code ec) {
  if (ec) {
    spdlog::debug("http: {} write failed: {}", remote_, ec.message());
    shutdown();
    return;
  }
  if (!keep_alive_) {
    linger_close();
    return;
  }
  read_request();
}

template <class Stream>
void http_session<Stream>::linger_close() {
  // Closing a socket with unread input makes the kernel send RST, which can destroy the
  // response before the client reads it (RFC 9112 section 9.6): half-close, drain what the
  // client still sends for a moment, then close.
  beast::error_code ec;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    shutdown();
    return;
  }
  tcp().expires_after(
      std::min<std::chrono::milliseconds>(server_->options.read_timeout, std::chrono::seconds{2}));
  drain();
}

template <class Stream>
void http_session<Stream>::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(16384),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) {
                              self->shutdown();
                              return;
                            }
                            self->drain();
                          });
}

template <class Stream>
void http_session<Stream>::shutdown() {
  beast::error_code ec;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  tcp().close();
}

template class http_session<plain_server_stream>;
template class http_session<tls_server_stream>;

} // namespace herald::transports::detail
