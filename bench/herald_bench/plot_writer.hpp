#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/herald_bench/time_series.hpp"

namespace herald::bench {

/// Full path of `gnuplot` on $PATH, or nullopt.
[[nodiscard]] std::optional<std::filesystem::path> find_gnuplot();

/// Writes `series.tsv` and `plots.gp` into `dir` (created if missing), then runs gnuplot on
/// them to draw `throughput.png` (acked, refused, pushes per second), `latency.png` (ack and
/// end-to-end p50 / p99 per second) and `rss.png` (Herald's RSS and CPU). `title` heads each
/// plot. Returns the PNG names written, or what went wrong (the data files stay, so a machine
/// with gnuplot can draw them later with `gnuplot plots.gp`).
[[nodiscard]] std::pair<std::vector<std::string>, std::string>
write_plots(const std::filesystem::path& dir, const std::vector<series_point>& series,
            const std::string& title);

} // namespace herald::bench
