#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "bench/support/message_log.hpp"
#include "transports/h2_server.hpp"

namespace herald::bench {

/// The listener, admin port and faults every `message_log` mock (FCM, WNS) takes from its
/// command line.
struct mock_listener_options {
  std::string name; ///< Program name, for messages (`herald-mock-wns`).
  std::string listen = "127.0.0.1:0", admin = "127.0.0.1:0", cert, key, ports_file;
  bool h2c = false;
  bool no_bodies = false; ///< Log only ids and arrival times (benchmarks).
  std::uint32_t max_streams = 100, latency_ms = 0;
  std::uint32_t goaway_after = 0;                 ///< GOAWAY after N streams per connection.
  std::uint32_t spike_every_ms = 0, spike_ms = 0; ///< Latency spikes (spike_schedule).
  /// Query parameter of `GET /notifications` naming what to list (`token`, `channel`).
  std::string notifications_filter = "token";
};

/// Declares `--listen`, `--admin`, `--tls-cert`, `--tls-key`, `--h2c`,
/// `--max-concurrent-streams`, `--latency-ms`, `--goaway-after`, `--spike-every-ms`,
/// `--spike-ms`, `--no-bodies` and `--ports-file` on `app`.
void add_listener_options(CLI::App& app, mock_listener_options& options);

/// Runs a mock provider until SIGTERM or SIGINT: the HTTP/2 listener (TLS with ALPN h2, or
/// h2c) answering with `handler` (held back during latency spikes), the HTTP/1.1 admin port
/// over `log` (`GET /stats[?brief=1]`, `GET /notifications[?<filter>=K]`, `GET /arrivals`,
/// `DELETE /notifications`, `DELETE /tokens` → calls `revoke_tokens`, `GET /healthz`) and the ports
/// file `{"listen":P,"admin":P}`. Handlers and `revoke_tokens` run on one thread. Returns the exit
/// code: 0, or 2 with a message on stderr when it cannot start.
int run_logged_mock(const mock_listener_options& options, std::shared_ptr<message_log> log,
                    std::function<void()> revoke_tokens, transports::h2_request_handler handler);

} // namespace herald::bench
