#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace herald::test {

/// What the mock FCM and mock WNS fixtures share: the child process, its ports (read from its
/// `--ports-file`) and the admin endpoints of `bench/support/message_log` (`/stats` with
/// `by_token`, `/notifications`).
struct mock_provider_fixture {
  std::unique_ptr<child_process> process;
  std::uint16_t port = 0;
  std::uint16_t admin_port = 0;

  /// Starts `options` (which must write `ports_file`) and reads its ports; throws with the
  /// mock's stderr if it does not start within 20 s.
  void start(const process_options& options, const std::filesystem::path& ports_file);
  /// A number of the mock's `/stats` (`accepted`, `token_requests`, …), -1 if unreadable.
  [[nodiscard]] long stat(const std::string& key);
  /// Messages the mock accepted for `key` (an FCM device token, a WNS channel), -1 if
  /// unreadable.
  [[nodiscard]] long accepted_for(const std::string& key);
  /// Waits until `accepted_for(key) >= n`, up to `timeout`.
  [[nodiscard]] bool wait_accepted(const std::string& key, long n,
                                   std::chrono::milliseconds timeout);
};

} // namespace herald::test
