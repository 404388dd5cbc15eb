#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <memory>

#include "actors/app_directory.hpp"
#include "actors/node_metrics.hpp"
#include "actors/registry_cache.hpp"
#include "store/registry.hpp"

namespace herald::actors {

/// Opens this shard's own registry handle (SQLite objects are per thread).
using registry_factory = std::function<store::result<std::unique_ptr<store::registry>>()>;

/// Spawns one router shard on its own thread (`detached`: registry calls block on disk).
/// Messages:
/// - `(route_atom, intent)`: resolve the recipient's devices, encode one provider request per
///   device, send each to the app's sender. Remembers the devices it rang per call id for a few
///   minutes, so a cancel-ring without a recipient (CallEnded) reaches the same devices.
/// - `(register_atom, registration, registry_write_reply)`: upsert, this shard being the
///   identity's only writer.
/// - `(find_atom, device_atom, app, device id, registry_query_reply)`: the device's unexpired
///   registrations (any shard may answer: reads only).
/// - `(find_atom, identity_atom, app, rawId, registry_query_reply)`: the identity's unexpired
///   registrations in that app.
/// - `(find_atom, page_atom, app, after device id, after platform, uint64 limit,
///   registry_query_reply)`: one page of the app's unexpired registrations (`list_app`; any
///   shard may answer).
/// - `(unregister_atom, device_atom, app, device id, platform, registry_query_reply)` and
///   `(unregister_atom, identity_atom, app, rawId, registry_query_reply)`: removals, sent to
///   the shard owning the registrations' identity.
/// - `(prune_atom, registration, int64 dead_since_ms)`: a provider said the token is dead
///   (dead_since_ms < 0: no timestamp).
/// - `(shards_atom, shard_map_ptr)`: the node's shards, sent once at start.
/// - `(invalidate_atom, rawId)`: another shard's write changed this shard's identity (a device
///   moved to another identity): its cache entry is dropped.
/// Identity lookups (routes and identity reads) go through a `cached_registry` sized by
/// `cache`; every write above keeps it right, and a write that changes another shard's
/// identity sends that shard `invalidate_atom`.
/// Exits with an error if the registry cannot be opened.
[[nodiscard]] caf::actor spawn_router_shard(caf::actor_system& sys, std::size_t index,
                                            registry_factory open_registry,
                                            std::shared_ptr<const app_directory> apps,
                                            std::shared_ptr<node_metrics> metrics,
                                            registry_cache_options cache);

} // namespace herald::actors
