#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <memory>

#include "actors/node_metrics.hpp"
#include "actors/shard_map.hpp"

namespace herald::actors {

/// Spawns the ingestion actor: takes decoded batches `(ingest_atom, batch_ptr, event_tokens,
/// ingest_reply)` (or without tokens: untracked) and hands every intent, with its event's
/// token, to the router shard that owns its recipient (`shard_map::of`) as
/// `(route_atom, intent, event_token)`.
/// Cancel-rings without a recipient (CallEnded names no callee) go to every shard, since only
/// the shard that rang a device remembers it. Answers through `ingest_reply` once the batch is
/// handed over. Event-based; never blocks.
[[nodiscard]] caf::actor spawn_ingestion(caf::actor_system& sys,
                                         std::shared_ptr<const shard_map> shards,
                                         std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
