#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "protocol/jwt.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Holds the current APNs provider token of one signing key and decides when to reissue it.
///
/// Apple ("Establishing a token-based connection to APNs", "Refresh your token regularly"):
/// refresh no more than once every 20 minutes and no less than once every 60 minutes; a token
/// older than an hour gets 403 `ExpiredProviderToken`, a token replaced too often gets 429
/// `TooManyProviderTokenUpdates`. The rule implemented here:
///  - `token(now)` reuses the current token until `now >= iat + refresh_after`
///    (default 50 min, clamped to [20, 60] min), then issues a new one with `iat = now`.
///  - `invalidate()` (after 403 ExpiredProviderToken / InvalidProviderToken) makes the next
///    `token(now)` reissue as soon as `now >= iat + 20 min` — never earlier, because Apple
///    throttles updates and a younger token rejected as expired means a skewed clock that a new
///    token would not fix. Until then the current token keeps being returned;
///    `next_issue_at()` tells the sender when a new one will be available.
///  - A clock that stepped backwards (`now < iat`) keeps the current token.
/// Lifecycle: one cache per (team id, key id), shared by all connections of that key so every
/// connection presents the same token. Threading: not thread-safe; one owner (a sender pool)
/// calls it, or callers serialise externally. No clock inside: every call takes `now`.
class apns_token_cache {
public:
  /// Lower bound on the age of a token before it may be replaced.
  static constexpr std::chrono::minutes min_refresh{20};
  /// Upper bound on the age of a token in use.
  static constexpr std::chrono::minutes max_refresh{60};
  /// Default reissue age.
  static constexpr std::chrono::minutes default_refresh{50};

  /// `refresh_after` is clamped into [`min_refresh`, `max_refresh`].
  apns_token_cache(es256_signer signer, std::string team_id, std::string key_id,
                   std::chrono::seconds refresh_after = default_refresh);

  /// The token to send at `now`, issuing a new one when due (see the class rule). Fails only
  /// when signing fails (the previous token, if any, stays cached).
  [[nodiscard]] result<std::string> token(std::chrono::system_clock::time_point now);

  /// Marks the current token as refused by APNs; see the class rule for when it is replaced.
  void invalidate() noexcept;

  /// `iat` of the current token, if one was issued.
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> issued_at() const noexcept;

  /// Earliest time `token()` will issue a new token (unset when none was issued yet: now).
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> next_issue_at() const noexcept;

  /// The clamped reissue age in use.
  [[nodiscard]] std::chrono::seconds refresh_after() const noexcept { return refresh_after_; }

private:
  es256_signer signer_;
  std::string team_id_;
  std::string key_id_;
  std::chrono::seconds refresh_after_;
  std::string token_;
  std::optional<std::chrono::system_clock::time_point> iat_;
  bool invalidated_ = false;
};

} // namespace herald::protocol
