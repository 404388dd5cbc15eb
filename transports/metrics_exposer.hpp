#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include <boost/outcome/result.hpp>

namespace prometheus {
class Exposer;
class Registry;
} // namespace prometheus

namespace herald::transports {

/// Serves `GET /metrics` (Prometheus text format) from one `prometheus::Registry` on its own
/// address and port, through prometheus-cpp's civetweb-based `Exposer`.
///
/// Lifecycle: `start` binds and serves at once; destruction stops serving.
/// Threading: civetweb runs its own worker threads; the registry is thread-safe, so metrics
/// may be updated from any thread while scrapes run.
class metrics_exposer {
public:
  /// Result of `start`: the running exposer or the socket error.
  using start_result = boost::outcome_v2::result<std::unique_ptr<metrics_exposer>, std::error_code,
                                                 boost::outcome_v2::policy::terminate>;

  /// Binds `address:port` (an IP literal; port 0 picks an ephemeral port, see `port`) and
  /// serves `registry` at `/metrics`. Fails with the socket error when the address is not
  /// usable or the port is taken.
  [[nodiscard]] static start_result start(std::string_view address, std::uint16_t port,
                                          std::shared_ptr<prometheus::Registry> registry);

  ~metrics_exposer();
  metrics_exposer(const metrics_exposer&) = delete;
  metrics_exposer& operator=(const metrics_exposer&) = delete;

  /// The port actually bound.
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
  metrics_exposer(std::unique_ptr<prometheus::Exposer> exposer,
                  std::shared_ptr<prometheus::Registry> registry, std::uint16_t port);

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_;
};

} // namespace herald::transports
