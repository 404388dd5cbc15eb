#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/http_driver.hpp"
#include "bench/herald_bench/load_run.hpp"
#include "bench/herald_bench/population.hpp"
#include "bench/herald_bench/spawned_stack.hpp"

namespace herald::bench {

/// The provider token (ES256 JWT) Herald would send with the spawned stack's APNs key, or
/// nullopt with `error` set.
[[nodiscard]] std::optional<std::string> bench_provider_token(const spawned_stack& stack,
                                                              std::string& error);

/// `--via direct`, the baseline of the end-to-end latency: the bench itself sends, for each
/// event of `run`, the VoIP push Herald would send to each device of its recipient straight to
/// the mock APNs (same path, headers, provider token, body size, collapse id = the event's
/// correlationId), so "Herald's added latency" is Herald's end-to-end minus this one at the
/// same rate, percentile by percentile. It sits between `run` and an h2_driver: `next` turns
/// each event `run` hands out into one job per device, `done` reports the event to `run` once
/// every push of it was answered, as sent at its first push (status 200 only if all were).
/// Lifecycle: one per run. Threading: the driver's io_context thread only.
class direct_pushes {
public:
  direct_pushes(load_run& run, const event_factory& events, const population& people,
                std::string provider_token);

  /// The driver's "what next?" callback.
  [[nodiscard]] http_next next();
  /// The driver's "this job ended" callback.
  void done(const http_job& push, const http_outcome& outcome);

private:
  struct open_event {
    http_job job;           ///< The event's job, as `run` made it.
    http_outcome outcome;   ///< First push's send time; status 200 until a push fails.
    std::uint32_t left = 0; ///< Pushes not answered yet.
  };

  load_run& run_;
  const event_factory& events_;
  const population& people_;
  std::string token_;
  std::deque<http_job> pushes_;                            ///< Made, not yet handed to the driver.
  std::unordered_map<std::uint64_t, open_event> open_;     ///< By the event job's tag.
  std::unordered_map<std::uint64_t, std::uint64_t> owner_; ///< Push tag → event job tag.
  std::uint64_t next_push_ = 0;
};

} // namespace herald::bench
