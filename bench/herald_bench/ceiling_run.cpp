#include "bench/herald_bench/ceiling_run.hpp"

#include <fstream>
#include <sstream>

#include "bench/herald_bench/cpu_budget.hpp"
#include "bench/herald_bench/direct_pushes.hpp"

namespace herald::bench {

void run_ceiling(const bench_options& o, const spawned_stack* stack, const event_factory& events,
                 bench_results& results) {
  if (stack == nullptr) {
    results.h2load_error = "--h2load needs --spawn (it signs with the spawned stack's key)";
    return;
  }
  std::string error;
  auto jwt = bench_provider_token(*stack, error);
  if (!jwt) {
    results.h2load_error = error;
    return;
  }
  const auto now = std::chrono::system_clock::now();
  h2load_plan plan;
  plan.work_dir = stack->dir().string();
  plan.body_file = (stack->dir() / "h2load-body.json").string();
  std::ofstream(plan.body_file) << events.voip_body(0, 0);
  // Any valid token will do: the mock judges each request alone.
  plan.url = "https://127.0.0.1:" + std::to_string(stack->apns_port()) + "/3/device/" +
             std::string(64, 'c');
  const auto expiration =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 30;
  plan.headers = {"authorization: bearer " + *jwt,
                  "apns-push-type: voip",
                  std::string("apns-topic: ") + bench_bundle_id + ".voip",
                  "apns-priority: 10",
                  "apns-expiration: " + std::to_string(expiration),
                  "apns-collapse-id: " + events.event_id(0),
                  "content-type: application/json"};
  plan.requests = o.h2load_requests > 0
                      ? o.h2load_requests
                      : std::max<std::uint64_t>(10000, results.seen.pushes_received);
  plan.clients = o.h2load_clients;
  plan.streams = o.h2load_streams;
  results.h2load = run_h2load_measured(plan, stack->mock_pid(), error);
  results.h2load_error = error;
}

} // namespace herald::bench
