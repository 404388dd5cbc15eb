#include "bench/herald_bench/admin_client.hpp"

#include <charconv>
#include <limits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace herald::bench {

std::optional<std::string> admin_get(const std::string& host, std::uint16_t port,
                                     const std::string& target, int timeout_s) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    return std::nullopt;
  }
  stream.expires_after(std::chrono::seconds(timeout_s));
  stream.connect({address, port}, ec);
  if (ec) {
    return std::nullopt;
  }
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, host);
  http::write(stream, request, ec);
  if (ec) {
    return std::nullopt;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  // Not boost::none: Boost 1.74 compares a Content-Length against an empty limit as "over".
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read(stream, buffer, parser, ec);
  if (ec || parser.get().result_int() / 100 != 2) {
    return std::nullopt;
  }
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return std::move(parser.get().body());
}

bool parse_host_port(std::string text, std::string& host, std::uint16_t& port) {
  if (text.rfind("http://", 0) == 0) {
    text = text.substr(7);
  }
  if (auto slash = text.find('/'); slash != std::string::npos) {
    text.resize(slash);
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  host = text.substr(0, colon);
  const char* end = text.data() + text.size();
  auto [ptr, err] = std::from_chars(text.data() + colon + 1, end, port);
  return err == std::errc{} && ptr == end && port != 0;
}

} // namespace herald::bench
