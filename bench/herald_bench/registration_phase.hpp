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

/// `/proc/loadavg`'s three load averages, for the report.
[[nodiscard]] std::string load_average();

} // namespace herald::bench
