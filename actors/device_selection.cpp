#include "actors/device_selection.hpp"

#include <algorithm>

namespace herald::actors {

using protocol::platform;

std::vector<const protocol::registration*>
select_devices(protocol::intent_kind kind, const std::vector<protocol::registration>& all) {
  std::vector<const protocol::registration*> out;
  out.reserve(all.size());
  const bool call = kind != protocol::intent_kind::chat_alert;
  for (const auto& reg : all) {
    if (!call) {
      if (reg.channel != platform::apns_voip) {
        out.push_back(&reg);
      }
      continue;
    }
    if (reg.channel == platform::apns) {
      // A plain APNs token rings only when the same device has no VoIP token.
      auto has_voip = std::any_of(all.begin(), all.end(), [&](const auto& other) {
        return other.app == reg.app && other.device_id == reg.device_id &&
               other.channel == platform::apns_voip;
      });
      if (has_voip) {
        continue;
      }
    }
    out.push_back(&reg);
  }
  return out;
}

} // namespace herald::actors
