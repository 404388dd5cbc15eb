#pragma once

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/bench_report.hpp"
#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/spawned_stack.hpp"

namespace herald::bench {

/// The FCM ceiling: fetches an access token from the spawned mock FCM's `/token` as Herald
/// does (RS256 assertion of the throwaway service account), then runs h2load against the
/// mock with Herald's FCM request shape — `POST /v1/projects/<p>/messages:send`, `Bearer`
/// token, the same JSON message (encode_fcm of an IncomingCall ring) — so Herald's FCM
/// pushes/s read as a share of it. Fills `results.h2load_fcm` or `results.h2load_fcm_error`.
/// Needs the spawned stack with an FCM mock and at least one FCM device.
void run_fcm_ceiling(const bench_options& options, const spawned_stack& stack,
                     const event_factory& events, const population& people, bench_results& results);

} // namespace herald::bench
