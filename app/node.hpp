#pragma once

namespace herald::app {

struct config;

/// Runs one Herald node until SIGTERM/SIGINT: starts the actor system, the store, the HTTP
/// listener and the metrics exposer from `cfg`, then shuts them down in order.
/// Returns the process exit code (0 on a clean shutdown).
[[nodiscard]] int run_node(const config& cfg);

} // namespace herald::app
