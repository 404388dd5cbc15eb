#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/delivery_check.hpp"
#include "bench/herald_bench/h2load_runner.hpp"
#include "bench/herald_bench/load_run.hpp"
#include "bench/herald_bench/proc_sampler.hpp"
#include "bench/herald_bench/time_series.hpp"

namespace herald::bench {

/// p50 / p90 / p99 / p99.9 / max of a latency sample, in milliseconds.
struct latency_summary {
  std::uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

/// Summarises µs samples (nearest-rank percentiles); sorts `us` in place.
[[nodiscard]] latency_summary summarize(std::vector<std::int64_t>& us);

/// Herald's `herald_event_dispatch_seconds` histogram (admission → push handed to a provider
/// connection): its count and the upper bound of the bucket holding each percentile.
struct herald_dispatch {
  std::uint64_t count = 0;
  double p50_le_ms = 0, p90_le_ms = 0, p99_le_ms = 0;
};

/// Everything one run measured, for the JSON report.
struct bench_results {
  std::string mode; ///< "spawn" or "target".
  std::uint64_t identities = 0, devices = 0, registered = 0, registration_failures = 0;
  double registration_s = 0;
  load_counters load;
  double load_s = 0, drain_s = 0;
  delivery seen;
  std::uint64_t mock_duplicates = 0; ///< Mock's count of an apns-id accepted twice.
  bool drained = false;              ///< The mock saw every expected push in time.
  latency_summary ack, e2e;
  std::vector<proc_sample> herald_proc;
  std::vector<series_point> series; ///< Per second of the run (load and drain).
  std::optional<rss_verdict> rss;   ///< Whether RSS stayed flat (3+ samples).
  std::vector<std::string> plots;   ///< PNGs written into --plot.
  std::string plot_error;           ///< Why --plot drew nothing.
  std::optional<h2load_result> h2load;
  std::string h2load_error;
  std::optional<h2load_result> h2load_fcm; ///< The ceiling of the mock FCM (FCM devices).
  std::string h2load_fcm_error;
  std::string load_average; ///< /proc/loadavg at the end.
  /// CPU seconds from the start of the load to the end of the drain (spawn mode; -1:
  /// unknown): Herald, the mock(s), the bench itself; with the pushes they carried.
  double cpu_herald_s = -1, cpu_mocks_s = -1, cpu_bench_s = -1;
  // `--via amqp`.
  std::string amqp_error;   ///< Why the publisher's connection failed (empty: it did not).
  double amqp_settled = -1; ///< Herald's accepted settlements after the drain (-1: unknown).
  std::optional<herald_dispatch> dispatch; ///< Herald's own share (spawn mode, webhook).
  // Registry mode (`registry_engine` set): identity lookups over the REST API.
  std::string registry_engine;             ///< "sqlite" or "postgresql".
  latency_summary lookup_cold;             ///< First lookup of each identity (store reads).
  latency_summary lookup_warm;             ///< Lookups of random identities after that.
  latency_summary healthz;                 ///< GET /healthz: the HTTP round trip alone.
  std::uint64_t lookup_failures = 0;       ///< Lookups without a 200.
  double cache_hits = 0, cache_misses = 0; ///< Herald's cache counters over the warm pass.
};

/// The results as a JSON document (pretty-printed, see bench/README.md for the fields).
[[nodiscard]] std::string results_json(const bench_options& options, const bench_results& results);

} // namespace herald::bench
