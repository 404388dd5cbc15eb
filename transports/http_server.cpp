#include "transports/http_server.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "transports/http_session.hpp"

namespace herald::transports {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace detail {

bool http_server_state::admit(http_session* s, const std::shared_ptr<http_session>& owner) {
  std::lock_guard lock(mutex_);
  if (stopped_ || sessions_.size() >= options.max_connections) {
    return false;
  }
  sessions_.emplace(s, owner);
  return true;
}

void http_server_state::forget(http_session* s) {
  std::lock_guard lock(mutex_);
  sessions_.erase(s);
}

void http_server_state::stop_sessions() {
  std::vector<std::shared_ptr<http_session>> live;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
  }
  for (auto& s : live) {
    s->close();
  }
}

std::size_t http_server_state::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

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
      auto session = std::make_shared<http_session>(std::move(socket), server_);
      if (server_->admit(session.get(), session)) {
        session->start();
      } else {
        spdlog::warn("http: connection refused: limit of {} connections reached or stopping",
                     server_->options.max_connections);
        session->close();
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
