#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace herald::bench {

/// One request (or, for amqp_driver, one message) a driver sends for its caller.
struct http_job {
  std::string method;
  std::string target; ///< The request target (amqp_driver: the message id).
  std::string body;
  std::uint64_t tag = 0; ///< The caller's id for the job (batch number, device index).
  /// More request headers (h2_driver only; `content-type` is always application/json).
  std::vector<std::pair<std::string, std::string>> headers{};
};

/// What became of one job.
struct http_outcome {
  int status = 0;        ///< 0: transport failure (connect, write, read, timeout).
  int retry_after_s = 0; ///< `Retry-After` seconds (429 / 503), 0 when absent.
  std::chrono::system_clock::time_point sent; ///< CLOCK_REALTIME just before the write.
  std::chrono::microseconds ack{0};           ///< Write start → complete response.
};

/// The caller's answer to "what next?": a job, "ask again at this time", or "no more".
struct http_wait {
  std::chrono::steady_clock::time_point until;
};
struct http_finished {};
using http_next = std::variant<http_job, http_wait, http_finished>;

/// Drives HTTP/1.1 keep-alive connections to one host (Boost.Beast): each connection asks
/// `next` for a job, sends it, reads the reply, reports it to `done`, and asks again; it
/// closes once `next` says finished. A broken connection reports its job with status 0 and
/// reconnects. Requests on one connection are never pipelined (one in flight each).
/// Lifecycle: create, `start`, run the io_context until it returns. Threading: everything
/// (including the callbacks) runs on the io_context, which must have one thread.
class http_driver : public std::enable_shared_from_this<http_driver> {
public:
  using next_fn = std::function<http_next()>;
  using done_fn = std::function<void(const http_job&, const http_outcome&)>;

  http_driver(boost::asio::io_context& io, std::string host, std::uint16_t port,
              std::uint32_t connections, next_fn next, done_fn done);
  ~http_driver();
  http_driver(const http_driver&) = delete;
  http_driver& operator=(const http_driver&) = delete;

  /// Opens the connections and starts asking for jobs.
  void start();
  /// Connections still working (not finished, not given up after 5 s of failed connects).
  [[nodiscard]] std::uint32_t active() const noexcept { return active_; }

private:
  class connection;

  boost::asio::io_context& io_;
  std::string host_;
  std::uint16_t port_;
  std::uint32_t count_;
  std::uint32_t active_ = 0;
  next_fn next_;
  done_fn done_;
  std::vector<std::shared_ptr<connection>> connections_;
};

} // namespace herald::bench
