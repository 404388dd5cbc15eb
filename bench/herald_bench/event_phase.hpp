#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"
#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/load_run.hpp"
#include "bench/herald_bench/population.hpp"
#include "bench/herald_bench/proc_sampler.hpp"
#include "bench/herald_bench/spawned_stack.hpp"

namespace herald::bench {

/// The event phase of one run, by `options.via`: Event Grid batches POSTed to Herald at
/// `host:port` (HTTP/1.1 or h2c), messages published to the broker queue Herald consumes
/// (`amqp`: the spawned stack's, else `--amqp-url` / `--amqp-queue`), or, without Herald, the
/// pushes sent straight to the spawned mock APNs (`direct`, needs `stack`). Samples Herald
/// (`sampler`) and prints the progress line once a second. Returns 0, or 2 when the phase
/// could not start (the message is on stderr); an AMQP connection failure is 0 with
/// `results.amqp_error` set and the unanswered events counted failed.
/// Threading: the caller's; `io` must be idle (it is run and restarted).
[[nodiscard]] int drive_events(const bench_options& options, boost::asio::io_context& io,
                               const spawned_stack* stack, const std::string& host,
                               std::uint16_t port, load_run& run, const event_factory& events,
                               const population& people, std::optional<proc_sampler>& sampler,
                               bench_results& results);

/// What Herald's own /metrics said after the drain.
struct herald_side {
  /// `herald_amqp_messages_settled_total{outcome="accepted"}` summed over its queues.
  std::optional<double> settled_accepted;
  /// `herald_event_dispatch_seconds`, when it has samples.
  std::optional<herald_dispatch> dispatch;
};

/// Reads Herald's /metrics on 127.0.0.1:`metrics_port` (both fields empty when unreadable).
[[nodiscard]] herald_side herald_metrics(std::uint16_t metrics_port);

} // namespace herald::bench
