#include "protocol/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cmath>

#include "protocol/hex.hpp"

namespace herald::protocol {

std::optional<api_scope> parse_api_scope(std::string_view s) noexcept {
  if (s == "register") {
    return api_scope::register_devices;
  }
  if (s == "send") {
    return api_scope::send;
  }
  if (s == "admin") {
    return api_scope::admin;
  }
  return std::nullopt;
}

std::string_view to_string(api_scope s) noexcept {
  switch (s) {
  case api_scope::register_devices:
    return "register";
  case api_scope::send:
    return "send";
  case api_scope::admin:
    return "admin";
  }
  return "unknown";
}

sha256_digest sha256(std::string_view data) noexcept {
  sha256_digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
}

std::string to_hex(const sha256_digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(d.size() * 2);
  for (const unsigned char b : d) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

std::optional<sha256_digest> parse_sha256_hex(std::string_view hex) noexcept {
  sha256_digest d{};
  if (hex.size() != d.size() * 2) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int hi = hex_digit_value(hex[2 * i]);
    const int lo = hex_digit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    d[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  return d;
}

std::optional<std::string_view> presented_api_key(const std::string* x_api_key,
                                                  const std::string* authorization) noexcept {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    return s;
  };
  if (x_api_key != nullptr) {
    auto key = trim(*x_api_key);
    return key.empty() ? std::nullopt : std::optional<std::string_view>(key);
  }
  if (authorization == nullptr) {
    return std::nullopt;
  }
  constexpr std::string_view scheme = "apikey";
  std::string_view value = trim(*authorization);
  if (value.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), value.begin(),
                  [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); }) ||
      (value[scheme.size()] != ' ' && value[scheme.size()] != '\t')) {
    return std::nullopt;
  }
  auto key = trim(value.substr(scheme.size()));
  return key.empty() ? std::nullopt : std::optional<std::string_view>(key);
}

const api_key* find_api_key(std::span<const api_key> keys, const sha256_digest& digest) noexcept {
  const api_key* found = nullptr;
  for (const auto& k : keys) {
    const bool same = CRYPTO_memcmp(k.digest.data(), digest.data(), digest.size()) == 0;
    found = same ? &k : found;
  }
  return found;
}

token_bucket::token_bucket(double rate, double burst, clock::time_point now) noexcept
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

std::optional<std::chrono::nanoseconds> token_bucket::take(clock::time_point now) noexcept {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::nullopt;
  }
  const double wait = rate_ > 0 ? (1.0 - tokens_) / rate_ : 3600.0;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(wait * 1e9)));
}

} // namespace herald::protocol
