#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace herald::test {

/// Identity, device and token used by the end-to-end tests.
inline const std::string test_identity =
    "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000099-0000-0000-0000-000000000001";
inline const std::string test_token(64, 'a');
inline const std::string test_bundle = "com.example.herald";

/// Variations of `herald_fixture`.
struct herald_fixture_options {
  std::uint32_t mock_latency_ms = 0; ///< Mock APNs answers this late (large: a stalled provider).
  std::string extra_config;          ///< TOML appended after [log] (e.g. an [ingest] table).
  bool dev = true;                   ///< `node.dev`: credentials optional.
  /// Serve the webhook over TLS (the fixture's PKI server certificate) instead of clear text.
  bool http_tls = false;
  /// Also open the admin listener (`http.admin_listen`) on an ephemeral port.
  bool admin_listener = false;
  /// Extra environment of `herald serve` (`HERALD_*` overrides).
  std::vector<std::pair<std::string, std::string>> env{};
  std::string log_level = "debug"; ///< `log.level` (long runs use "info").
  /// More arguments for the mock APNs (e.g. `--unregistered-token T`).
  std::vector<std::string> mock_args{};
};

/// A mock APNs (TLS, ALPN h2, checking the ES256 provider token) and a `herald serve` pointed
/// at it, both started on ephemeral loopback ports in a fresh temp dir and stopped by PID.
struct herald_fixture {
  herald_fixture() : herald_fixture(herald_fixture_options{}) {}
  explicit herald_fixture(herald_fixture_options options);
  ~herald_fixture();

  temp_dir dir;
  test_pki pki;
  std::unique_ptr<child_process> mock;
  std::unique_ptr<child_process> herald;
  std::uint16_t apns_port = 0;
  std::uint16_t mock_admin_port = 0;
  std::uint16_t http_port = 0;
  std::uint16_t metrics_port = 0;
  std::uint16_t admin_port = 0; ///< With `admin_listener` only.

  herald_fixture_options options;

  /// Starts (or restarts) Herald with the fixture's config; waits for its ports file.
  void start_herald();
  /// Starts (or restarts, on a new port, with fresh stats) the mock APNs answering after
  /// `latency_ms`, and rewrites Herald's config to point at it (takes effect at start_herald).
  void start_mock(std::uint32_t latency_ms);
  /// POST a body to the webhook.
  [[nodiscard]] http_reply post_events(const std::string& body,
                                       const std::string& content_type = "application/json");
  /// PUT a registration for `device` of app `demo`.
  [[nodiscard]] http_reply register_device(const std::string& device, const std::string& body);
  /// Pushes the mock accepted for `token` (from its admin /stats), or -1 if unreadable.
  [[nodiscard]] long accepted_at_mock(const std::string& token);
  /// Waits until the mock accepted at least `n` pushes for `token`, up to `timeout`.
  [[nodiscard]] bool wait_accepted(const std::string& token, long n,
                                   std::chrono::milliseconds timeout);
  /// Value of one sample of Herald's /metrics (exact series text, e.g.
  /// `herald_events_received_total`), or -1 when absent.
  [[nodiscard]] double metric(const std::string& series);
  /// Waits until `metric(series) >= at_least`, up to `timeout`.
  [[nodiscard]] bool wait_metric(const std::string& series, double at_least,
                                 std::chrono::milliseconds timeout);
};

/// Value of one sample of the /metrics served on 127.0.0.1:`metrics_port`, or -1 when absent.
[[nodiscard]] double metric_at(std::uint16_t metrics_port, const std::string& series);

/// Reads a file of ../shared/samples.
[[nodiscard]] std::string read_sample(const std::string& name);

/// A syntactically valid incomingCallContext (`header.payload.` with a base64 `cc` claim).
[[nodiscard]] std::string valid_call_context();

/// The eventgrid-IncomingCall-1.json sample with `data.to` set to `identity` and, unless
/// `keep_context`, its (corrupted) incomingCallContext replaced by `valid_call_context()`.
[[nodiscard]] std::string incoming_call_for(const std::string& identity, bool keep_context);

/// `incoming_call_for(test_identity, false)` with an event id and call id of its own, made
/// from `n` (so neither dedupe nor the ring memory merges distinct test events).
[[nodiscard]] std::string numbered_incoming_call(int n);

} // namespace herald::test
