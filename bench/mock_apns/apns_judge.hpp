#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocol/jwt.hpp"
#include "transports/h2_server.hpp"

namespace herald::bench {

/// What the mock APNs server expects and which faults it injects.
struct apns_mock_config {
  std::string bundle_id;  ///< Required `apns-topic` (plus `.voip` for VoIP pushes).
  std::string team_id;    ///< Required JWT `iss`.
  std::string key_id;     ///< Required JWT header `kid`.
  std::string public_key; ///< PEM; empty disables token checks (certificate-auth mode).
  double fail_rate = 0;   ///< Share of valid requests answered with `fail_status`.
  int fail_status = 503;
  int retry_after_s = 0;                 ///< `retry-after` on injected failures (0 = none).
  std::vector<std::string> unregistered; ///< Tokens answered 410 Unregistered.
};

/// The mock's answer to one request.
struct apns_answer {
  int status = 200;
  std::string reason;                    ///< Empty for 200.
  std::optional<std::int64_t> timestamp; ///< 410 only: ms since the epoch.
  std::string apns_id;                   ///< Echoed or generated.
  int retry_after_s = 0;
  std::string token; ///< Device token from the path (may be empty / invalid).
};

/// Judges requests as APNs does ("Sending notification requests to APNs" and "Handling
/// notification responses from APNs", Apple Developer documentation): method, path, token,
/// provider token (ES256 JWT: signature, kid, iss, iat at most one hour old), topic, push
/// type, priority, expiration, apns-id, payload size; then the configured fault injection.
/// Threading: not thread-safe (owns a random generator); use from one thread.
class apns_judge {
public:
  /// Fails (returns the message) when the public key cannot be loaded.
  [[nodiscard]] static std::optional<std::string> check_config(const apns_mock_config& config);

  explicit apns_judge(apns_mock_config config);

  /// The answer APNs would give to `request` at time `now`.
  [[nodiscard]] apns_answer judge(const transports::h2_server_request& request,
                                  std::chrono::system_clock::time_point now);

  /// Encodes an answer as APNs does: headers (`apns-id`, `retry-after`) and JSON body.
  static void encode(const apns_answer& answer, transports::h2_headers& headers, std::string& body);

private:
  [[nodiscard]] std::string check_provider_token(const std::string& authorization,
                                                 std::chrono::system_clock::time_point now,
                                                 int& status) const;
  [[nodiscard]] std::string make_uuid();
  /// The claims of a token whose signature verified, from `verified_` or by verifying it.
  [[nodiscard]] std::optional<protocol::jwt_claims> claims_of(const std::string& token) const;

  /// Tokens whose signature verified, with their claims: a provider reuses one token for 20 to
  /// 60 minutes, and checking its ECDSA signature on every request made the mock, not the
  /// client under test, the bottleneck of a benchmark (~10 k verifications/s per core).
  /// Age (`iat`) is still judged on every request. Bounded: the oldest entry goes first.
  static constexpr std::size_t verified_capacity = 16;
  mutable std::vector<std::pair<std::string, protocol::jwt_claims>> verified_;
  mutable std::size_t verified_next_ = 0;

  apns_mock_config config_;
  std::optional<protocol::es256_verifier> verifier_;
  std::mt19937_64 random_;
};

} // namespace herald::bench
