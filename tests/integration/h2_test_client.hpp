#pragma once

// A synchronous HTTP/2 client for tests that judge a mock provider directly (header-only: it
// uses Boost.Test's assertions, which belong to each test executable).
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "protocol/provider_request.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::test {

/// One TLS HTTP/2 connection to 127.0.0.1:`port` trusting `ca_file`, driven on the test's
/// thread.
struct h2_test_client {
  /// Connects; fails the test case when the connection is not ready within 10 s.
  h2_test_client(std::uint16_t port, const std::string& ca_file) {
    transports::h2_client_options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.ca_file = ca_file;
    bool ready = false;
    client = transports::h2_client_connection::create(io, o, {[&] { ready = true; }, {}, {}, {}});
    client->start();
    BOOST_TEST_REQUIRE(run_until([&] { return ready; }));
  }

  ~h2_test_client() {
    client->close();
    run_until([] { return false; }, std::chrono::milliseconds(50));
  }

  h2_test_client(const h2_test_client&) = delete;
  h2_test_client& operator=(const h2_test_client&) = delete;

  /// Runs the I/O until `done()` or `limit`; returns `done()`.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  /// Sends `request` and returns the answer; fails the test case on a transport failure.
  protocol::provider_response send(protocol::provider_request request) {
    std::optional<transports::h2_result> got;
    client->submit(std::move(request), [&](transports::h2_result r) { got = std::move(r); });
    BOOST_TEST_REQUIRE(run_until([&] { return got.has_value(); }));
    BOOST_TEST_REQUIRE(got->has_value());
    return got->value();
  }

  boost::asio::io_context io;
  std::shared_ptr<transports::h2_client_connection> client;
};

} // namespace herald::test
