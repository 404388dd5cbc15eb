#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config_endpoint.hpp"
#include "app/config_env.hpp"
#include "app/config_error.hpp"
#include "app/config_registry.hpp"
#include "app/config_secret.hpp"
#include "app/config_servicebus.hpp"
#include "app/config_webhook.hpp"
#include "protocol/api_key.hpp"
#include "protocol/registration.hpp"
#include "protocol/template.hpp"

namespace herald::app {

/// `[node]`: process-wide settings.
struct node_config {
  std::filesystem::path data_dir = "data"; ///< SQLite files live here.
  int shards = 4;                          ///< Router shards, 1..256.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(10);
  bool dev = false; ///< Development mode (relaxed checks, verbose errors).
  /// CAF scheduler policy: work `sharing` (one queue, idle workers block on a condition
  /// variable; the default: half the CPU at the same load) or work `stealing` (idle workers
  /// poll, then sleep). docs/BENCHMARKS.md "Actor scheduler" compares them.
  std::string scheduler = "sharing";
  int actor_threads = 0;  ///< CAF worker threads, 0 = one per core.
  int max_throughput = 0; ///< Messages an actor handles before yielding its worker, 0 = CAF's.
};

/// `[http]`: the webhook / REST listener.
struct http_config {
  listen_address listen{"127.0.0.1", 8080};
  std::string webhook_path = "/api/events";
  /// Largest request body accepted: Event Grid batches are at most 1 MiB, plus headroom.
  std::size_t body_limit = 1'114'112;
  int threads = 0; ///< Event-loop threads, 1..64; 0 = one per core.
  /// PEM certificate chain and private key of the listener: both set serves TLS 1.2+
  /// (ALPN h2 / http/1.1), both empty serves clear text.
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  bool h2 = true; ///< Serve HTTP/2 too: h2c prior knowledge, or ALPN h2 with TLS.
  std::uint32_t max_concurrent_streams = 100; ///< Per HTTP/2 connection, 1..10000.
  /// Whole-request receive limit (slowloris), idle keep-alive limit, response write limit.
  std::chrono::milliseconds read_timeout{std::chrono::seconds{30}};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};
  std::chrono::milliseconds write_timeout{std::chrono::seconds{30}};
  std::size_t max_connections = 10000; ///< Open connections (HTTP/1.1 and h2) above it: closed.
  /// HTTP/2 rapid-reset guard: more client RST_STREAMs than this within `reset_window` end the
  /// connection (GOAWAY ENHANCE_YOUR_CALM); 0 turns the guard off.
  std::uint32_t max_client_resets = 200;
  std::chrono::milliseconds reset_window{std::chrono::seconds{10}};
  /// A second, clear-text listener serving only /healthz and /readyz (probes apart from the
  /// webhook).
  std::optional<listen_address> admin_listen;
};

/// How accepted webhook batches are kept until their outcome.
enum class durability_mode {
  journal, ///< Journaled (SQLite, fsynced) before the 200; replayed after a crash.
  none,    ///< Not journaled: a crash loses accepted events without an outcome.
};

/// `[ingest]`: admission, dedupe and durability of incoming events.
struct ingest_config {
  durability_mode durability = durability_mode::journal;
  /// Events accepted and without an outcome, node-wide; beyond it webhooks get 503.
  std::size_t max_in_flight_events = 10000;
  /// How long an event id is remembered: Event Grid retries for up to 24 h.
  std::chrono::milliseconds dedupe_window = std::chrono::hours(24);
  /// Most event ids remembered in memory.
  std::size_t dedupe_capacity = 1'000'000;
  /// The journal's group commit window: how long a commit waits for more batches.
  std::chrono::milliseconds journal_commit_delay{1};
};

/// `[notifications]`: direct sends (`POST /v1/apps/{app}/notifications`).
struct notifications_config {
  /// How long a send's per-device outcomes can be read back.
  std::chrono::milliseconds retention = std::chrono::hours(1);
  /// Most sends tracked at once; the oldest are forgotten first.
  std::size_t max_tracked = 10000;
};

/// `[metrics]`: the Prometheus exposer.
struct metrics_config {
  listen_address listen{"127.0.0.1", 9464};
};

/// Severity threshold of the logs.
enum class log_level { trace, debug, info, warn, error };
/// `json`: one object per line for machines; `text`: for humans at a terminal.
enum class log_format { json, text };

/// `[log]`.
struct log_config {
  log_level level = log_level::info;
  log_format format = log_format::json;
};

/// `[apps.apns]`: Apple Push Notification service with token-based (.p8) authentication.
struct apns_config {
  std::string team_id;
  std::string key_id;
  std::filesystem::path key_file; ///< PKCS#8 PEM EC P-256 key (`AuthKey_<key_id>.p8`).
  std::string bundle_id;          ///< The `apns-topic` base; VoIP pushes add `.voip`.
  protocol::environment environment = protocol::environment::production;
  endpoint server{"https", "api.push.apple.com", 443, ""};
  std::filesystem::path ca_file; ///< Empty: the system's trusted roots.
  int connections = 1;           ///< HTTP/2 connections per (app, environment), 1..64.
  int max_streams = 1000;        ///< Cap on concurrent streams per connection, 1..10000.
  std::chrono::milliseconds ring_ttl = std::chrono::seconds(30); ///< `apns-expiration` of a ring.
};

/// `[apps.fcm]`: Firebase Cloud Messaging HTTP v1 with a service account.
struct fcm_config {
  std::filesystem::path service_account_file; ///< The JSON key file from the console.
  std::string project_id;                     ///< Empty: taken from the service account file.
  endpoint server{"https", "fcm.googleapis.com", 443, ""};
  endpoint token_server{"https", "oauth2.googleapis.com", 443, "/token"};
  std::filesystem::path ca_file; ///< Empty: the system's trusted roots.
  int connections = 1;
  int max_streams = 100;
};

/// `[apps.wns]`: Windows Push Notification Services.
struct wns_config {
  std::string client_id; ///< Package SID (`ms-app://…`) or Azure AD application id.
  secret client_secret;
  /// OAuth token endpoint (`token_endpoint`).
  endpoint token_server{"https", "login.live.com", 443, "/accesstoken.srf"};
  /// Pushes go to each device's channel URI host; `endpoint` (tests, a proxy) sends them all
  /// to this origin instead.
  std::optional<endpoint> server;
  std::filesystem::path ca_file; ///< Empty: the system's trusted roots.
  int connections = 1;           ///< HTTP/2 connections per channel host, 1..64.
  int max_streams = 100;         ///< Cap on concurrent streams per connection, 1..10000.
  int max_hosts = 64;            ///< Channel hosts with a connection pool at once, 1..1024.
};

/// `[[apps]]`: one tenant application and its push credentials.
struct app_config {
  std::string name; ///< `[a-z0-9][a-z0-9_-]*`, used in REST paths `/v1/apps/<name>/…`.
  /// How long a registration lives without a refresh; nullopt means "never".
  std::optional<std::chrono::milliseconds> registration_ttl = std::chrono::hours(24 * 180);
  std::optional<apns_config> apns;
  std::optional<fcm_config> fcm;
  std::optional<wns_config> wns;
  /// `[[apps.api_keys]]`: keys of the app's REST routes, each with `id`, `sha256` (hex digest
  /// of the key: the key itself is never configured), `scopes` ⊆ {register, send, admin}
  /// and an optional `rate_per_second`. From the file only (no environment overrides).
  std::vector<protocol::api_key> api_keys;
  /// `[[apps.templates]]`: alert texts by `name` (`title`, `body` with `{placeholder}`s),
  /// used by direct sends; a template named after an ACS event type also replaces the
  /// built-in chat alert text of that event.
  std::map<std::string, protocol::alert_template> templates;
};

/// A node's whole configuration, every key with a default.
///
/// Built once at start by `load_config` and then read-only: safe to share between threads
/// as `const config&`.
struct config {
  node_config node;
  http_config http;
  webhook_config webhook;
  ingest_config ingest;
  registry_config registry;
  metrics_config metrics;
  notifications_config notifications;
  log_config log;
  std::vector<app_config> apps;
  std::vector<servicebus_config> servicebus; ///< `[[servicebus]]` queues to consume.
  std::filesystem::path source;              ///< The file it was loaded from; empty for text.
};

/// Loads, applies environment overrides to, and validates a TOML configuration file.
///
/// Every value is checked here (types, ranges, enumerations, required keys, unknown keys in
/// the file, unknown `HERALD_*` variables); files named by the config are checked by
/// `check_config_files`. Relative paths stay relative to the working directory. Throws
/// nothing.
[[nodiscard]] config_result<config> load_config(const std::filesystem::path& file,
                                                const config_env& env);

/// `load_config(file, config_env::from_process())`.
[[nodiscard]] config_result<config> load_config(const std::filesystem::path& file);

/// Like `load_config` with the document as text; `source_name` appears in parse errors.
[[nodiscard]] config_result<config> parse_config(std::string_view toml_text, const config_env& env,
                                                 std::string_view source_name = "config");

/// Checks what `load_config` cannot see from the text alone: key and CA files exist and
/// load (APNs .p8 is an EC key, the FCM service account has its fields and an RSA key), and
/// `node.data_dir` is a directory or can be made. Fills `fcm.project_id` from the service
/// account when it was empty, hence the non-const argument.
[[nodiscard]] config_result<void> check_config_files(config& cfg);

/// A multi-line human summary for `check-config` and the start-up log: listeners, shards,
/// apps and providers. Secrets appear as `***`.
[[nodiscard]] std::string summarize(const config& cfg);

[[nodiscard]] std::string_view to_string(log_level l) noexcept;
[[nodiscard]] std::string_view to_string(log_format f) noexcept;
[[nodiscard]] std::string_view to_string(durability_mode d) noexcept;

} // namespace herald::app
