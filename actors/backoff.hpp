#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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

namespace herald::actors {

/// What to do with a notification whose attempt failed transiently.
struct retry_plan {
  enum class action { retry, give_up, expired };
  action what = action::retry;
  std::chrono::milliseconds delay{0}; ///< Wait before the next attempt (when `retry`).
};

/// Decides the fate of a failed attempt, shared by every sender: `attempt` is the number of
/// attempts made so far (after this failure); past `max_attempts` → give up; otherwise a
/// full-jitter delay, at least the provider's Retry-After; a retry that would land after the
/// deadline → expired (a late ring is useless).
[[nodiscard]] inline retry_plan
plan_retry(std::uint32_t attempt, std::uint32_t max_attempts, std::chrono::milliseconds base,
           std::chrono::milliseconds cap, std::optional<std::chrono::seconds> retry_after,
           std::chrono::steady_clock::time_point now,
           std::chrono::steady_clock::time_point deadline, std::mt19937_64& rng) {
  if (attempt >= max_attempts) {
    return {retry_plan::action::give_up, {}};
  }
  auto delay = full_jitter(base, cap, attempt, rng);
  if (retry_after) {
    delay = std::max(delay, std::chrono::duration_cast<std::chrono::milliseconds>(*retry_after));
  }
  if (now + delay > deadline) {
    return {retry_plan::action::expired, delay};
  }
  return {retry_plan::action::retry, delay};
}

} // namespace herald::actors
