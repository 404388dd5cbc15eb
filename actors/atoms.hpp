#pragma once

#include <caf/atom.hpp>

namespace herald::actors {

/// Message tags of Herald's actors (CAF 0.17 atoms: at most 10 characters).
using ingest_atom = caf::atom_constant<caf::atom("ingest")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using prune_atom = caf::atom_constant<caf::atom("prune")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using response_atom = caf::atom_constant<caf::atom("h2resp")>;
using ready_atom = caf::atom_constant<caf::atom("h2ready")>;
using budget_atom = caf::atom_constant<caf::atom("h2budget")>;
using closed_atom = caf::atom_constant<caf::atom("h2closed")>;
using goaway_atom = caf::atom_constant<caf::atom("h2goaway")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using shards_atom = caf::atom_constant<caf::atom("shards")>;
using find_atom = caf::atom_constant<caf::atom("find")>;
using unregister_atom = caf::atom_constant<caf::atom("unregister")>;
using device_atom = caf::atom_constant<caf::atom("device")>;
using identity_atom = caf::atom_constant<caf::atom("identity")>;
using dead_atom = caf::atom_constant<caf::atom("dead")>;
using page_atom = caf::atom_constant<caf::atom("page")>;
using invalidate_atom = caf::atom_constant<caf::atom("invalidate")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

} // namespace herald::actors
