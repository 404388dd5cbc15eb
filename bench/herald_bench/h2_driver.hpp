#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bench/herald_bench/http_driver.hpp"

namespace herald::bench {

/// Drives HTTP/2 connections (h2c with prior knowledge, or TLS) to one host with up to `streams`
/// jobs in flight on each: the HTTP/2 counterpart of `http_driver`, with the same `next` / `done`
/// contract and the same job and outcome types. A lost connection reports its jobs with
/// status 0 and reconnects (a server away for 5 s ends that connection).
/// Lifecycle: create, `start`, run the io_context until it returns. Threading: everything
/// (including the callbacks) runs on the io_context, which must have one thread.
class h2_driver : public std::enable_shared_from_this<h2_driver> {
public:
  /// `ca_file` non-empty: TLS (ALPN h2) trusting that CA, else h2c.
  h2_driver(boost::asio::io_context& io, std::string host, std::uint16_t port,
            std::uint32_t connections, std::uint32_t streams, http_driver::next_fn next,
            http_driver::done_fn done, std::string ca_file = {});
  ~h2_driver();
  h2_driver(const h2_driver&) = delete;
  h2_driver& operator=(const h2_driver&) = delete;

  /// Opens the connections and starts asking for jobs.
  void start();
  /// Connections still working.
  [[nodiscard]] std::uint32_t active() const noexcept { return active_; }

private:
  class connection;

  boost::asio::io_context& io_;
  std::string host_;
  std::uint16_t port_;
  std::uint32_t count_, streams_;
  std::string ca_file_;
  std::uint32_t active_ = 0;
  http_driver::next_fn next_;
  http_driver::done_fn done_;
  std::vector<std::shared_ptr<connection>> connections_;
};

} // namespace herald::bench
