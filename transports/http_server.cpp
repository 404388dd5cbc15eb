#include "transports/http_server.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "transports/h2_server_session.hpp"
#include "transports/http_dispatch.hpp"
#include "transports/http_session.hpp"

namespace herald::transports {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

std::vector<std::string> http_server_alpn(bool h2) {
  if (h2) {
    return {"h2", "http/1.1"};
  }
  return {"http/1.1"};
}

namespace detail {

namespace {

/// The HTTP/2 client connection preface (RFC 9113 section 3.4).
constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::shared_ptr<h2_server::shared_state> make_h2_state(const http_server_options& o,
                                                       const http_handler& handler) {
  auto h2 = std::make_shared<h2_server::shared_state>();
  h2->options.max_concurrent_streams = o.max_concurrent_streams;
  h2->options.max_request_body = o.body_limit;
  h2->options.answer_oversized_body = true;
  h2->options.max_header_list_size = o.header_limit;
  h2->options.read_timeout = o.read_timeout;
  h2->options.idle_timeout = o.idle_timeout;
  h2->options.write_timeout = o.write_timeout;
  h2->options.max_client_resets = o.max_client_resets;
  h2->options.reset_window = o.reset_window;
  h2->max_concurrent_streams = o.max_concurrent_streams;
  h2->handler = bridge_to_http_handler(handler, o.server_name, o.retry_after);
  return h2;
}

} // namespace

http_server_state::http_server_state(boost::asio::io_context& io, http_server_options opts,
                                     http_handler h)
    : ioc(io), options(std::move(opts)), handler(std::move(h)),
      h2(options.h2 ? make_h2_state(options, handler) : nullptr) {}

std::optional<std::uint64_t> http_server_state::admit() {
  std::lock_guard lock(mutex_);
  if (stopped_ || connections_.size() >= options.max_connections) {
    return std::nullopt;
  }
  auto id = next_id_++;
  connections_.emplace(id, std::function<void()>{});
  return id;
}

void http_server_state::set_closer(std::uint64_t id, std::function<void()> closer) {
  std::lock_guard lock(mutex_);
  if (auto it = connections_.find(id); it != connections_.end()) {
    it->second = std::move(closer);
  }
}

void http_server_state::forget(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

void http_server_state::stop_sessions() {
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [id, closer] : connections_) {
      if (closer) {
        closers.push_back(closer);
      }
    }
  }
  for (auto& close : closers) {
    close();
  }
}

std::size_t http_server_state::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

/// An accepted connection before its protocol is known: TLS handshake (ALPN) or a sniff of
/// the first bytes for the h2c preface, then hand-off to an `http_session` or an
/// `h2_server_session` together with its connection slot. Runs on the socket's strand.
class protocol_detector : public std::enable_shared_from_this<protocol_detector> {
public:
  protocol_detector(tcp::socket socket, std::shared_ptr<http_server_state> server, std::uint64_t id)
      : executor_(socket.get_executor()), plain_(std::move(socket)), server_(std::move(server)),
        id_(id) {}

  ~protocol_detector() {
    if (!handed_off_) {
      server_->forget(id_);
    }
  }

  void start() {
    server_->set_closer(id_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        net::post(self->executor_, [self] { self->close_now(); });
      }
    });
    net::dispatch(executor_, [self = shared_from_this()] { self->begin(); });
  }

private:
  void close_now() {
    if (handed_off_) {
      return;
    }
    if (tls_) {
      beast::get_lowest_layer(*tls_).close();
    } else {
      plain_->close();
    }
  }

  void begin() {
    // The first request's read timeout runs from accept, across handshake and sniffing.
    plain_->expires_after(server_->options.read_timeout);
    if (server_->options.tls) {
      tls_.emplace(std::move(*plain_), server_->options.tls->native());
      tls_->async_handshake(
          net::ssl::stream_base::server,
          [self = shared_from_this()](boost::system::error_code ec) { self->on_handshake(ec); });
      return;
    }
    if (!server_->h2) {
      hand_to_http(std::move(*plain_));
      return;
    }
    sniff();
  }

  void on_handshake(boost::system::error_code ec) {
    if (ec) {
      spdlog::debug("http: TLS handshake failed: {}", ec.message());
      return; // Dropping the stream closes the socket.
    }
    if (server_->h2 && tls_context::negotiated_alpn(tls_->native_handle()) == "h2") {
      beast::get_lowest_layer(*tls_).expires_never();
      hand_to_h2(std::make_shared<h2_server_session>(std::move(*tls_), server_->h2));
      return;
    }
    hand_to_http(std::move(*tls_));
  }

  /// Reads until the bytes either are the whole preface or stop matching it.
  void sniff() {
    auto have = preread_.size();
    preread_.resize(h2_preface.size());
    plain_->async_read_some(
        net::buffer(preread_.data() + have, preread_.size() - have),
        [self = shared_from_this(), have](boost::system::error_code ec, std::size_t n) {
          self->preread_.resize(have + n);
          self->on_sniffed(ec);
        });
  }

  void on_sniffed(boost::system::error_code ec) {
    bool prefix = h2_preface.substr(0, preread_.size()) == preread_;
    if (prefix && preread_.size() == h2_preface.size()) {
      plain_->expires_never();
      hand_to_h2(std::make_shared<h2_server_session>(std::move(*plain_), std::move(preread_),
                                                     server_->h2));
      return;
    }
    if (ec) {
      return; // Closed or timed out before a full request line: nothing to answer.
    }
    if (prefix) {
      sniff();
      return;
    }
    hand_to_http(std::move(*plain_));
  }

  template <class Stream>
  void hand_to_http(Stream stream) {
    auto session =
        std::make_shared<http_session<Stream>>(std::move(stream), server_, id_, preread_);
    handed_off_ = true;
    server_->set_closer(id_, [weak = std::weak_ptr(session)] {
      if (auto s = weak.lock()) {
        s->close();
      }
    });
    session->start();
  }

  void hand_to_h2(std::shared_ptr<h2_server_session> session) {
    handed_off_ = true;
    session->on_destroy([server = server_, id = id_] { server->forget(id); });
    server_->set_closer(id_, [weak = std::weak_ptr(session)] {
      if (auto s = weak.lock()) {
        s->abort();
      }
    });
    session->start();
  }

  net::any_io_executor executor_;
  std::optional<plain_server_stream> plain_;
  std::optional<tls_server_stream> tls_;
  std::shared_ptr<http_server_state> server_;
  std::uint64_t id_;
  std::string preread_;
  bool handed_off_ = false;
};

/// Accept loop of one bound address. Runs on its own strand; `close` may come from any
/// thread.
class http_listener : public std::enable_shared_from_this<http_listener> {
public:
  explicit http_listener(std::shared_ptr<http_server_state> server)
      : server_(std::move(server)), acceptor_(net::make_strand(server_->ioc)) {}

  listen_result<std::uint16_t> bind(const tcp::endpoint& ep) {
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(ep, ec);
    }
    if (!ec) {
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return std::error_code(ec);
    }
    auto port = acceptor_.local_endpoint(ec).port();
    if (ec) {
      return std::error_code(ec);
    }
    return port;
  }

  void start() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
  }

  void close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
    });
  }

private:
  void accept() {
    acceptor_.async_accept(
        net::make_strand(server_->ioc),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          self->on_accept(ec, std::move(socket));
        });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    if (ec) {
      // EMFILE and friends: keep accepting; the failure is the OS's, not the listener's.
      spdlog::warn("http: accept failed: {}", ec.message());
    } else {
      if (auto id = server_->admit()) {
        std::make_shared<protocol_detector>(std::move(socket), server_, *id)->start();
      } else {
        spdlog::warn("http: connection refused: limit of {} connections reached or stopping",
                     server_->options.max_connections);
        boost::system::error_code ignored;
        socket.close(ignored);
      }
    }
    accept();
  }

  std::shared_ptr<http_server_state> server_;
  tcp::acceptor acceptor_;
};

} // namespace detail

http_server::http_server(net::io_context& ioc, http_server_options options, http_handler handler)
    : state_(std::make_shared<detail::http_server_state>(ioc, std::move(options),
                                                         std::move(handler))) {}

http_server::~http_server() {
  stop();
}

listen_result<std::uint16_t> http_server::listen(std::string_view address, std::uint16_t port) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(std::string(address), ec);
  if (ec) {
    return std::error_code(ec);
  }
  auto listener = std::make_shared<detail::http_listener>(state_);
  auto bound = listener->bind(tcp::endpoint(addr, port));
  if (!bound) {
    return bound;
  }
  listener->start();
  listeners_.push_back(std::move(listener));
  spdlog::info("http: listening on {}:{}", address, bound.value());
  return bound;
}

void http_server::stop() {
  for (auto& l : listeners_) {
    l->close();
  }
  listeners_.clear();
  state_->stop_sessions();
}

std::size_t http_server::connections() const {
  return state_->size();
}

} // namespace herald::transports
