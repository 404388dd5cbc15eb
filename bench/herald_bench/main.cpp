// herald-bench: load generator for Herald (see bench/README.md). Registers a population of
// devices, drives Event Grid IncomingCall batches at the webhook, checks at the mock APNs that
// every accepted event was pushed, and reports throughput, latencies and Herald's RSS / CPU.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>

#include "bench/herald_bench/bench_phases.hpp"
#include "bench/herald_bench/plot_writer.hpp"
#include "bench/herald_bench/registry_run.hpp"

using namespace herald::bench;

int main(int argc, char** argv) {
  CLI::App app{"Load generator for Herald: registrations, Event Grid batches, delivery check"};
  bench_options o;
  bool target_mode = false;
  app.add_flag("--spawn", o.spawn, "Start herald-mock-apns and herald serve (default)");
  app.add_option("--target", o.target, "Use a running Herald at http://HOST:PORT instead");
  app.add_option("--mock-admin", o.mock_admin, "Admin HOST:PORT of the running mock APNs");
  app.add_option("--fcm-mock-admin", o.fcm_mock_admin,
                 "Admin HOST:PORT of the running mock FCM (target mode, FCM devices)");
  app.add_option("--herald-pid", o.herald_pid, "Running Herald's pid, to sample RSS/CPU");
  app.add_option("--app", o.app, "App name in the REST API")->capture_default_str();
  app.add_option("--herald-bin", o.herald_bin, "herald binary (default: ../app/herald)");
  app.add_option("--mock-bin", o.mock_bin, "herald-mock-apns binary (default: beside us)");
  app.add_option("--durability", o.durability, "Spawned Herald's [ingest] durability")
      ->check(CLI::IsMember({"journal", "none"}))
      ->capture_default_str();
  app.add_option("--shards", o.shards, "Spawned Herald's router shards")->capture_default_str();
  app.add_option("--apns-connections", o.apns_connections, "Spawned Herald's APNs connections")
      ->capture_default_str();
  app.add_option("--max-in-flight", o.max_in_flight, "Spawned Herald's max_in_flight_events")
      ->capture_default_str();
  app.add_option("--identities", o.identities, "ACS identities to register")->capture_default_str();
  app.add_option("--min-devices", o.min_devices, "Fewest devices per identity")
      ->capture_default_str();
  app.add_option("--max-devices", o.max_devices, "Most devices per identity")
      ->capture_default_str();
  app.add_option("--platforms", o.platforms,
                 "Devices' platforms: apns (apns-voip), fcm, or mixed (--fcm-share)")
      ->check(CLI::IsMember({"apns", "fcm", "mixed"}))
      ->capture_default_str();
  app.add_option("--fcm-share", o.fcm_share, "Mixed: share of FCM devices (seeded draw)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--fcm-mock-bin", o.fcm_bin, "herald-mock-fcm binary (default: beside us)");
  app.add_option("--register-connections", o.register_connections,
                 "Keep-alive connections for registrations")
      ->capture_default_str();
  app.add_option("--batch", o.batch, "Events per webhook POST")->capture_default_str();
  app.add_option("--connections", o.connections, "Keep-alive webhook connections")
      ->capture_default_str();
  app.add_option("--http2-streams", o.http2_streams,
                 "POST over HTTP/2 (h2c) with this many streams per connection (0 = HTTP/1.1)")
      ->capture_default_str();
  app.add_option("--via", o.via,
                 "webhook: Event Grid batches over HTTP; amqp: one event per message through a "
                 "broker queue Herald consumes (a throwaway RabbitMQ when spawning); direct: "
                 "no Herald in the path, the bench pushes to the mock APNs itself (baseline)")
      ->check(CLI::IsMember({"webhook", "amqp", "direct"}))
      ->capture_default_str();
  app.add_option("--amqp-url", o.amqp_url, "--via amqp --target: the broker's amqp://HOST:PORT");
  app.add_option("--amqp-queue", o.amqp_queue,
                 "--via amqp --target: the queue's address (RabbitMQ: /queue/NAME)");
  app.add_option("--amqp-window", o.amqp_window,
                 "--via amqp: most published messages awaiting the broker's accept")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--amqp-credit", o.amqp_credit, "--via amqp: spawned Herald's servicebus credit")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "Events/s, open loop (0 = closed loop)")->capture_default_str();
  app.add_option("--duration", o.duration_s, "Seconds of load (unless --events)")
      ->capture_default_str();
  app.add_option("--events", o.events, "Total events to send (0 = use --duration)");
  app.add_option("--drain-timeout", o.drain_timeout_s, "Seconds to wait for the last pushes")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the population and recipients")->capture_default_str();
  app.add_flag("--h2load", o.h2load, "Then run h2load against the same mock (spawn mode)");
  app.add_option("--h2load-clients", o.h2load_clients, "h2load -c")->capture_default_str();
  app.add_option("--h2load-streams", o.h2load_streams, "h2load -m")->capture_default_str();
  app.add_option("--h2load-requests", o.h2load_requests,
                 "h2load -n (0 = as many as Herald pushed, at least 10000)");
  app.add_flag("--registry", o.registry,
               "Registry only: REST upserts/s and identity lookup latency, no event load");
  app.add_flag("--postgres", o.postgres,
               "Spawned Herald's registry on a throwaway PostgreSQL (fsync on)");
  app.add_option("--postgres-url", o.postgres_url,
                 "Spawned Herald's registry on this PostgreSQL database");
  app.add_option("--lookups", o.lookups, "Timed identity lookups (--registry)")
      ->capture_default_str();
  app.add_option("--lookup-connections", o.lookup_connections,
                 "Keep-alive connections for the lookups (--registry)")
      ->capture_default_str();
  app.add_option("--mock-fail-rate", o.mock_fail_rate, "Spawned mock: share of sends failed")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--mock-fail-status", o.mock_fail_status, "Spawned mock: status of failures")
      ->check(CLI::IsMember({429, 500, 503}))
      ->capture_default_str();
  app.add_option("--mock-retry-after", o.mock_retry_after,
                 "Spawned mock: retry-after seconds on failures");
  app.add_option("--mock-goaway-after", o.mock_goaway_after,
                 "Spawned mock: GOAWAY after N streams per connection");
  app.add_option("--mock-latency-ms", o.mock_latency_ms, "Spawned mock: delay of every answer");
  app.add_option("--mock-connection-window", o.mock_connection_window,
                 "Spawned mock APNs: connection receive window in bytes (0 = HTTP/2's 65535)")
      ->capture_default_str();
  app.add_option("--mock-spike-every-ms", o.mock_spike_every_ms,
                 "Spawned mock: a latency spike every N ms (with --mock-spike-ms)");
  app.add_option("--mock-spike-ms", o.mock_spike_ms,
                 "Spawned mock: answers held during the first M ms of each spike period");
  app.add_option("--out", o.out, "Write the JSON results here instead of stdout");
  app.add_option("--plot", o.plot_dir,
                 "Write per-second series.tsv, plots.gp and gnuplot PNGs into this directory");
  app.add_option("--label", o.label, "Name of the run in the JSON and plot titles")
      ->capture_default_str();
  app.add_flag("--quiet", o.quiet, "No progress line on stderr");
  CLI11_PARSE(app, argc, argv);
  target_mode = !o.target.empty();
  if (o.registry && target_mode) {
    std::cerr << "herald-bench: --registry spawns its own stack (no --target)\n";
    return 2;
  }
  if (target_mode && o.mock_admin.empty()) {
    std::cerr << "herald-bench: --target needs --mock-admin\n";
    return 2;
  }
  // --max-devices 0 is the ingest-only scenario: events for identities without devices, so
  // the run measures acceptance (parse, dedupe, journal, ack) without the provider side.
  if (o.max_devices < o.min_devices || o.identities == 0 || o.batch == 0 || o.connections == 0) {
    std::cerr << "herald-bench: need identities, batch, connections > 0 and "
                 "min-devices <= max-devices\n";
    return 2;
  }
  o.spawn = !target_mode;
  if (o.via == "amqp") {
    if (target_mode && (o.amqp_url.empty() || o.amqp_queue.empty())) {
      std::cerr << "herald-bench: --via amqp --target needs --amqp-url and --amqp-queue\n";
      return 2;
    }
    if (o.http2_streams > 0) {
      std::cerr << "herald-bench: --via amqp publishes messages; --http2-streams is webhook-only\n";
      return 2;
    }
    o.batch = 1; // Event Grid's Service Bus handler: one event per message
  }
  if (o.via == "direct") {
    if (target_mode || o.platforms != "apns" || o.http2_streams > 0) {
      std::cerr << "herald-bench: --via direct (the baseline) spawns the mock APNs and pushes "
                   "to it itself: no --target, --platforms apns, no --http2-streams\n";
      return 2;
    }
    o.batch = 1; // each event's pushes leave on their own, evenly spaced
  }
  if (!o.plot_dir.empty() && !find_gnuplot()) {
    std::cerr << "herald-bench: --plot: gnuplot is not on PATH (Debian: apt-get install "
                 "gnuplot-nox); the run goes on and writes only series.tsv and plots.gp\n";
  }
  if ((o.mock_spike_every_ms == 0) != (o.mock_spike_ms == 0) ||
      o.mock_spike_ms > o.mock_spike_every_ms) {
    std::cerr << "herald-bench: --mock-spike-every-ms and --mock-spike-ms go together, "
                 "spike-ms <= spike-every-ms\n";
    return 2;
  }

  // A fresh tag per run keeps ids, tokens and event ids distinct from every earlier run, so
  // a long-running Herald's dedupe window never swallows this run's events.
  std::random_device entropy;
  const auto run_tag =
      static_cast<std::uint32_t>(entropy()) ^
      static_cast<std::uint32_t>(std::chrono::system_clock::now().time_since_epoch().count());
  bench_results results;
  const auto self = std::filesystem::canonical("/proc/self/exe");
  const int code = o.registry ? run_registry_bench(o, run_tag, self, results)
                              : run_bench(o, run_tag, self, results);
  if (code == 2) {
    return 2;
  }
  const auto json = results_json(o, results);
  if (o.out.empty()) {
    std::cout << json;
  } else {
    std::ofstream(o.out) << json;
  }
  return code;
}
