#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::bench {

/// Every FCM token herald-bench makes starts with this (APNs tokens are hex, so never do).
inline constexpr const char* fcm_token_prefix = "fcm";

/// One device herald-bench registers: REST device id, platform and push token.
struct bench_device {
  std::string device_id;
  std::string platform; ///< Registration platform: `apns-voip` or `fcm`.
  std::string token;
};

/// One ACS identity and its devices.
struct bench_identity {
  std::string raw_id; ///< `8:acs:<resource>_<run tag>-…`, unique per run.
  std::vector<bench_device> devices;
};

/// The identities and devices of one run, derived from a seed and a run tag so that two runs
/// against the same long-running Herald never share identities, tokens or event ids.
/// Lifecycle: built once before the load starts, then read-only. Threading: immutable.
class population {
public:
  /// `identities` identities with a uniform number of devices in [min_devices, max_devices];
  /// each device is `fcm` with probability `fcm_share` (a draw of its own seeded generator, so
  /// the device counts do not depend on the share), else `apns-voip`.
  population(std::uint32_t identities, std::uint32_t min_devices, std::uint32_t max_devices,
             std::uint64_t seed, std::uint32_t run_tag, double fcm_share = 0);

  [[nodiscard]] const std::vector<bench_identity>& identities() const noexcept {
    return identities_;
  }
  [[nodiscard]] std::size_t device_count() const noexcept { return device_count_; }
  /// How many of the devices are FCM ones.
  [[nodiscard]] std::size_t fcm_device_count() const noexcept { return fcm_devices_; }
  /// True for an FCM device's token.
  [[nodiscard]] static bool is_fcm_token(std::string_view token) noexcept {
    return token.starts_with(fcm_token_prefix);
  }
  [[nodiscard]] std::uint32_t run_tag() const noexcept { return run_tag_; }
  /// Registration JSON body of one device (PUT /v1/apps/{app}/devices/{id}).
  [[nodiscard]] static std::string registration_body(const bench_identity& identity,
                                                     const bench_device& device);

private:
  std::vector<bench_identity> identities_;
  std::size_t device_count_ = 0, fcm_devices_ = 0;
  std::uint32_t run_tag_ = 0;
};

} // namespace herald::bench
