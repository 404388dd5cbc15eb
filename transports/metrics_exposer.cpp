#include "transports/metrics_exposer.hpp"

#include <exception>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

namespace herald::transports {

namespace net = boost::asio;

namespace {

/// Binds the address the way civetweb will (SO_REUSEADDR, then bind) and releases it, to get
/// the precise socket error: civetweb itself only throws "possible problem binding to port".
std::error_code probe_bind(const net::ip::tcp::endpoint& ep) {
  net::io_context ioc;
  net::ip::tcp::acceptor probe(ioc);
  boost::system::error_code ec;
  probe.open(ep.protocol(), ec);
  if (!ec) {
    probe.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    probe.bind(ep, ec);
  }
  return ec;
}

} // namespace

metrics_exposer::start_result
metrics_exposer::start(std::string_view address, std::uint16_t port,
                       std::shared_ptr<prometheus::Registry> registry) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(std::string(address), ec);
  if (ec) {
    return std::error_code(ec);
  }
  if (port != 0) {
    if (auto probe = probe_bind({addr, port})) {
      spdlog::error("metrics: cannot bind {}:{}: {}", address, port, probe.message());
      return probe;
    }
  }
  // civetweb's listening_ports syntax: a bracketed IPv6 literal binds that address alone.
  std::string bind = addr.is_v6() ? "[" + addr.to_string() + "]:" + std::to_string(port)
                                  : addr.to_string() + ":" + std::to_string(port);
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(bind, 2);
  } catch (const std::exception& e) {
    // Lost a race for the port after the probe, or a civetweb limit: report it as "in use",
    // the only failure civetweb's start-up has in practice.
    spdlog::error("metrics: cannot serve on {}: {}", bind, e.what());
    return std::make_error_code(std::errc::address_in_use);
  }
  exposer->RegisterCollectable(registry, "/metrics");
  auto ports = exposer->GetListeningPorts();
  auto bound = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
  spdlog::info("metrics: serving /metrics on {}:{}", address, bound);
  return std::unique_ptr<metrics_exposer>(
      new metrics_exposer(std::move(exposer), std::move(registry), bound));
}

metrics_exposer::metrics_exposer(std::unique_ptr<prometheus::Exposer> exposer,
                                 std::shared_ptr<prometheus::Registry> registry, std::uint16_t port)
    : registry_(std::move(registry)), exposer_(std::move(exposer)), port_(port) {}

metrics_exposer::~metrics_exposer() = default;

} // namespace herald::transports
