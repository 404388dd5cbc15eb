#include "transports/h2_server.hpp"

#include <boost/asio/post.hpp>

#include "transports/h2_server_session.hpp"

namespace herald::transports {

const std::string& h2_server_request::header(const std::string& name) const {
  static const std::string none;
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return none;
}

void h2_responder::respond(int status, h2_headers headers, std::string body) const {
  if (auto session = session_.lock()) {
    session->respond(stream_id_, status, std::move(headers), std::move(body));
  }
}

std::shared_ptr<h2_server> h2_server::create(boost::asio::io_context& io, h2_server_options options,
                                             h2_request_handler handler) {
  return std::shared_ptr<h2_server>(new h2_server(io, std::move(options), std::move(handler)));
}

h2_server::h2_server(boost::asio::io_context& io, h2_server_options options,
                     h2_request_handler handler)
    : io_(io), strand_(boost::asio::make_strand(io)), acceptor_(strand_),
      state_(std::make_shared<shared_state>()) {
  state_->max_concurrent_streams = options.max_concurrent_streams;
  state_->options = std::move(options);
  state_->handler = std::move(handler);
}

h2_listen_result h2_server::listen() {
  using boost::asio::ip::tcp;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(state_->options.host, ec);
  if (ec) {
    return ec;
  }
  tcp::endpoint endpoint(address, state_->options.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return ec;
  }
  port_ = acceptor_.local_endpoint().port();
  boost::asio::post(strand_, [self = shared_from_this()] { self->accept(); });
  return port_.load();
}

void h2_server::accept() {
  auto session_strand = boost::asio::make_strand(io_);
  acceptor_.async_accept(
      session_strand, [self = shared_from_this()](boost::system::error_code ec,
                                                  boost::asio::ip::tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !self->acceptor_.is_open()) {
          return;
        }
        if (!ec) {
          auto session = std::make_shared<h2_server_session>(std::move(socket), self->state_);
          {
            std::lock_guard lock(self->sessions_mutex_);
            std::erase_if(self->sessions_, [](const auto& weak) { return weak.expired(); });
            self->sessions_.push_back(session);
          }
          ++self->state_->stats.sessions;
          session->start();
        }
        self->accept();
      });
}

template <class F>
void h2_server::for_each_session(F&& f) {
  std::vector<std::shared_ptr<h2_server_session>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) {
        live.push_back(std::move(session));
      }
    }
  }
  for (auto& session : live) {
    f(*session);
  }
}

void h2_server::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
  for_each_session([](h2_server_session& s) { s.shutdown(); });
}

void h2_server::abort() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
  for_each_session([](h2_server_session& s) { s.abort(); });
}

void h2_server::set_max_concurrent_streams(std::uint32_t n) {
  state_->max_concurrent_streams = n;
  for_each_session([n](h2_server_session& s) { s.send_settings(n); });
}

} // namespace herald::transports
