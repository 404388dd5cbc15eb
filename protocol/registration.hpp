#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::protocol {

/// Push channel of a registration. An iPhone usually holds both `apns` (alerts) and
/// `apns_voip` (PushKit) tokens.
enum class platform { apns, apns_voip, fcm, wns };

/// APNs / WNS environment a token belongs to.
enum class environment { production, sandbox };

[[nodiscard]] std::string_view to_string(platform p) noexcept;
[[nodiscard]] std::string_view to_string(environment e) noexcept;
/// Parses the REST spelling (`apns`, `apns-voip`, `fcm`, `wns`).
[[nodiscard]] std::optional<platform> parse_platform(std::string_view s) noexcept;
/// Parses `production` or `sandbox`.
[[nodiscard]] std::optional<environment> parse_environment(std::string_view s) noexcept;

/// One device's push channel for one identity of one app: (app, device id, platform) is unique.
struct registration {
  std::string app;
  std::string device_id;
  std::string identity; ///< Normalised `rawId`.
  platform channel = platform::apns;
  std::string token;
  environment env = environment::production;
  std::string locale;
  std::vector<std::string> tags;
  std::chrono::system_clock::time_point updated_at{};
  /// Empty means "never expires".
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

} // namespace herald::protocol
