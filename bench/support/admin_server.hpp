#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace herald::bench {

/// A reply of the admin port: status, content type, body.
struct admin_reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// Handles one admin request: method ("GET", ...) and target (path + query).
using admin_handler =
    std::function<admin_reply(const std::string& method, const std::string& target)>;

/// Minimal HTTP/1.1 server (Boost.Beast) for the mock servers' stats and inspection
/// endpoints: keep-alive, no bodies read beyond 64 KiB, no TLS.
/// Lifecycle: `listen`, then `stop`. Threading: runs on the io_context it was given; the
/// handler runs there too (so it must not block).
class admin_server : public std::enable_shared_from_this<admin_server> {
public:
  admin_server(boost::asio::io_context& io, admin_handler handler);
  /// Binds host:port (0 = ephemeral); returns the bound port, or 0 with `error` set.
  [[nodiscard]] std::uint16_t listen(const std::string& host, std::uint16_t port,
                                     std::string& error);
  /// Stops accepting (open connections end after their current request).
  void stop();

private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  admin_handler handler_;
};

/// Splits "host:port" (the CLI's --listen / --admin form); false if malformed.
[[nodiscard]] bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port);

/// Value of `name` in a URL query string (`a=1&b=2`), not percent-decoded, or empty.
[[nodiscard]] std::string query_param(const std::string& target, const std::string& name);

} // namespace herald::bench
