#pragma once

#include <cstdint>
#include <string>

namespace herald::bench {

/// Everything one herald-bench run is told on its command line (see bench/README.md).
struct bench_options {
  // Where: spawn the mock and Herald, or target running ones.
  bool spawn = true;
  std::string target;         ///< `http://127.0.0.1:PORT` of a running Herald (no --spawn).
  std::string mock_admin;     ///< `127.0.0.1:PORT` of the running mock's admin port.
  std::string fcm_mock_admin; ///< Target mode: the running mock FCM's admin port, if any.
  std::string app = "demo";
  std::string herald_bin, mock_bin; ///< Empty: next to herald-bench's own path.
  std::uint32_t herald_pid = 0;     ///< Target mode: sample this process's RSS/CPU (0 = none).

  // Spawned stack tuning.
  std::string durability = "journal"; ///< Herald `[ingest] durability`.
  std::uint32_t shards = 4;
  std::uint32_t apns_connections = 1;
  std::string fcm_bin; ///< herald-mock-fcm binary; empty: next to herald-bench.
  std::uint32_t max_in_flight = 10000;
  /// `[registry] postgres_url` of the spawned Herald; empty: SQLite. Set by `--postgres`
  /// (a throwaway server) or `--postgres-url`.
  std::string postgres_url;
  bool postgres = false; ///< Start a throwaway PostgreSQL (fsync on) for the registry.

  // Faults of the spawned mock provider(s), passed through as their own options.
  double mock_fail_rate = 0;           ///< `--fail-rate`: share of valid sends failed.
  int mock_fail_status = 503;          ///< `--fail-status` of those failures (429 / 5xx).
  std::uint32_t mock_retry_after = 0;  ///< `--retry-after` seconds on failures (0: none).
  std::uint32_t mock_goaway_after = 0; ///< `--goaway-after` N streams per connection.
  std::uint32_t mock_latency_ms = 0;   ///< `--latency-ms` before every answer.
  std::uint32_t mock_spike_every_ms = 0, mock_spike_ms = 0; ///< `--spike-every-ms`, `--spike-ms`.
  /// The spawned mock APNs's `--connection-window` (bytes; 0: HTTP/2's initial 65,535).
  std::uint32_t mock_connection_window = 16u << 20;

  // Population.
  std::uint32_t identities = 10000;
  std::uint32_t min_devices = 1, max_devices = 3;
  std::uint32_t register_connections = 8;
  std::string platforms = "apns"; ///< `apns` (apns-voip), `fcm`, or `mixed` (see fcm_share).
  double fcm_share = 0.5;         ///< Mixed: probability that a device is an FCM one.

  // Registry mode (`--registry`): upserts and identity lookups only, no event load.
  bool registry = false;
  std::uint64_t lookups = 20000;        ///< Timed identity lookups after a warm-up pass.
  std::uint32_t lookup_connections = 1; ///< Keep-alive connections for the lookups.

  // Load.
  /// `webhook` (Event Grid batches POSTed to /api/events) or `amqp` (one event per message
  /// published to a Service Bus queue that Herald consumes; batch forced to 1).
  std::string via = "webhook";
  std::string amqp_url;             ///< Target mode, `--via amqp`: the broker Herald consumes from.
  std::string amqp_queue;           ///< Its queue address (RabbitMQ: `/queue/<name>`).
  std::uint32_t amqp_window = 1000; ///< Most published messages awaiting the broker's accept.
  std::uint32_t amqp_credit = 500;  ///< Spawned Herald's `[[servicebus]] credit`.
  std::uint32_t batch = 100;        ///< Events per webhook POST.
  std::uint32_t connections = 4;    ///< Keep-alive webhook connections.
  /// Streams per webhook connection over HTTP/2 (h2c); 0 = HTTP/1.1, one request at a time.
  std::uint32_t http2_streams = 0;
  double rate = 0;             ///< Events/s (open loop); 0 = closed loop.
  double duration_s = 10;      ///< Stop sending after this long, unless `events` is set.
  std::uint64_t events = 0;    ///< Total events to send (0 = bounded by duration).
  double drain_timeout_s = 60; ///< How long to wait for the mock to see every push.
  std::uint64_t seed = 1;

  // Ceiling.
  bool h2load = false;
  std::uint32_t h2load_clients = 1, h2load_streams = 100;
  std::uint64_t h2load_requests = 0; ///< 0: as many as Herald pushed (at least 10,000).

  std::string out;      ///< JSON results file; empty = stdout.
  std::string plot_dir; ///< Write series.tsv, plots.gp and PNGs (gnuplot) here; empty: none.
  std::string label = "herald-bench"; ///< Names the run in the JSON and the plot titles.
  bool quiet = false;                 ///< No progress line.
};

} // namespace herald::bench
