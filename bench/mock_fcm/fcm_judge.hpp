#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "transports/h2_server.hpp"

namespace herald::bench {

/// What the mock FCM server expects and which faults it injects.
struct fcm_mock_config {
  std::string project_id;   ///< Required project in the path; empty accepts any.
  std::string client_email; ///< Required assertion `iss`; empty accepts any.
  std::string public_key;   ///< PEM RSA public (or private) key verifying assertions.
  /// Required assertion `aud`; empty: `https://<:authority><:path>` of the token request.
  std::string audience;
  std::chrono::seconds token_ttl{3600}; ///< `expires_in` of issued access tokens.
  /// Share of valid sends answered with `fail_status`, evenly spread (0.5: every second one).
  double fail_rate = 0;
  int fail_status = 503;
  int retry_after_s = -1;                ///< `retry-after` on injected failures (<0: none).
  std::vector<std::string> unregistered; ///< Device tokens answered 404 UNREGISTERED.
};

/// The mock's answer to one request.
struct fcm_answer {
  enum class kind { send, token, other };
  kind what = kind::other;
  int status = 200;
  std::string body;       ///< JSON.
  int retry_after_s = -1; ///< <0: no `retry-after` header.
  std::string token;      ///< Device token of a send (may be empty).
  std::string name;       ///< Message name of an accepted send.
  std::string call_id;    ///< `message.data.callId` of a valid send (Herald's correlationId).
};

/// Judges requests as Google does: `POST /token` (RFC 7523 JWT bearer grant with an RS256
/// assertion, "Using OAuth 2.0 for Server to Server Applications") issues access tokens;
/// `POST /v1/projects/<p>/messages:send` (Firebase, "FCM HTTP v1 API") checks the bearer
/// token, the message (`message.token`, string-only `data`, 4096-byte payload limit), then
/// injects the configured faults and answers UNREGISTERED for listed tokens.
/// Threading: not thread-safe (issued tokens, random generator); use from one thread.
class fcm_judge {
public:
  /// Fails (returns the message) when the public key cannot be loaded.
  [[nodiscard]] static std::optional<std::string> check_config(const fcm_mock_config& config);

  explicit fcm_judge(fcm_mock_config config);

  /// The answer Google would give to `request` at time `now`.
  [[nodiscard]] fcm_answer judge(const transports::h2_server_request& request,
                                 std::chrono::system_clock::time_point now);

  /// Forgets every issued access token: later sends with them get 401 (admin
  /// `DELETE /tokens`, to exercise a client's refresh-on-401).
  void revoke_tokens() { issued_.clear(); }

  /// Response headers of an answer (`content-type`, `retry-after`).
  [[nodiscard]] static transports::h2_headers headers(const fcm_answer& answer);

private:
  [[nodiscard]] fcm_answer issue_token(const transports::h2_server_request& request,
                                       std::chrono::system_clock::time_point now);
  [[nodiscard]] fcm_answer send(const transports::h2_server_request& request,
                                std::chrono::system_clock::time_point now);
  /// Empty when the assertion is acceptable, else the reason.
  [[nodiscard]] std::string check_assertion(const std::string& jwt, const std::string& audience,
                                            std::chrono::system_clock::time_point now) const;

  fcm_mock_config config_;
  std::shared_ptr<EVP_PKEY> key_;
  std::map<std::string, std::chrono::system_clock::time_point> issued_; ///< token → expiry.
  std::uint64_t counter_ = 0;
  std::uint64_t valid_sends_ = 0;
  std::mt19937_64 random_;
};

} // namespace herald::bench
