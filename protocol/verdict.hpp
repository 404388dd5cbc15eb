#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace herald::protocol {

/// The class of a provider's answer (DESIGN.md, step 8).
enum class verdict_kind {
  accepted,     ///< The provider took the notification.
  rejected,     ///< Permanent: do not retry. May also mean the token is dead.
  failed,       ///< Transient: retry with backoff, honouring `retry_after`.
  unauthorized, ///< Our credential is bad or expired: refresh it, reconnect, retry.
};

[[nodiscard]] std::string_view to_string(verdict_kind k) noexcept;

/// A provider's answer as data (the Pushy style): never an error, never an exception.
struct verdict {
  verdict_kind kind = verdict_kind::failed;
  int status = 0;     ///< HTTP status.
  std::string reason; ///< Provider reason (`BadDeviceToken`, `UNREGISTERED`, ...), or empty.
  /// True when the provider says the token will never work again: prune the registration.
  bool token_dead = false;
  /// APNs 410: the time since which the token has been invalid (prune only if the registration
  /// was not renewed after it).
  std::optional<std::chrono::system_clock::time_point> token_dead_since;
  /// Retry-After, when the provider sent one.
  std::optional<std::chrono::seconds> retry_after;
  /// Provider's id for the notification (`apns-id`, FCM message `name`), when given.
  std::string provider_id;
};

} // namespace herald::protocol
