#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/herald_bench/bench_options.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rabbitmq_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace herald::bench {

/// Team, key and bundle id of the spawned stack's APNs app.
inline constexpr const char* bench_team_id = "TEAM123456";
inline constexpr const char* bench_key_id = "KEY1234567";
inline constexpr const char* bench_bundle_id = "com.example.herald";
/// Project and service-account e-mail of the spawned stack's FCM app.
inline constexpr const char* bench_fcm_project = "herald-bench";
inline constexpr const char* bench_fcm_client_email =
    "herald-bench@herald-bench.iam.gserviceaccount.com";

/// `herald-mock-apns` (TLS, ALPN h2, checking ES256 provider tokens, recording no bodies),
/// unless `platforms` is `apns` also `herald-mock-fcm` (TLS, OAuth with a throwaway service
/// account, no bodies), and `herald serve` pointed at them, started in a fresh temp dir on
/// ephemeral loopback ports with a generated throwaway PKI and config; both stopped by PID
/// (SIGTERM) on destruction. With `postgres_url`, Herald's registry is that PostgreSQL database
/// instead of SQLite. With `via` = `amqp`, first a throwaway RabbitMQ (AMQP 1.0 plugin, queue
/// `bench`) whose queue Herald consumes (`[[servicebus]]`, `credit` = `amqp_credit`); it is
/// stopped last. Lifecycle: `start` once. Threading: one thread.
class spawned_stack {
public:
  /// `herald_bin` / `mock_bin` empty: looked up next to `self` (herald-bench's own path,
  /// bench/), i.e. `../app/herald` and `herald-mock-apns` of the same build tree.
  spawned_stack(const bench_options& options, const std::filesystem::path& self);
  ~spawned_stack();
  spawned_stack(const spawned_stack&) = delete;
  spawned_stack& operator=(const spawned_stack&) = delete;

  /// Starts both; nullopt on success, else what went wrong.
  [[nodiscard]] std::optional<std::string> start();

  [[nodiscard]] std::uint16_t http_port() const noexcept { return http_port_; }
  [[nodiscard]] std::uint16_t metrics_port() const noexcept { return metrics_port_; }
  [[nodiscard]] std::uint16_t apns_port() const noexcept { return apns_port_; }
  [[nodiscard]] std::uint16_t mock_admin_port() const noexcept { return mock_admin_port_; }
  /// The mock FCM's ports (0 when `platforms` is `apns`: no FCM mock).
  [[nodiscard]] std::uint16_t fcm_port() const noexcept { return fcm_port_; }
  [[nodiscard]] std::uint16_t fcm_admin_port() const noexcept { return fcm_admin_port_; }
  /// The FCM service account's RSA key (its JSON is `dir()/service-account.json`).
  [[nodiscard]] const test::test_rsa_key& fcm_account_key() const noexcept { return account_; }
  [[nodiscard]] pid_t herald_pid() const noexcept { return herald_ ? herald_->pid() : 0; }
  [[nodiscard]] pid_t mock_pid() const noexcept { return mock_ ? mock_->pid() : 0; }
  [[nodiscard]] pid_t fcm_mock_pid() const noexcept { return fcm_ ? fcm_->pid() : 0; }
  [[nodiscard]] const test::test_pki& pki() const noexcept { return pki_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  /// The broker's `amqp://127.0.0.1:PORT` (empty without `--via amqp`).
  [[nodiscard]] std::string amqp_url() const { return broker_ ? broker_->url() : std::string(); }
  /// The queue's address for publishers (RabbitMQ: `/queue/bench`).
  [[nodiscard]] static std::string amqp_queue() {
    return test::rabbitmq_server::publish_address("bench");
  }
  /// Stops Herald then the mock; returns Herald's exit status (0 = clean shutdown).
  int stop();

private:
  /// Starts herald-mock-fcm and writes its service account; nullopt or what went wrong.
  [[nodiscard]] std::optional<std::string> start_fcm();
  /// Appends the mock's fault options (`--fail-rate` …) from the bench options to `args`.
  void add_fault_args(std::vector<std::string>& args) const;

  bench_options options_;
  std::filesystem::path herald_bin_, mock_bin_, fcm_bin_;
  test::temp_dir dir_;
  test::test_pki pki_;
  test::test_rsa_key account_;
  std::unique_ptr<test::rabbitmq_server> broker_;
  std::unique_ptr<test::child_process> mock_, fcm_, herald_;
  std::uint16_t http_port_ = 0, metrics_port_ = 0, apns_port_ = 0, mock_admin_port_ = 0;
  std::uint16_t fcm_port_ = 0, fcm_admin_port_ = 0;
};

} // namespace herald::bench
