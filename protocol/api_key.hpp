#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace herald::protocol {

/// What an API key may do, as bits: a key holds a set of them.
enum class api_scope : std::uint8_t {
  register_devices = 1, ///< `register`: device registration routes.
  send = 2,             ///< `send`: direct notifications.
  admin = 4,            ///< `admin`: bulk export and import; implies every other scope.
};

/// Parses the configuration spelling: `register`, `send` or `admin`.
[[nodiscard]] std::optional<api_scope> parse_api_scope(std::string_view s) noexcept;
/// The configuration spelling of a scope.
[[nodiscard]] std::string_view to_string(api_scope s) noexcept;

/// A SHA-256 digest.
using sha256_digest = std::array<unsigned char, 32>;

/// SHA-256 of `data`.
[[nodiscard]] sha256_digest sha256(std::string_view data) noexcept;
/// Lower-case hex of a digest (64 characters).
[[nodiscard]] std::string to_hex(const sha256_digest& d);
/// Parses 64 hex digits (either case); nullopt otherwise.
[[nodiscard]] std::optional<sha256_digest> parse_sha256_hex(std::string_view hex) noexcept;

/// The key a request presents: the `x-api-key` header, else `Authorization: ApiKey <key>`
/// (scheme compared case-insensitively, RFC 9110 section 11.1). Null arguments are absent
/// headers. nullopt when neither carries a non-empty key.
[[nodiscard]] std::optional<std::string_view>
presented_api_key(const std::string* x_api_key, const std::string* authorization) noexcept;

/// One configured API key of an app: only its SHA-256 digest is kept.
struct api_key {
  std::string id; ///< Operator's name for the key (logs, metrics); never secret.
  sha256_digest digest{};
  std::uint8_t scopes = 0; ///< Bits of `api_scope`.
  /// Requests per second allowed on average (token bucket, burst of one second's worth);
  /// nullopt: unlimited.
  std::optional<double> rate_per_second;

  /// Whether the key holds `s` (or `admin`).
  [[nodiscard]] bool allows(api_scope s) const noexcept {
    return (scopes &
            (static_cast<std::uint8_t>(s) | static_cast<std::uint8_t>(api_scope::admin))) != 0;
  }
};

/// The key among `keys` whose digest is `digest`, or null. Every digest is compared with
/// `CRYPTO_memcmp` and the loop never stops early, so the time taken says nothing about which
/// key (if any) matched nor how much of it.
[[nodiscard]] const api_key* find_api_key(std::span<const api_key> keys,
                                          const sha256_digest& digest) noexcept;

/// A token bucket: `rate` tokens per second up to `burst`, full at start.
/// Threading: not thread-safe; guard it.
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now) noexcept;

  /// Takes one token at `now`. Returns nullopt when taken, else how long until one is
  /// available (the request is refused and takes nothing).
  [[nodiscard]] std::optional<std::chrono::nanoseconds> take(clock::time_point now) noexcept;

private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

} // namespace herald::protocol
