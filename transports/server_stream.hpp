#pragma once

#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace herald::transports {

/// A server connection's clear-text byte stream (Beast's TCP stream, with per-operation
/// timeouts available through `expires_after`).
using plain_server_stream = boost::beast::tcp_stream;

/// A server connection's TLS stream over a `plain_server_stream`.
using tls_server_stream = boost::asio::ssl::stream<plain_server_stream>;

/// The peer of a connected socket as `ip:port` (`[v6]:port` for IPv6), or `unknown`.
[[nodiscard]] std::string describe_peer(const boost::asio::ip::tcp::socket& socket);

} // namespace herald::transports
