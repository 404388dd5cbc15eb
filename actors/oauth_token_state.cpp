#include "actors/oauth_token_state.hpp"

#include <algorithm>

namespace herald::actors {

namespace {

constexpr auto refresh_margin = std::chrono::minutes(5);
constexpr auto retry_base = std::chrono::seconds(1);
constexpr auto retry_cap = std::chrono::seconds(60);

} // namespace

bool oauth_token_state::should_fetch(clock::time_point now) const noexcept {
  if (fetching_ || now < retry_at_) {
    return false;
  }
  return token_.empty() || now >= refresh_at_;
}

void oauth_token_state::fetch_succeeded(std::string access_token, std::chrono::seconds expires_in,
                                        clock::time_point now) {
  fetching_ = false;
  failures_ = 0;
  retry_at_ = clock::time_point{};
  token_ = std::move(access_token);
  expires_at_ = now + expires_in;
  // Google tokens live an hour; refreshing 5 minutes early keeps requests from waiting on a
  // fetch. Short-lived tokens (tests, other issuers) are refreshed at half their life instead,
  // so a token is never "due" the moment it arrives.
  auto margin = expires_in < 2 * refresh_margin
                    ? std::chrono::duration_cast<clock::duration>(expires_in) / 2
                    : std::chrono::duration_cast<clock::duration>(refresh_margin);
  refresh_at_ = expires_at_ - margin;
}

void oauth_token_state::fetch_failed(clock::time_point now) {
  fetching_ = false;
  auto delay = std::chrono::duration_cast<clock::duration>(retry_base);
  for (std::uint32_t i = 0; i < failures_ && delay < retry_cap; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, std::chrono::duration_cast<clock::duration>(retry_cap));
  ++failures_;
  retry_at_ = now + delay;
}

std::string_view oauth_token_state::usable(clock::time_point now) const noexcept {
  if (token_.empty() || now >= expires_at_) {
    return {};
  }
  return token_;
}

bool oauth_token_state::refused(std::string_view access_token) {
  if (token_.empty() || access_token != token_) {
    return false;
  }
  token_.clear();
  return true;
}

} // namespace herald::actors
