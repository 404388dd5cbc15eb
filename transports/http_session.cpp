#include "transports/http_session.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace herald::transports::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// IMF-fixdate (RFC 9110 section 5.6.7), built by hand: strftime's names follow the locale.
std::string http_date() {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string format_remote(const net::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(ep.port());
}

/// The one-shot completion behind every copy of an `http_responder`. Its destructor is the
/// "dropped without answering" detector: the last copy going away unanswered yields a 503.
class responder_state {
public:
  explicit responder_state(std::shared_ptr<http_session> session) : session_(std::move(session)) {}
  responder_state(const responder_state&) = delete;
  responder_state& operator=(const responder_state&) = delete;

  ~responder_state() {
    if (!answered_.exchange(true)) {
      spdlog::error("http: request handler dropped its responder without answering; sending 503");
      session_->deliver(dropped_answer());
    }
  }

  void answer(http_response response) {
    if (answered_.exchange(true)) {
      spdlog::error("http: responder called more than once; later answer ignored");
      return;
    }
    session_->deliver(std::move(response));
  }

  /// Answers unless the handler already did; for the exception path.
  void answer_if_pending(http_response response) {
    if (!answered_.exchange(true)) {
      session_->deliver(std::move(response));
    }
  }

  void set_retry_after(std::chrono::seconds s) { retry_after_ = s; }

private:
  http_response dropped_answer() const {
    auto r = http_response::problem(503, "Service Unavailable",
                                    "the request was lost inside the server; retry later");
    r.headers.emplace_back("retry-after", std::to_string(retry_after_.count()));
    return r;
  }

  std::shared_ptr<http_session> session_;
  std::atomic<bool> answered_{false};
  std::chrono::seconds retry_after_{1};
};

} // namespace

http_session::http_session(net::ip::tcp::socket socket, std::shared_ptr<http_server_state> server)
    : stream_(std::move(socket)), server_(std::move(server)) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? std::string{"unknown"} : format_remote(ep);
}

http_session::~http_session() {
  server_->forget(this);
}

void http_session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void http_session::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
}

void http_session::deliver(http_response response) {
  net::post(stream_.get_executor(), [self = shared_from_this(), r = std::move(response)]() mutable {
    self->write(std::move(r));
  });
}

void http_session::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
  parser_->body_limit(server_->options.body_limit);
  if (first_request_ || buffer_.size() > 0) {
    // The first request's clock starts at accept; a pipelined one is already arriving.
    first_request_ = false;
    stream_.expires_after(server_->options.read_timeout);
    read_header();
    return;
  }
  // Idle keep-alive: wait for one byte under the idle timeout, then give the whole request
  // the (shorter) read timeout, so a slow sender cannot stretch it to the idle one.
  stream_.expires_after(server_->options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) {
                              self->on_read_error(ec);
                              return;
                            }
                            self->buffer_.commit(n);
                            self->stream_.expires_after(self->server_->options.read_timeout);
                            self->read_header();
                          });
}

void http_session::read_header() {
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void http_session::on_header(beast::error_code ec) {
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
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
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

void http_session::read_body() {
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void http_session::on_body(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  stream_.expires_never();
  dispatch_request();
}

void http_session::on_read_error(beast::error_code ec) {
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

void http_session::dispatch_request() {
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

  auto state = std::make_shared<responder_state>(shared_from_this());
  state->set_retry_after(server_->options.retry_after);
  try {
    server_->handler(std::move(req), [state](http_response r) { state->answer(std::move(r)); });
  } catch (const std::exception& e) {
    spdlog::error("http: request handler threw (a bug): {}", e.what());
    state->answer_if_pending(http_response::problem(500, "Internal Server Error",
                                                    "the server failed to handle the request"));
  } catch (...) {
    spdlog::error("http: request handler threw a non-exception (a bug)");
    state->answer_if_pending(http_response::problem(500, "Internal Server Error",
                                                    "the server failed to handle the request"));
  }
}

void http_session::write(http_response response) {
  if (!stream_.socket().is_open()) {
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
  stream_.expires_after(server_->options.write_timeout);
  http::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void http_session::on_write(beast::error_code ec) {
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

void http_session::linger_close() {
  // Closing a socket with unread input makes the kernel send RST, which can destroy the
  // response before the client reads it (RFC 9112 section 9.6): half-close, drain what the
  // client still sends for a moment, then close.
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    shutdown();
    return;
  }
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(server_->options.read_timeout, std::chrono::seconds{2}));
  drain();
}

void http_session::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(16384),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) {
                              self->shutdown();
                              return;
                            }
                            self->drain();
                          });
}

void http_session::shutdown() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

} // namespace herald::transports::detail
