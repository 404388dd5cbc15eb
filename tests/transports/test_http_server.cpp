#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "transports/http_server.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using herald::transports::http_handler;
using herald::transports::http_request;
using herald::transports::http_responder;
using herald::transports::http_response;
using herald::transports::http_server_options;

namespace {

/// Options with short timeouts so timeout tests finish quickly.
http_server_options short_options() {
  http_server_options o;
  o.read_timeout = 400ms;
  o.idle_timeout = 800ms;
  o.write_timeout = 2s;
  return o;
}

/// Answers `<method> <path> <body>` as text.
void echo(http_request&& req, http_responder respond) {
  http_response r;
  r.headers.emplace_back("content-type", "text/plain");
  r.body = req.method + " " + req.path + " " + req.body;
  respond(std::move(r));
}

/// A real server on 127.0.0.1:0 run by two event-loop threads.
struct server_fixture {
  net::io_context ioc;
  std::unique_ptr<herald::transports::http_server> uut;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> loop;
  std::uint16_t port = 0;

  void start(http_handler handler, http_server_options options = short_options()) {
    uut = std::make_unique<herald::transports::http_server>(ioc, std::move(options),
                                                            std::move(handler));
    auto bound = uut->listen("127.0.0.1", 0);
    BOOST_REQUIRE(bound.has_value());
    port = bound.value();
    BOOST_REQUIRE_NE(port, 0);
    work.emplace(net::make_work_guard(ioc));
    for (int i = 0; i < 2; ++i) {
      loop.emplace_back([this] { ioc.run(); });
    }
  }

  ~server_fixture() {
    if (uut) {
      uut->stop();
    }
    // Without the guard the loop ends only once stop() really closed every socket: a leak
    // would hang here and fail the test on its timeout.
    work.reset();
    for (auto& t : loop) {
      t.join();
    }
  }
};

/// Synchronous Beast client on its own io_context.
struct client {
  net::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;

  explicit client(std::uint16_t port) {
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> send(http::verb verb, const std::string& target,
                                         std::string body = {}, bool keep_alive = true) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() = std::move(body);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    http::write(socket, req);
    return receive();
  }

  http::response<http::string_body> receive() {
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res;
  }

  void send_raw(const std::string& bytes) { net::write(socket, net::buffer(bytes)); }

  /// Everything until the server closes the connection.
  std::string read_until_closed() {
    std::string out;
    boost::system::error_code ec;
    net::read(socket, net::dynamic_buffer(out), ec);
    BOOST_TEST((ec == net::error::eof || ec == net::error::connection_reset));
    return out;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(http_server)

BOOST_FIXTURE_TEST_CASE(serves_several_requests_on_one_keep_alive_connection, server_fixture) {
  start(echo);
  client c(port);
  for (int i = 0; i < 3; ++i) {
    auto body = "n=" + std::to_string(i);
    auto res = c.send(http::verb::post, "/v1/x" + std::to_string(i), body);
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res.body() == "POST /v1/x" + std::to_string(i) + " " + body);
    BOOST_TEST(res.keep_alive());
    BOOST_TEST(!res[http::field::date].empty());
    BOOST_TEST(res[http::field::server] == "herald");
  }
  BOOST_TEST(uut->connections() == 1U);
}

BOOST_FIXTURE_TEST_CASE(passes_lower_cased_headers_split_target_and_remote, server_fixture) {
  std::mutex m;
  http_request seen;
  start([&](http_request&& req, http_responder respond) {
    {
      std::lock_guard lock(m);
      seen = req;
    }
    respond(http_response::json(200, "{}"));
  });
  client c(port);
  http::request<http::string_body> req{http::verb::get, "/v1/devices?app=my%20app&tag=a+b&x", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set("X-Custom-Header", "Value");
  http::write(c.socket, req);
  auto res = c.receive();
  BOOST_TEST(res[http::field::content_type] == "application/json");
  std::lock_guard lock(m);
  BOOST_TEST(seen.path == "/v1/devices");
  BOOST_TEST(seen.query == "app=my%20app&tag=a+b&x");
  BOOST_TEST(seen.query_param("app").value_or("?") == "my app");
  BOOST_TEST(seen.query_param("tag").value_or("?") == "a b");
  BOOST_TEST(seen.query_param("x").value_or("?") == "");
  BOOST_TEST(!seen.query_param("missing").has_value());
  BOOST_REQUIRE(seen.header("x-custom-header") != nullptr);
  BOOST_TEST(*seen.header("x-custom-header") == "Value");
  BOOST_TEST(seen.remote.rfind("127.0.0.1:", 0) == 0U);
}

BOOST_FIXTURE_TEST_CASE(answers_from_another_thread_later, server_fixture) {
  std::mutex m;
  std::vector<std::thread> workers;
  start([&](http_request&& req, http_responder respond) {
    std::lock_guard lock(m);
    workers.emplace_back([path = req.path, respond = std::move(respond)] {
      std::this_thread::sleep_for(50ms);
      respond(http_response::json(202, "{\"path\":\"" + path + "\"}"));
    });
  });
  client c(port);
  auto first = c.send(http::verb::get, "/a");
  auto second = c.send(http::verb::get, "/b");
  BOOST_TEST(first.result_int() == 202);
  BOOST_TEST(first.body() == R"({"path":"/a"})");
  BOOST_TEST(second.body() == R"({"path":"/b"})");
  std::lock_guard lock(m);
  for (auto& w : workers) {
    w.join();
  }
}

BOOST_FIXTURE_TEST_CASE(answers_pipelined_requests_in_order, server_fixture) {
  start(echo);
  client c(port);
  c.send_raw("GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\n");
  auto one = c.receive();
  auto two = c.receive();
  BOOST_TEST(one.body() == "GET /one ");
  BOOST_TEST(two.body() == "GET /two ");
}

BOOST_FIXTURE_TEST_CASE(rejects_body_over_limit_with_413_before_reading_it, server_fixture) {
  std::atomic<int> calls{0};
  auto options = short_options();
  options.body_limit = 1024;
  start(
      [&](http_request&& req, http_responder respond) {
        ++calls;
        echo(std::move(req), std::move(respond));
      },
      options);
  client c(port);
  // Only the header is sent: the answer must come from Content-Length alone.
  c.send_raw("POST /hook HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n");
  auto res = c.receive();
  BOOST_TEST(res.result_int() == 413);
  BOOST_TEST(res[http::field::content_type] == "application/problem+json");
  BOOST_TEST(res.body().find(R"("status":413)") != std::string::npos);
  BOOST_TEST(!res.keep_alive());
  BOOST_TEST(calls.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(accepts_body_at_the_limit, server_fixture) {
  auto options = short_options();
  options.body_limit = 1024;
  start(echo, options);
  client c(port);
  auto res = c.send(http::verb::post, "/hook", std::string(1024, 'x'));
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res.body().size() == std::string("POST /hook ").size() + 1024);
}

BOOST_FIXTURE_TEST_CASE(rejects_malformed_request_line_with_400, server_fixture) {
  start(echo);
  client c(port);
  c.send_raw("GET /\r\nHost: h\r\n\r\n");
  auto raw = c.read_until_closed();
  BOOST_TEST(raw.rfind("HTTP/1.1 400 ", 0) == 0U, raw);
  BOOST_TEST(raw.find("application/problem+json") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(rejects_oversized_header_fields_with_431, server_fixture) {
  auto options = short_options();
  options.header_limit = 1024;
  start(echo, options);
  client c(port);
  c.send_raw("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  auto raw = c.read_until_closed();
  BOOST_TEST(raw.rfind("HTTP/1.1 431 ", 0) == 0U, raw);
}

BOOST_FIXTURE_TEST_CASE(closes_a_slow_sender_after_the_read_timeout, server_fixture) {
  std::atomic<int> calls{0};
  start([&](http_request&& req, http_responder respond) {
    ++calls;
    echo(std::move(req), std::move(respond));
  });
  client c(port);
  auto begin = std::chrono::steady_clock::now();
  c.send_raw("GET / HTTP/1.1\r\nHost: h\r\n"); // Headers never finish.
  std::this_thread::sleep_for(200ms);
  c.send_raw("X-Drip: 1\r\n"); // Still dripping: the deadline covers the whole request.
  auto raw = c.read_until_closed();
  auto elapsed = std::chrono::steady_clock::now() - begin;
  BOOST_TEST(raw.empty());
  BOOST_TEST(calls.load() == 0);
  BOOST_TEST(elapsed >= 350ms);
  BOOST_TEST(elapsed < 3s);
}

BOOST_FIXTURE_TEST_CASE(closes_an_idle_keep_alive_connection, server_fixture) {
  start(echo);
  client c(port);
  BOOST_TEST(c.send(http::verb::get, "/").result_int() == 200);
  auto begin = std::chrono::steady_clock::now();
  auto raw = c.read_until_closed();
  auto elapsed = std::chrono::steady_clock::now() - begin;
  BOOST_TEST(raw.empty());
  BOOST_TEST(elapsed >= 700ms);
  BOOST_TEST(elapsed < 4s);
}

BOOST_FIXTURE_TEST_CASE(answers_503_with_retry_after_when_the_responder_is_dropped,
                        server_fixture) {
  start([](http_request&&, http_responder) {});
  client c(port);
  auto res = c.send(http::verb::post, "/hook", "{}");
  BOOST_TEST(res.result_int() == 503);
  BOOST_TEST(res[http::field::retry_after] == "1");
  BOOST_TEST(res[http::field::content_type] == "application/problem+json");
}

BOOST_FIXTURE_TEST_CASE(answers_500_when_the_handler_throws_and_keeps_serving, server_fixture) {
  start([](http_request&& req, http_responder respond) {
    if (req.path == "/throw") {
      throw std::runtime_error("handler bug");
    }
    echo(std::move(req), std::move(respond));
  });
  client c(port);
  BOOST_TEST(c.send(http::verb::get, "/throw").result_int() == 500);
  BOOST_TEST(c.send(http::verb::get, "/fine").body() == "GET /fine ");
}

BOOST_FIXTURE_TEST_CASE(ignores_a_second_answer_to_one_request, server_fixture) {
  start([](http_request&&, http_responder respond) {
    respond(http_response::json(201, "{}"));
    respond(http_response::json(500, "{}"));
  });
  client c(port);
  BOOST_TEST(c.send(http::verb::get, "/").result_int() == 201);
  BOOST_TEST(c.send(http::verb::get, "/").result_int() == 201);
}

BOOST_FIXTURE_TEST_CASE(honours_connection_close, server_fixture) {
  start(echo);
  client c(port);
  auto res = c.send(http::verb::get, "/bye", {}, false);
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(!res.keep_alive());
  BOOST_TEST(c.read_until_closed().empty());
}

BOOST_FIXTURE_TEST_CASE(serves_concurrent_clients, server_fixture) {
  std::atomic<int> calls{0};
  start([&](http_request&& req, http_responder respond) {
    ++calls;
    echo(std::move(req), std::move(respond));
  });
  constexpr int clients = 8;
  constexpr int requests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      client c(port);
      for (int j = 0; j < requests; ++j) {
        auto path = "/c" + std::to_string(i) + "/" + std::to_string(j);
        if (c.send(http::verb::get, path).body() == "GET " + path + " ") {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  BOOST_TEST(good.load() == clients * requests);
  BOOST_TEST(calls.load() == clients * requests);
}

BOOST_FIXTURE_TEST_CASE(refuses_connections_over_the_limit, server_fixture) {
  auto options = short_options();
  options.max_connections = 1;
  start(echo, options);
  client first(port);
  BOOST_TEST(first.send(http::verb::get, "/").result_int() == 200);
  client second(port);
  BOOST_TEST(second.read_until_closed().empty());
  BOOST_TEST(first.send(http::verb::get, "/").result_int() == 200);
}

BOOST_FIXTURE_TEST_CASE(stop_closes_open_connections, server_fixture) {
  start(echo);
  client c(port);
  BOOST_TEST(c.send(http::verb::get, "/").result_int() == 200);
  uut->stop();
  BOOST_TEST(c.read_until_closed().empty());
}

BOOST_FIXTURE_TEST_CASE(reports_a_port_already_in_use, server_fixture) {
  start(echo);
  herald::transports::http_server other(ioc, short_options(), echo);
  auto bound = other.listen("127.0.0.1", port);
  BOOST_REQUIRE(!bound.has_value());
  BOOST_TEST((bound.error() == std::errc::address_in_use), bound.error().message());
}

BOOST_AUTO_TEST_CASE(percent_decode_keeps_malformed_escapes) {
  using herald::transports::percent_decode;
  BOOST_TEST(percent_decode("8%3Aacs%3a1") == "8:acs:1");
  BOOST_TEST(percent_decode("100%") == "100%");
  BOOST_TEST(percent_decode("%zz%4") == "%zz%4");
  BOOST_TEST(percent_decode("a+b") == "a+b");
  BOOST_TEST(percent_decode("a+b", true) == "a b");
}

BOOST_AUTO_TEST_CASE(problem_escapes_its_strings) {
  auto uut = http_response::problem(400, "Bad \"input\"", "line\nbreak", "data.to");
  BOOST_TEST(uut.status == 400);
  BOOST_TEST(uut.body == R"({"type":"about:blank","title":"Bad \"input\"","status":400,)"
                         R"("detail":"line\nbreak","field":"data.to"})");
  BOOST_REQUIRE(uut.header("Content-Type") != nullptr);
  BOOST_TEST(*uut.header("Content-Type") == "application/problem+json");
}

BOOST_AUTO_TEST_SUITE_END()
