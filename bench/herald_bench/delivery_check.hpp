#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/load_run.hpp"

namespace herald::bench {

/// What the mock saw of this run's events.
struct delivery {
  std::uint64_t pushes_received = 0;     ///< Distinct (event, token) pairs of acked events.
  std::uint64_t pushes_received_fcm = 0; ///< Of those, at the mock FCM.
  std::uint64_t repeats = 0;             ///< Arrivals beyond the first of a pair (resends).
  std::uint64_t unexpected = 0;          ///< Arrivals of this run's events that were never acked.
  std::uint64_t lost = 0;                ///< pushes_expected − pushes_received.
  std::vector<std::int64_t> e2e_us;     ///< Arrival − send of the acked batch, per first arrival.
  std::vector<std::int64_t> arrival_us; ///< CLOCK_REALTIME µs of each first arrival (as e2e_us).
  /// First acked send to last first-arrival, seconds: the window pushes/s is measured over.
  double push_window_s = 0;
};

/// Matches the mocks' `/arrivals` text (`<call id> <token> <received_us>` lines, both mocks'
/// concatenated) to the events of `run`: Herald copies each event's correlationId into
/// `apns-collapse-id` and into the FCM message's `data.callId`.
[[nodiscard]] delivery check_delivery(const std::string& arrivals, const event_factory& events,
                                      const load_run& run);

} // namespace herald::bench
