#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "bench/herald_bench/load_run.hpp"
#include "bench/herald_bench/proc_sampler.hpp"

namespace herald::bench {

/// One second of a run: what the webhook answered, what reached the mock, how Herald fared.
struct series_point {
  std::uint32_t t_s = 0;                 ///< Second since the first send.
  std::uint64_t acked = 0;               ///< Events acknowledged during this second.
  std::uint64_t refused = 0;             ///< Events refused (429 / 503) during this second.
  std::uint64_t pushes = 0;              ///< First arrivals at the mock during this second.
  double ack_p50_ms = 0, ack_p99_ms = 0; ///< Of the batches answered this second.
  double e2e_p50_ms = 0, e2e_p99_ms = 0; ///< Of the pushes that arrived this second.
  double rss_mb = 0;                     ///< Herald's last RSS sample in this second (0: none).
  double cpu_percent = 0;                ///< Herald's CPU over that sample (100 = one core).
};

/// Builds the per-second series from the load's buckets, the mock's first arrivals
/// (`arrival_us` and `e2e_us` parallel, CLOCK_REALTIME µs) relative to `start_us` (the first
/// send), and Herald's /proc samples (their `t_s` counts from the start of the load too).
[[nodiscard]] std::vector<series_point> build_series(const std::vector<load_second>& load,
                                                     const std::vector<std::int64_t>& arrival_us,
                                                     const std::vector<std::int64_t>& e2e_us,
                                                     std::int64_t start_us,
                                                     const std::vector<proc_sample>& proc);

/// Whether Herald's RSS stayed flat: the largest sample of the last third of the run against
/// that of the middle third (the first third is warm-up).
struct rss_verdict {
  double max_mb = 0;        ///< Largest RSS sample of the whole run.
  double middle_max_mb = 0; ///< Largest of the middle third of the samples.
  double last_max_mb = 0;   ///< Largest of the last third.
  bool flat = false;        ///< last_max ≤ middle_max × (1 + tolerance).
};

/// The verdict over `proc` (at least 3 samples, else nullopt); `tolerance` 0.10 = 10 %.
[[nodiscard]] std::optional<rss_verdict> rss_flatness(const std::vector<proc_sample>& proc,
                                                      double tolerance = 0.10);

using json_writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// Writes `"key": v`.
inline void json_u64(json_writer& w, const char* key, std::uint64_t v) {
  w.Key(key);
  w.Uint64(v);
}

/// Writes `"key": v`, 0 for a NaN or infinity (JSON has neither).
inline void json_double(json_writer& w, const char* key, double v) {
  w.Key(key);
  w.Double(std::isfinite(v) ? v : 0.0);
}

/// Writes `series` as a JSON array of objects (the fields of series_point).
void write_series_json(json_writer& w, const std::vector<series_point>& series);

} // namespace herald::bench
