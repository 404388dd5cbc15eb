#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace herald::actors {

/// Decides when an OAuth2 access token (RFC 6749 §5.1) must be fetched, reused or dropped,
/// given the time the caller passes in; it does no I/O, so it is tested with a fake clock.
///
/// Rules: a token is used until it expires, but a fresh one is fetched from 5 minutes before
/// expiry (from half its life when it lives under 10 minutes), so requests rarely wait. At
/// most one fetch runs at a time. A failed fetch is retried after a capped exponential
/// backoff (1 s doubling to 60 s). A 401 from the provider drops the token it was sent with
/// (once: a later 401 for the same, already dropped token changes nothing).
///
/// Lifecycle: default-constructed empty; `fetch_started` → `fetch_succeeded` /
/// `fetch_failed`, repeatedly. Threading: none; owned by one actor.
class oauth_token_state {
public:
  using clock = std::chrono::steady_clock;

  /// True when the caller should start a token fetch now: no fetch is running, the backoff
  /// after a failure has passed, and there is no token or it is due for refresh.
  [[nodiscard]] bool should_fetch(clock::time_point now) const noexcept;

  /// Records that a fetch was sent.
  void fetch_started() noexcept { fetching_ = true; }

  /// Stores a token valid for `expires_in` from `now` and resets the failure backoff.
  void fetch_succeeded(std::string access_token, std::chrono::seconds expires_in,
                       clock::time_point now);

  /// Records a failed fetch: the next one is allowed after the backoff delay.
  void fetch_failed(clock::time_point now);

  /// The token to send now, or empty when there is none or it has expired.
  [[nodiscard]] std::string_view usable(clock::time_point now) const noexcept;

  /// The provider refused `access_token` (HTTP 401): forget it if it is still the current
  /// one. Returns true when it was dropped (the caller fetches a new one).
  bool refused(std::string_view access_token);

  /// When the current token should be replaced (meaningless without a token).
  [[nodiscard]] clock::time_point refresh_at() const noexcept { return refresh_at_; }

  /// Earliest instant of the next fetch after a failure.
  [[nodiscard]] clock::time_point retry_at() const noexcept { return retry_at_; }

  /// True while a fetch is in flight.
  [[nodiscard]] bool fetching() const noexcept { return fetching_; }

  /// Consecutive failed fetches since the last success.
  [[nodiscard]] std::uint32_t failures() const noexcept { return failures_; }

private:
  std::string token_;
  clock::time_point expires_at_{};
  clock::time_point refresh_at_{};
  clock::time_point retry_at_{};
  std::uint32_t failures_ = 0;
  bool fetching_ = false;
};

} // namespace herald::actors
