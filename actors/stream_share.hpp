#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "protocol/intent.hpp"

namespace herald::actors {

/// One pool connection as the sender sees it when choosing where to open a stream.
struct connection_load {
  bool ready = false;          ///< Connected and not draining.
  std::uint32_t budget = 0;    ///< min(peer SETTINGS_MAX_CONCURRENT_STREAMS, configured cap).
  std::uint32_t in_flight = 0; ///< Streams the sender has open on it.
};

/// Streams of a connection's `budget` that chat and bulk notifications may use; the rest is
/// the call lane's reserve (`reserve_percent` of the budget, at least one stream), so a chat
/// burst never takes the last stream a ring needs. A budget of 1 (APNs before the first
/// token-authenticated answer) has no reserve: calls then win only by queue order.
[[nodiscard]] std::uint32_t non_call_limit(std::uint32_t budget,
                                           std::uint32_t reserve_percent) noexcept;

/// The least-loaded ready connection (fewest streams in flight; the first on ties) that may
/// open one more stream for `lane`, or nothing when every connection is full for that lane.
[[nodiscard]] std::optional<std::size_t> pick_connection(std::span<const connection_load> loads,
                                                         protocol::lane lane,
                                                         std::uint32_t reserve_percent) noexcept;

} // namespace herald::actors
