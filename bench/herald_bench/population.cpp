#include "bench/herald_bench/population.hpp"

#include <cstdio>
#include <random>

namespace herald::bench {

namespace {

/// The ACS resource part of every bench identity (shape of the docs' samples).
constexpr const char* resource = "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_";

} // namespace

population::population(std::uint32_t identities, std::uint32_t min_devices,
                       std::uint32_t max_devices, std::uint64_t seed, std::uint32_t run_tag,
                       double fcm_share)
    : run_tag_(run_tag) {
  std::mt19937_64 random(seed);
  std::mt19937_64 platforms(seed ^ 0x9e3779b97f4a7c15ull);
  std::bernoulli_distribution fcm(fcm_share);
  std::uniform_int_distribution<std::uint32_t> devices(min_devices, max_devices);
  identities_.reserve(identities);
  char buf[128];
  for (std::uint32_t i = 0; i < identities; ++i) {
    bench_identity id;
    std::snprintf(buf, sizeof buf, "%s%08x-0000-0000-0000-%012x", resource, run_tag, i);
    id.raw_id = buf;
    const auto n = devices(random);
    for (std::uint32_t d = 0; d < n; ++d) {
      bench_device dev;
      std::snprintf(buf, sizeof buf, "bench-%08x-%u-%u", run_tag, i, d);
      dev.device_id = buf;
      if (fcm(platforms)) {
        dev.platform = "fcm";
        // FCM registration tokens are long strings of [A-Za-z0-9_:.-]; unique per device.
        std::snprintf(buf, sizeof buf, "%s%08x:%016x:%08x:bench", fcm_token_prefix, run_tag, i, d);
        ++fcm_devices_;
      } else {
        dev.platform = "apns-voip";
        // 64 hex digits, unique per (run, identity, device): APNs tokens are 32 bytes of hex.
        std::snprintf(buf, sizeof buf, "%08x%016x%08x%032x", run_tag, i, d, 0xbe4c4u);
      }
      dev.token = buf;
      id.devices.push_back(std::move(dev));
    }
    device_count_ += n;
    identities_.push_back(std::move(id));
  }
}

std::string population::registration_body(const bench_identity& identity,
                                          const bench_device& device) {
  return R"({"identity":")" + identity.raw_id + R"(","platform":")" + device.platform +
         R"(","token":")" + device.token + R"("})";
}

} // namespace herald::bench
