#include "bench/support/admin_server.hpp"

#include <charconv>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace herald::bench {

namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// One keep-alive connection: read a request, answer it, repeat.
class admin_connection : public std::enable_shared_from_this<admin_connection> {
public:
  admin_connection(tcp::socket socket, const admin_handler& handler)
      : socket_(std::move(socket)), handler_(handler) {}

  void read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(64 * 1024);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                       if (!ec) {
                         self->answer();
                       }
                     });
  }

private:
  void answer() {
    request_ = parser_->release();
    auto reply = handler_(std::string(request_.method_string()), std::string(request_.target()));
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(reply.status));
    response_.set(http::field::content_type, reply.content_type);
    response_.keep_alive(request_.keep_alive());
    response_.body() = std::move(reply.body);
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                        if (!ec && self->response_.keep_alive()) {
                          self->read();
                        } else {
                          boost::system::error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                        }
                      });
  }

  tcp::socket socket_;
  admin_handler handler_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

} // namespace

admin_server::admin_server(boost::asio::io_context& io, admin_handler handler)
    : io_(io), acceptor_(io), handler_(std::move(handler)) {}

std::uint16_t admin_server::listen(const std::string& host, std::uint16_t port,
                                   std::string& error) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  tcp::endpoint endpoint(address, port);
  if (!ec) {
    acceptor_.open(endpoint.protocol(), ec);
  }
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
    error = "admin listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return 0;
  }
  accept();
  return acceptor_.local_endpoint().port();
}

void admin_server::accept() {
  acceptor_.async_accept(
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (!self->acceptor_.is_open()) {
          return;
        }
        if (!ec) {
          std::make_shared<admin_connection>(std::move(socket), self->handler_)->read();
        }
        self->accept();
      });
}

void admin_server::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  host = text.substr(0, colon);
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  return ec == std::errc() && end == last && first != last;
}

std::string query_param(const std::string& target, const std::string& name) {
  auto q = target.find('?');
  if (q == std::string::npos) {
    return {};
  }
  std::size_t pos = q + 1;
  while (pos < target.size()) {
    auto amp = target.find('&', pos);
    auto part = target.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (part.rfind(name + "=", 0) == 0) {
      return part.substr(name.size() + 1);
    }
    if (amp == std::string::npos) {
      break;
    }
    pos = amp + 1;
  }
  return {};
}

} // namespace herald::bench
