#pragma once

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <memory>

#include "actors/node_metrics.hpp"
#include "store/dead_letters.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::store::dead_letter)

namespace herald::actors {

/// Spawns the node's dead-letter writer: a detached actor (SQLite writes block) that owns
/// `letters` and appends each `(dead_atom, store::dead_letter)` it receives. A failed write
/// is logged and counted in `herald_dead_letter_write_failures_total`; the notification was
/// already counted as given up by its sender.
[[nodiscard]] caf::actor
spawn_dead_letter_writer(caf::actor_system& sys,
                         std::unique_ptr<store::sqlite_dead_letters> letters,
                         std::shared_ptr<node_metrics> metrics);

} // namespace herald::actors
