#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/mock_provider_fixture.hpp"
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
struct mock_fcm_fixture : mock_provider_fixture {
  /// Starts the mock with `extra_args` (e.g. `--fail-rate 0.5`); throws if it does not start.
  explicit mock_fcm_fixture(const std::vector<std::string>& extra_args = {});
  ~mock_fcm_fixture();

  temp_dir dir;
  test_pki pki;
  test_rsa_key account_key;
  std::filesystem::path service_account; ///< The service-account JSON file.

  /// TOML for one `[[apps]]` entry named `app` with an `[apps.fcm]` table pointing at the mock.
  [[nodiscard]] std::string herald_config(const std::string& app) const;
  /// The mock's `/notifications?token=` JSON array text.
  [[nodiscard]] std::string notifications(const std::string& token);
};

} // namespace herald::test
