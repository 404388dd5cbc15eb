#pragma once

#include <string>
#include <vector>

#include "tests/integration/mock_provider_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace herald::test {

/// Client credentials the mock WNS expects.
inline const std::string test_wns_client_id = "ms-app://s-1-15-2-herald-test";
inline const std::string test_wns_client_secret = "wns-test-secret";

/// A running `herald-mock-wns` (TLS, ALPN h2) on an ephemeral loopback port with its own PKI.
/// Stopped by PID when destroyed. Use `herald_config(app)` as
/// `herald_fixture_options::extra_config`: Herald sends every channel's pushes to the mock
/// (`[apps.wns] endpoint`), whatever host the channel URI names.
struct mock_wns_fixture : mock_provider_fixture {
  /// Starts the mock with `extra_args` (e.g. `--expired-channel C`); throws if it does not
  /// start.
  explicit mock_wns_fixture(const std::vector<std::string>& extra_args = {});
  ~mock_wns_fixture();

  temp_dir dir;
  test_pki pki;

  /// TOML for one `[[apps]]` entry named `app` with an `[apps.wns]` table pointing at the mock.
  [[nodiscard]] std::string herald_config(const std::string& app) const;
  /// The mock's `/notifications?channel=` JSON array text.
  [[nodiscard]] std::string notifications(const std::string& channel);
};

} // namespace herald::test
