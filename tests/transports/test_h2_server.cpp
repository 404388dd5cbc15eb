#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "transports/h2_client_connection.hpp"
#include "transports/h2_server.hpp"

using namespace herald::transports;
using namespace std::chrono_literals;
using herald::protocol::provider_request;

namespace {

struct fixture {
  boost::asio::io_context io;
  std::shared_ptr<h2_server> uut;
  std::shared_ptr<h2_client_connection> client;
  bool ready = false;
  std::optional<std::uint32_t> goaway;
  std::optional<h2_failure> closed;

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(5ms);
    }
    return done();
  }

  void start(h2_server_options options, h2_request_handler handler) {
    uut = h2_server::create(io, std::move(options), std::move(handler));
    auto port = uut->listen();
    BOOST_TEST_REQUIRE(port.has_value());
    BOOST_TEST_REQUIRE(port.value() != 0);
    BOOST_TEST(uut->port() == port.value());
    h2_client_options o;
    o.host = "127.0.0.1";
    o.port = port.value();
    o.tls = false;
    h2_client_connection::events ev;
    ev.on_ready = [this] { ready = true; };
    ev.on_goaway = [this](std::uint32_t last) { goaway = last; };
    ev.on_closed = [this](const h2_failure& f) { closed = f; };
    client = h2_client_connection::create(io, o, ev);
    client->start();
    BOOST_TEST_REQUIRE(run_until([&] { return ready; }));
  }

  std::optional<h2_result> send(provider_request request) {
    std::optional<h2_result> got;
    client->submit(std::move(request), [&](h2_result r) { got = std::move(r); });
    run_until([&] { return got.has_value(); });
    return got;
  }
};

provider_request post(std::string body) {
  provider_request r;
  r.path = "/v1/things?x=1";
  r.headers = {{"x-a", "1"}, {"x-b", "two"}};
  r.body = std::move(body);
  return r;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(h2_server_suite, fixture)

BOOST_AUTO_TEST_CASE(hands_complete_requests_to_the_handler) {
  std::optional<h2_server_request> seen;
  start({}, [&](h2_server_request req, h2_responder res) {
    seen = req;
    res.respond(201, {{"x-reply", "yes"}}, "created");
  });
  auto got = send(post(std::string(70000, 'b')));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().status == 201);
  BOOST_TEST(got->value().header("x-reply") == "yes");
  BOOST_TEST(got->value().body == "created");
  BOOST_TEST_REQUIRE(seen.has_value());
  BOOST_TEST(seen->method == "POST");
  BOOST_TEST(seen->scheme == "http");
  BOOST_TEST(seen->path == "/v1/things?x=1");
  BOOST_TEST(seen->authority == "127.0.0.1:" + std::to_string(uut->port()));
  BOOST_TEST(seen->header("x-b") == "two");
  BOOST_TEST(seen->body.size() == 70000u);
  BOOST_TEST(uut->stats().requests.load() == 1u);
}

BOOST_AUTO_TEST_CASE(responder_may_answer_later_from_another_thread) {
  std::vector<std::thread> threads;
  start({}, [&](h2_server_request, h2_responder res) {
    threads.emplace_back([res] {
      std::this_thread::sleep_for(50ms);
      res.respond(202, {}, "later");
      res.respond(500, {}, "ignored second answer");
    });
  });
  auto got = send(post("x"));
  for (auto& t : threads) {
    t.join();
  }
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().status == 202);
  BOOST_TEST(got->value().body == "later");
}

BOOST_AUTO_TEST_CASE(advertises_its_max_concurrent_streams) {
  h2_server_options o;
  o.max_concurrent_streams = 7;
  start(o, [](h2_server_request, h2_responder res) { res.respond(200); });
  BOOST_TEST(client->stream_budget() == 7u);
}

BOOST_AUTO_TEST_CASE(stop_sends_goaway_and_lets_open_streams_finish) {
  std::vector<h2_responder> held;
  start({}, [&](h2_server_request, h2_responder res) { held.push_back(res); });
  std::optional<h2_result> got;
  client->submit(post("a"), [&](h2_result r) { got = std::move(r); });
  BOOST_TEST_REQUIRE(run_until([&] { return held.size() == 1; }));
  uut->stop();
  BOOST_TEST_REQUIRE(run_until([&] { return goaway.has_value(); }));
  BOOST_TEST(*goaway == 1u);
  held[0].respond(200, {}, "finished");
  BOOST_TEST_REQUIRE(run_until([&] { return got.has_value() && closed.has_value(); }));
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().body == "finished");
}

BOOST_AUTO_TEST_CASE(resets_requests_with_oversized_bodies) {
  h2_server_options o;
  o.max_request_body = 100;
  bool handled = false;
  start(o, [&](h2_server_request, h2_responder res) {
    handled = true;
    res.respond(200);
  });
  auto got = send(post(std::string(1000, 'x')));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST_REQUIRE(!got->has_value());
  BOOST_TEST(got->error().code == h2_errc::stream_reset);
  BOOST_TEST(!handled);
}

BOOST_AUTO_TEST_CASE(refuses_tls_clients_that_do_not_offer_h2) {
  herald::test::temp_dir dir;
  auto pki = herald::test::make_test_pki(dir / "pki");
  h2_server_options o;
  o.tls = tls_context::make_server({pki.server_cert, pki.server_key, {"h2"}}).value();
  uut = h2_server::create(io, o, [](h2_server_request, h2_responder res) { res.respond(200); });
  auto port = uut->listen();
  BOOST_TEST_REQUIRE(port.has_value());
  tls_client_config cc;
  cc.ca_file = pki.ca_cert;
  cc.alpn = {"http/1.1"};
  auto ctx = tls_context::make_client(cc).value();
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(io, ctx->native());
  std::optional<boost::system::error_code> result;
  stream.next_layer().async_connect({boost::asio::ip::make_address("127.0.0.1"), port.value()},
                                    [&](boost::system::error_code ec) {
                                      if (ec) {
                                        result = ec;
                                        return;
                                      }
                                      stream.async_handshake(
                                          boost::asio::ssl::stream_base::client,
                                          [&](boost::system::error_code ec2) { result = ec2; });
                                    });
  BOOST_TEST_REQUIRE(run_until([&] { return result.has_value(); }));
  BOOST_TEST(result->failed()); // RFC 7301 §3.2: no_application_protocol alert.
}

BOOST_AUTO_TEST_CASE(unreadable_certificate_file_is_a_clear_error) {
  auto made = tls_context::make_server({"/nonexistent/cert.pem", "/nonexistent/key.pem", {"h2"}});
  BOOST_TEST_REQUIRE(!made.has_value());
  BOOST_TEST((made.error().code == tls_errc::file_unreadable));
  BOOST_TEST(made.error().detail.find("/nonexistent/cert.pem") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
