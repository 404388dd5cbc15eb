#include "actors/stream_share.hpp"

#include <algorithm>

namespace herald::actors {

std::uint32_t non_call_limit(std::uint32_t budget, std::uint32_t reserve_percent) noexcept {
  if (budget <= 1 || reserve_percent == 0) {
    return budget;
  }
  auto reserve = static_cast<std::uint32_t>(
      (static_cast<std::uint64_t>(budget) * std::min(reserve_percent, 100U) + 99) / 100);
  reserve = std::clamp(reserve, 1U, budget - 1);
  return budget - reserve;
}

std::optional<std::size_t> pick_connection(std::span<const connection_load> loads,
                                           protocol::lane lane,
                                           std::uint32_t reserve_percent) noexcept {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < loads.size(); ++i) {
    const auto& c = loads[i];
    if (!c.ready) {
      continue;
    }
    auto limit =
        lane == protocol::lane::call ? c.budget : non_call_limit(c.budget, reserve_percent);
    if (c.in_flight >= limit) {
      continue;
    }
    if (!best || c.in_flight < loads[*best].in_flight) {
      best = i;
    }
  }
  return best;
}

} // namespace herald::actors
