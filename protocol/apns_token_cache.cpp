#include "protocol/apns_token_cache.hpp"

#include <algorithm>

namespace herald::protocol {

apns_token_cache::apns_token_cache(es256_signer signer, std::string team_id, std::string key_id,
                                   std::chrono::seconds refresh_after)
    : signer_(std::move(signer)), team_id_(std::move(team_id)), key_id_(std::move(key_id)),
      refresh_after_(std::clamp<std::chrono::seconds>(refresh_after, min_refresh, max_refresh)) {}

std::optional<std::chrono::system_clock::time_point>
apns_token_cache::next_issue_at() const noexcept {
  if (!iat_) {
    return std::nullopt;
  }
  // Apple: not more often than every 20 minutes, even after a refusal.
  return *iat_ + (invalidated_ ? std::chrono::seconds{min_refresh} : refresh_after_);
}

result<std::string> apns_token_cache::token(std::chrono::system_clock::time_point now) {
  const auto due = next_issue_at();
  if (due && now < due) {
    return token_; // Includes a clock stepped back before iat: keep what APNs accepted.
  }
  auto fresh = make_apns_provider_token(signer_, team_id_, key_id_, now);
  if (!fresh) {
    return fresh.error();
  }
  token_ = std::move(fresh).value();
  iat_ = now;
  invalidated_ = false;
  return token_;
}

void apns_token_cache::invalidate() noexcept {
  invalidated_ = true;
}

std::optional<std::chrono::system_clock::time_point> apns_token_cache::issued_at() const noexcept {
  return iat_;
}

} // namespace herald::protocol
