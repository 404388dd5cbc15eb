#pragma once

#include <cstdint>
#include <filesystem>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"

namespace herald::bench {

/// Runs the registry benchmark (`--registry`): spawns the stack (its registry on a throwaway
/// PostgreSQL with fsync on when `postgres`, else SQLite), registers the population over the
/// REST API (upserts/s), looks every identity up once (`GET …/identities/{rawId}/devices`:
/// store reads that fill the shards' caches), then times `lookups` lookups of random
/// identities, which the caches answer (hits and misses read from Herald's /metrics).
/// Returns 0 when every request succeeded, 1 otherwise, 2 when the run could not be set up.
[[nodiscard]] int run_registry_bench(bench_options options, std::uint32_t run_tag,
                                     const std::filesystem::path& self, bench_results& results);

} // namespace herald::bench
