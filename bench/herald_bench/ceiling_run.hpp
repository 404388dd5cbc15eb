#pragma once

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"
#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/spawned_stack.hpp"

namespace herald::bench {

/// The ceiling: h2load against the spawned stack's mock APNs with Herald's request shape —
/// same path, headers (a valid ES256 provider token from the same key, VoIP topic and push
/// type, priority, expiration) and body size — so Herald's pushes/s can be read as a share
/// of what the mock can take on this machine at this moment. Fills `results.h2load` or
/// `results.h2load_error`. Needs the spawned stack (target mode has no key to sign with).
void run_ceiling(const bench_options& options, const spawned_stack* stack,
                 const event_factory& events, bench_results& results);

} // namespace herald::bench
