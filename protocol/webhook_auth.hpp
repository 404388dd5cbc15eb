#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/jwt.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Event Grid's application id in Microsoft Entra ID: the `appid` (v1 tokens) or `azp` (v2
/// tokens) claim of the Bearer tokens Event Grid sends to a webhook secured with Entra ID.
inline constexpr std::string_view event_grid_app_id = "4962773b-9cdb-44cf-a8bf-237846a00ab7";

/// An RS256 public key trusted for webhook Bearer tokens, found by the token header's `kid`.
struct webhook_jwt_key {
  std::string kid;            ///< Key id; empty matches a token without `kid`.
  std::string public_key_pem; ///< `BEGIN PUBLIC KEY`, `BEGIN CERTIFICATE` is not accepted.
};

/// How Bearer JWTs are checked (Event Grid delivery with Microsoft Entra ID).
struct webhook_jwt_settings {
  std::vector<std::string> issuers; ///< Accepted `iss` values, compared exactly.
  std::string audience;             ///< Required in `aud` (a string or an array).
  /// Required as `appid` or `azp`; empty: not checked.
  std::string app_id{event_grid_app_id};
  std::vector<webhook_jwt_key> keys;
  /// Tolerated clock difference for `exp` and `nbf`.
  std::chrono::seconds clock_skew{300};
};

/// The accepted webhook credentials. No method configured means "no authentication" (dev).
struct webhook_auth_settings {
  std::string query_parameter = "code";   ///< Query-string parameter holding the secret.
  std::vector<std::string> query_secrets; ///< At most two (current and next, for rotation).
  std::vector<std::string> sas_keys;      ///< `aeg-sas-key` values, at most two.
  std::optional<webhook_jwt_settings> jwt;
};

/// The credentials a request presents; null/nullopt when absent.
struct webhook_credentials {
  std::optional<std::string> query_secret;    ///< Decoded value of the query parameter.
  const std::string* sas_key = nullptr;       ///< `aeg-sas-key` header.
  const std::string* authorization = nullptr; ///< `Authorization` header.
};

/// What `webhook_authenticator::decide` concluded.
struct webhook_auth_decision {
  enum class verdict {
    allowed, ///< Serve the request.
    missing, ///< No credential of a configured method: 401.
    wrong,   ///< Credentials presented, none valid: 403.
  };
  verdict what = verdict::allowed;
  /// Bounded label for metrics and logs: `none`, `query_secret`, `sas_key`, `jwt` when
  /// allowed; `missing`, `query_secret`, `sas_key`, `jwt_malformed`, `jwt_unknown_key`,
  /// `jwt_signature`, `jwt_expired`, `jwt_not_yet_valid`, `jwt_issuer`, `jwt_audience`,
  /// `jwt_app_id` otherwise.
  std::string reason;
  /// A sentence for the problem+json `detail`; never contains a credential.
  std::string detail;

  /// 200 when allowed, 401 when missing, 403 when wrong.
  [[nodiscard]] int status() const noexcept;
};

/// Decides whether a webhook request may be served: a query-string secret, the
/// `aeg-sas-key` header, or an RS256 `Authorization: Bearer` JWT. Any one valid credential
/// of a configured method is enough.
///
/// Secrets are kept only as SHA-256 digests and compared with `CRYPTO_memcmp` over the
/// fixed-length digests, so neither the content nor the length of a secret leaks through
/// timing. Lifecycle: made once at start from the configuration, then read-only.
/// Threading: `decide` is const and safe to call concurrently.
class webhook_authenticator {
public:
  /// Checks the settings (at most two secrets per method, no empty secret, a JWT audience,
  /// issuer and key when JWTs are on) and loads the keys (RSA public keys only).
  [[nodiscard]] static result<webhook_authenticator> make(webhook_auth_settings settings);

  /// True when at least one method is configured.
  [[nodiscard]] bool enabled() const noexcept;

  /// The decision for one request at time `now`.
  [[nodiscard]] webhook_auth_decision decide(const webhook_credentials& credentials,
                                             std::chrono::system_clock::time_point now) const;

  /// The query-string parameter that holds the secret.
  [[nodiscard]] const std::string& query_parameter() const noexcept { return query_parameter_; }

private:
  using digest = std::array<unsigned char, 32>;
  struct loaded_key {
    std::string kid;
    evp_key_ptr key;
  };

  webhook_authenticator() = default;
  [[nodiscard]] static bool matches(const std::vector<digest>& accepted, std::string_view given);
  [[nodiscard]] webhook_auth_decision check_jwt(std::string_view token,
                                                std::chrono::system_clock::time_point now) const;

  std::string query_parameter_;
  std::vector<digest> query_secrets_;
  std::vector<digest> sas_keys_;
  std::optional<webhook_jwt_settings> jwt_;
  std::vector<loaded_key> keys_;
};

} // namespace herald::protocol
