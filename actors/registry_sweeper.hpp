#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <memory>

#include "actors/node_metrics.hpp"
#include "actors/router_shard.hpp"

namespace herald::actors {

/// Spawns the registry sweeper on its own thread (`detached`: store calls block): it deletes
/// the registrations that expired (`store::registry::purge_expired`) at start and then every
/// `interval`, with its own registry object from `open_registry`. Each sweep counts
/// `herald_registry_sweeps_total{result}` and the registrations it deleted in
/// `herald_expired_registrations_total`; a failed sweep is logged and retried at the next
/// period. Lookups ignore expired registrations at once; the sweeper only reclaims space.
/// Exits with an error if the registry cannot be opened; stopped by an exit message.
[[nodiscard]] caf::actor spawn_registry_sweeper(caf::actor_system& sys,
                                                registry_factory open_registry,
                                                std::chrono::milliseconds interval,
                                                std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
