#pragma once

// Shared by the h2_client_connection tests: a local h2_server and a client connected to it.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "transports/h2_client_connection.hpp"
#include "transports/h2_server.hpp"

namespace herald::test::h2 {

using namespace herald::transports;
using namespace std::chrono_literals;

/// Runs the io_context on this thread until `done()` or the timeout; true if done.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

/// A POST to `/3/device/abc` carrying `x-id: id` and `body`.
inline protocol::provider_request make_request(const std::string& id,
                                               const std::string& body = "{}") {
  protocol::provider_request r;
  r.path = "/3/device/abc";
  r.headers = {{"x-id", id}};
  r.body = body;
  return r;
}

/// Echo handler: 200, `x-id` copied back, body echoed.
inline void echo(h2_server_request req, h2_responder res) {
  res.respond(200, {{"x-id", req.header("x-id")}, {"x-path", req.path}}, req.body);
}

struct fixture {
  boost::asio::io_context io;
  temp_dir dir;
  test_pki pki = make_test_pki(dir / "pki");
  std::shared_ptr<h2_server> server;
  std::optional<h2_failure> closed_reason;
  bool ready = false;
  std::uint32_t last_budget = 0;

  std::uint16_t start_server(h2_server_options options, h2_request_handler handler = echo) {
    server = h2_server::create(io, std::move(options), std::move(handler));
    auto port = server->listen();
    BOOST_TEST_REQUIRE(port.has_value());
    return port.value();
  }

  std::shared_ptr<tls_context> server_tls(std::vector<std::string> alpn = {"h2"}) {
    auto made = tls_context::make_server({pki.server_cert, pki.server_key, std::move(alpn)});
    BOOST_TEST_REQUIRE(made.has_value());
    return made.value();
  }

  std::shared_ptr<h2_client_connection> connect(h2_client_options options) {
    h2_client_connection::events ev;
    ev.on_ready = [this] { ready = true; };
    ev.on_budget = [this](std::uint32_t b) { last_budget = b; };
    ev.on_closed = [this](const h2_failure& f) { closed_reason = f; };
    auto uut = h2_client_connection::create(io, std::move(options), std::move(ev));
    uut->start();
    return uut;
  }

  h2_client_options h2c_options(std::uint16_t port) {
    h2_client_options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.tls = false;
    return o;
  }
};

} // namespace herald::test::h2
