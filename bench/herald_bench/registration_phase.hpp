#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/io_context.hpp>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"
#include "bench/herald_bench/population.hpp"

namespace herald::bench {

/// Registers every device of `people` (`PUT /v1/apps/{app}/devices/{id}`) over
/// `register_connections` keep-alive connections to host:port, closed loop; a transport
/// failure is retried up to twice. Fills `registered`, `registration_failures` and
/// `registration_s`. Runs `io` (one thread) until done, then restarts it.
void register_all(boost::asio::io_context& io, const bench_options& o, const population& people,
                  const std::string& host, std::uint16_t port, bench_results& results);

/// Builds the run's population (`identities`, `min_devices`..`max_devices`, `seed`,
/// `run_tag`), records its size in `results`, says so on stderr (unless `quiet`, with `note`
/// appended) and registers it with `register_all`.
[[nodiscard]] population register_population(boost::asio::io_context& io, const bench_options& o,
                                             std::uint32_t run_tag, const std::string& host,
                                             std::uint16_t port, bench_results& results,
                                             const std::string& note = {});

/// `/proc/loadavg`'s three load averages, for the report.
[[nodiscard]] std::string load_average();

} // namespace herald::bench
