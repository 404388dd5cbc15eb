#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace herald::actors {

/// Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): a uniform draw in [0, min(cap, base * 2^attempt)]. Spreads retries of many
/// notifications so they do not hit a recovering provider in lock-step.
[[nodiscard]] inline std::chrono::milliseconds full_jitter(std::chrono::milliseconds base,
                                                           std::chrono::milliseconds cap,
                                                           std::uint32_t attempt,
                                                           std::mt19937_64& rng) {
  auto ceiling = base.count();
  for (std::uint32_t i = 0; i < attempt && ceiling < cap.count(); ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, cap.count());
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

} // namespace herald::actors
