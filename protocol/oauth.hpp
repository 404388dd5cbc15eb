#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/jwt.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// OAuth2 scope for FCM HTTP v1 (Firebase, "Authorize send requests").
inline constexpr std::string_view fcm_oauth_scope =
    "https://www.googleapis.com/auth/firebase.messaging";
/// WNS token endpoint (Microsoft, "Windows Push Notification Services (WNS) overview").
inline constexpr std::string_view wns_token_url = "https://login.live.com/accesstoken.srf";
/// Scope requested from the WNS token endpoint.
inline constexpr std::string_view wns_oauth_scope = "notify.windows.com";

/// The fields Herald needs from a Google service-account key file.
struct google_service_account {
  std::string client_email;
  std::string private_key; ///< PEM (PKCS#8) RSA private key.
  std::string token_uri;   ///< Usually `https://oauth2.googleapis.com/token`.
  std::string project_id;
};

/// Parses a service-account JSON. Errors name the field (`client_email`, `private_key`,
/// `token_uri`, `project_id`): `missing_field` when absent/empty/not a string, `invalid_field`
/// for a `token_uri` that is not https; `malformed_json` / `wrong_shape` otherwise.
[[nodiscard]] result<google_service_account> parse_google_service_account(std::string_view json);

/// A token request ready to send: the token endpoint's authority plus the request.
struct oauth_request {
  std::string authority;
  provider_request request;
};

/// The signed JWT assertion of RFC 7523 §2.1 as Google requires it ("Using OAuth 2.0 for
/// Server to Server Applications"): header `{"alg":"RS256","typ":"JWT"}`, claims `iss` =
/// client_email, `scope` = FCM scope, `aud` = token_uri, `iat`, `exp` = iat + 3600.
[[nodiscard]] result<std::string> make_google_assertion(const google_service_account& account,
                                                        const rs256_signer& signer,
                                                        std::chrono::system_clock::time_point iat);

/// `POST <token_uri path>`, `content-type: application/x-www-form-urlencoded`, body
/// `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=<jwt>`.
[[nodiscard]] result<oauth_request>
make_google_token_request(const google_service_account& account, const rs256_signer& signer,
                          std::chrono::system_clock::time_point now);

/// WNS client credentials: the app's Package SID (`ms-app://…`) and client secret.
struct wns_credentials {
  std::string client_id;
  std::string client_secret;
};

/// `POST /accesstoken.srf` to `login.live.com` with the form body
/// `grant_type=client_credentials&client_id=…&client_secret=…&scope=notify.windows.com`.
/// Errors: empty client id or secret (`missing_field`).
[[nodiscard]] result<oauth_request> make_wns_token_request(const wns_credentials& credentials);

/// A successful token response (RFC 6749 §5.1).
struct oauth_token {
  std::string access_token;
  std::chrono::seconds expires_in{0};
  std::string token_type; ///< `Bearer` (Google, Microsoft).
};

/// Parses a token endpoint response. 200 with `access_token` → the token (`expires_in` may be a
/// number or a numeric string). An RFC 6749 §5.2 error body (`{"error":"invalid_grant",
/// "error_description":…}`) → `invalid_field` with field `error` and a message starting with
/// the error code; other failures → `malformed_json` / `wrong_shape` / `missing_field`. The
/// caller decides retry by the HTTP status (5xx/429 transient; 400/401 credential problems).
[[nodiscard]] result<oauth_token> parse_oauth_token_response(const provider_response& response);

/// Form-encodes a value (`application/x-www-form-urlencoded`, WHATWG URL §5.2): unreserved
/// characters stay, space becomes `+`, everything else `%XX`.
[[nodiscard]] std::string form_urlencode(std::string_view value);

} // namespace herald::protocol
