#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "transports/metrics_exposer.hpp"

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace ht = herald::transports;

namespace {

/// One GET /metrics over a fresh connection; returns status and body.
std::pair<unsigned, std::string> scrape(std::uint16_t port, const std::string& target) {
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {res.result_int(), res.body()};
}

/// Value of the sample line starting with `series ` in a text exposition, or -1.
double sample(const std::string& exposition, const std::string& series) {
  auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) {
    return -1;
  }
  return std::stod(exposition.substr(at + series.size() + 2));
}

struct registry_fixture {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Counter& requests = prometheus::BuildCounter()
                                      .Name("herald_test_requests_total")
                                      .Help("Requests seen by the test.")
                                      .Register(*registry)
                                      .Add({{"kind", "webhook"}});
};

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_exposer)

BOOST_FIXTURE_TEST_CASE(serves_a_counter_that_moves_between_scrapes, registry_fixture) {
  auto started = ht::metrics_exposer::start("127.0.0.1", 0, registry);
  BOOST_REQUIRE(started.has_value());
  auto& uut = *started.value();
  BOOST_REQUIRE_NE(uut.port(), 0);

  requests.Increment(3);
  auto [status, first] = scrape(uut.port(), "/metrics");
  BOOST_TEST(status == 200U);
  BOOST_TEST(sample(first, R"(herald_test_requests_total{kind="webhook"})") == 3.0);

  requests.Increment(2);
  auto second = scrape(uut.port(), "/metrics").second;
  BOOST_TEST(sample(second, R"(herald_test_requests_total{kind="webhook"})") == 5.0);
}

BOOST_FIXTURE_TEST_CASE(serves_nothing_but_metrics, registry_fixture) {
  auto started = ht::metrics_exposer::start("127.0.0.1", 0, registry);
  BOOST_REQUIRE(started.has_value());
  BOOST_TEST(scrape(started.value()->port(), "/other").first == 404U);
}

BOOST_FIXTURE_TEST_CASE(reports_a_port_already_in_use, registry_fixture) {
  auto first = ht::metrics_exposer::start("127.0.0.1", 0, registry);
  BOOST_REQUIRE(first.has_value());
  auto uut = ht::metrics_exposer::start("127.0.0.1", first.value()->port(), registry);
  BOOST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error() == std::errc::address_in_use), uut.error().message());
}

BOOST_FIXTURE_TEST_CASE(rejects_an_address_that_is_not_an_ip_literal, registry_fixture) {
  auto uut = ht::metrics_exposer::start("not-an-address", 0, registry);
  BOOST_TEST(!uut.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
