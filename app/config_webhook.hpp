#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "app/config_env.hpp"
#include "app/config_error.hpp"
#include "app/config_secret.hpp"
#include "protocol/webhook_auth.hpp"

namespace herald::app {

/// An RS256 public key trusted for webhook Bearer tokens: `kid=path` in the config.
struct webhook_jwt_key_file {
  std::string kid;            ///< The token header's `kid` it verifies.
  std::filesystem::path file; ///< PEM `BEGIN PUBLIC KEY` (RSA).
};

/// `[webhook]`: who may post events. At least one method is required unless `node.dev`.
struct webhook_config {
  std::string query_parameter = "code"; ///< Query-string parameter holding the secret.
  secret query_secret;                  ///< Accepted in the query string; empty: off.
  secret query_secret_next;             ///< Also accepted, for rotation.
  secret sas_key;                       ///< Accepted as the `aeg-sas-key` header; empty: off.
  secret sas_key_next;                  ///< Also accepted, for rotation.
  /// `aeg-subscription-name` values accepted (compared case-insensitively, as Event Grid
  /// upper-cases them); empty: any.
  std::vector<std::string> subscriptions;
  /// Bearer JWTs (Event Grid with Microsoft Entra ID): on when the audience is set.
  std::string jwt_audience;
  std::vector<std::string> jwt_issuers;                            ///< Accepted `iss` values.
  std::string jwt_app_id = "4962773b-9cdb-44cf-a8bf-237846a00ab7"; ///< `appid`/`azp`.
  std::vector<webhook_jwt_key_file> jwt_keys;
  std::chrono::milliseconds jwt_clock_skew = std::chrono::minutes(5);

  /// True when at least one authentication method is configured.
  [[nodiscard]] bool any_method() const noexcept {
    return !query_secret.empty() || !query_secret_next.empty() || !sas_key.empty() ||
           !sas_key_next.empty() || !jwt_audience.empty();
  }
};

/// Reads `[webhook]` (`table` may be null) with its `HERALD_WEBHOOK_*` overrides; internal
/// to the config loader. Every variable name it looks up is added to `seen_env`.
[[nodiscard]] config_result<void> read_webhook(const toml::table* table, const config_env& env,
                                               std::set<std::string, std::less<>>& seen_env,
                                               webhook_config& out);

/// The webhook's authenticator, JWT key files read (null when no method is configured);
/// fails naming the key whose file cannot be read or is not an RSA public key.
[[nodiscard]] config_result<std::shared_ptr<const protocol::webhook_authenticator>>
make_webhook_authenticator(const webhook_config& cfg);

/// Refuses a node that is not in dev mode and has no webhook authentication, naming the
/// keys to set; checks that the JWT key files exist and hold RSA public keys (by building
/// the authenticator once).
[[nodiscard]] config_result<void> check_webhook(const webhook_config& cfg, bool dev);

/// `webhook: auth=query,sas,jwt subscriptions=2` for `summarize`: never a secret.
[[nodiscard]] std::string summarize(const webhook_config& cfg);

} // namespace herald::app
