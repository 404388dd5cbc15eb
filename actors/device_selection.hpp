#pragma once

#include <vector>

#include "protocol/intent.hpp"
#include "protocol/registration.hpp"

namespace herald::actors {

/// Chooses which of an identity's registrations an intent goes to. Calls (ring, cancel-ring)
/// use a device's PushKit VoIP token when it has one, else its other channels; chat alerts never
/// use VoIP tokens, because iOS terminates an app that gets a VoIP push without reporting a call
/// to CallKit (Apple, PushKit "pushRegistry(_:didReceiveIncomingPushWith:for:completion:)").
/// Returns pointers into `all`, in its order, valid while `all` is unchanged: nothing is copied.
[[nodiscard]] std::vector<const protocol::registration*>
select_devices(protocol::intent_kind kind, const std::vector<protocol::registration>& all);

} // namespace herald::actors
