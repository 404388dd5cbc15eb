#include "protocol/registration.hpp"

namespace herald::protocol {

std::string_view to_string(platform p) noexcept {
  switch (p) {
  case platform::apns:
    return "apns";
  case platform::apns_voip:
    return "apns-voip";
  case platform::fcm:
    return "fcm";
  case platform::wns:
    return "wns";
  }
  return "unknown";
}

std::string_view to_string(environment e) noexcept {
  return e == environment::sandbox ? "sandbox" : "production";
}

std::optional<platform> parse_platform(std::string_view s) noexcept {
  for (auto p : {platform::apns, platform::apns_voip, platform::fcm, platform::wns}) {
    if (to_string(p) == s) {
      return p;
    }
  }
  return std::nullopt;
}

std::optional<environment> parse_environment(std::string_view s) noexcept {
  if (s == "production") {
    return environment::production;
  }
  if (s == "sandbox") {
    return environment::sandbox;
  }
  return std::nullopt;
}

} // namespace herald::protocol
