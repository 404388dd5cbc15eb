#pragma once

#include <chrono>
#include <cstdint>

namespace herald::bench {

/// Latency spikes of a mock provider (`--spike-every-ms N --spike-ms M`): a request that
/// arrives during the first M ms of each N ms period (counted from the mock's start) is
/// answered M ms late; the rest of the period answers at once. N = M delays every answer.
/// Threading: immutable after construction.
class spike_schedule {
public:
  /// `every_ms` 0 (or `spike_ms` 0) disables spikes.
  spike_schedule(std::uint32_t every_ms, std::uint32_t spike_ms,
                 std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now())
      : every_(every_ms), spike_(spike_ms), start_(start) {}

  /// The delay of an answer to a request arriving at `now` (zero outside a spike).
  [[nodiscard]] std::chrono::milliseconds delay(std::chrono::steady_clock::time_point now) const {
    if (every_ == 0 || spike_ == 0 || now < start_) {
      return std::chrono::milliseconds(0);
    }
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
    const bool in_spike = static_cast<std::uint64_t>(since) % every_ < spike_;
    return std::chrono::milliseconds(in_spike ? spike_ : 0);
  }

private:
  std::uint32_t every_, spike_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace herald::bench
