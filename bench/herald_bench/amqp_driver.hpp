#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include <proton/container.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/sender.hpp>
#include <proton/tracker.hpp>

#include "bench/herald_bench/http_driver.hpp"

namespace herald::bench {

/// Publishes the caller's jobs as AMQP 1.0 messages to one queue, as Event Grid's Service Bus
/// handler does: one event per message (the job's body), the message id = the job's target
/// (the event id), content type `application/json`, durable, with the `aeg-*` application
/// properties. It asks `next` for a job whenever the link has credit and fewer than `window`
/// messages await the broker's disposition, and reports each disposition to `done` as an
/// HTTP-like outcome: accepted → 200, rejected → 400, released / modified → 503 (the caller
/// resends it), a lost connection → 0 for every message in flight. `sent` is CLOCK_REALTIME
/// just before the message was handed to the link, `ack` the time to the broker's accept.
/// Lifecycle: construct, `run` once (blocks until `next` is finished and nothing is in flight,
/// or the connection failed). Threading: `run` runs the Proton container on the calling
/// thread; every callback (`next`, `done`, `tick`) runs there.
class amqp_driver : public proton::messaging_handler {
public:
  using next_fn = std::function<http_next()>;
  using done_fn = std::function<void(const http_job&, const http_outcome&)>;

  /// `tick` runs once a second while the driver runs (progress line, samples).
  amqp_driver(std::string url, std::string address, std::uint32_t window, next_fn next,
              done_fn done, std::function<void()> tick);

  /// Runs until finished; returns an empty string, or the connection's error.
  [[nodiscard]] std::string run();

  void on_container_start(proton::container& c) override;
  void on_connection_open(proton::connection& c) override;
  void on_sendable(proton::sender& s) override;
  void on_tracker_accept(proton::tracker& t) override;
  void on_tracker_reject(proton::tracker& t) override;
  void on_tracker_release(proton::tracker& t) override;
  void on_connection_close(proton::connection& c) override;
  void on_transport_close(proton::transport& t) override;
  void on_transport_error(proton::transport& t) override;
  void on_error(const proton::error_condition& e) override;

private:
  struct pending {
    http_job job;
    http_outcome outcome;
    std::chrono::steady_clock::time_point started;
  };

  /// Sends what is due; schedules a wake-up when the caller says "wait"; closes when done.
  void pump();
  /// Reports the tracker's message to `done` with `status`, then pumps.
  void settle(proton::tracker& t, int status);
  /// Reports every message in flight as a transport failure (status 0).
  void fail_all();
  void schedule_tick();

  std::string url_, address_;
  std::uint32_t window_;
  next_fn next_;
  done_fn done_;
  std::function<void()> tick_;
  proton::container* container_ = nullptr;
  proton::sender sender_;
  std::unordered_map<std::uint64_t, pending> in_flight_; ///< By tracker tag.
  std::uint64_t next_tag_ = 0;
  bool wake_pending_ = false, finished_ = false, closing_ = false, ticking_ = false;
  std::string error_;
};

} // namespace herald::bench
