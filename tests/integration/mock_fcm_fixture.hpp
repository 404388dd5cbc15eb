#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace herald::test {

/// Project and service account the mock FCM expects.
inline const std::string test_fcm_project = "herald-test";
inline const std::string test_fcm_client_email =
    "herald-sender@herald-test.iam.gserviceaccount.com";

/// A running `herald-mock-fcm` (TLS, ALPN h2) on an ephemeral loopback port with its own PKI
/// and a service-account JSON whose `token_uri` is the mock's `/token`. Stopped by PID when
/// destroyed. Use `herald_config(app)` as `herald_fixture_options::extra_config`.
struct mock_fcm_fixture {
  /// Starts the mock with `extra_args` (e.g. `--fail-rate 0.5`); throws if it does not start.
  explicit mock_fcm_fixture(const std::vector<std::string>& extra_args = {});
  ~mock_fcm_fixture();

  temp_dir dir;
  test_pki pki;
  test_rsa_key account_key;
  std::filesystem::path service_account; ///< The service-account JSON file.
  std::unique_ptr<child_process> process;
  std::uint16_t port = 0;
  std::uint16_t admin_port = 0;

  /// TOML for one `[[apps]]` entry named `app` with an `[apps.fcm]` table pointing at the mock.
  [[nodiscard]] std::string herald_config(const std::string& app) const;
  /// A number of the mock's `/stats` (`accepted`, `token_requests`, …), -1 if unreadable.
  [[nodiscard]] long stat(const std::string& key);
  /// Messages the mock accepted for device `token`, -1 if unreadable.
  [[nodiscard]] long accepted_for(const std::string& token);
  /// Waits until `accepted_for(token) >= n`, up to `timeout`.
  [[nodiscard]] bool wait_accepted(const std::string& token, long n,
                                   std::chrono::milliseconds timeout);
  /// The mock's `/notifications?token=` JSON array text.
  [[nodiscard]] std::string notifications(const std::string& token);
};

} // namespace herald::test
