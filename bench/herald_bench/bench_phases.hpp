#pragma once

#include <cstdint>
#include <filesystem>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"

namespace herald::bench {

/// Runs one benchmark: (spawn the stack,) register the population, drive the events, wait for
/// the mock to see the pushes, check delivery, (run h2load,) fill `results`.
/// Returns 0 when nothing was lost, 1 when anything was lost or failed, 2 when the run could
/// not be set up (the message is on stderr and `results` is incomplete).
[[nodiscard]] int run_bench(const bench_options& options, std::uint32_t run_tag,
                            const std::filesystem::path& self, bench_results& results);

} // namespace herald::bench
