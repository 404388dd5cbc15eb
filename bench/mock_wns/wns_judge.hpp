#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "transports/h2_server.hpp"

namespace herald::bench {

/// What the mock WNS expects and which faults it injects.
struct wns_mock_config {
  std::string client_id;     ///< Required `client_id` of token requests.
  std::string client_secret; ///< Required `client_secret` of token requests.
  std::string token_path = "/accesstoken.srf";
  std::chrono::seconds token_ttl{86400}; ///< `expires_in` of issued access tokens.
  /// Share of valid sends answered with `fail_status`, evenly spread (0.5: every second one).
  double fail_rate = 0;
  int fail_status = 503;                  ///< 406 (throttled), 429, 500 or 503.
  int retry_after_s = -1;                 ///< `retry-after` on injected failures (<0: none).
  std::set<std::string> expired_channels; ///< Channels answered 410 Gone.
  std::set<std::string> invalid_channels; ///< Channels answered 404 Not Found.
};

/// The mock's answer to one request.
struct wns_answer {
  enum class kind { send, token, other };
  kind what = kind::other;
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  int retry_after_s = -1;  ///< <0: no `retry-after` header.
  std::string channel;     ///< Channel of a send: the `token` query value, else the path.
  std::string msg_id;      ///< `x-wns-msg-id` of an accepted send.
  std::string wns_status;  ///< `x-wns-status` (`received`, `dropped`), empty: none.
  std::string description; ///< `x-wns-error-description`, empty: none.
};

/// Judges requests as WNS does (Microsoft, "Push notification service request and response
/// headers"): `POST <token_path>` with a client-credentials form (`grant_type`, `client_id`,
/// `client_secret`, `scope=notify.windows.com`) issues bearer tokens (400 `invalid_client` /
/// `invalid_request` otherwise); any other `POST` is a notification to the channel named by
/// its path: checks the bearer token (401), `x-wns-type` and the matching `content-type`,
/// `x-wns-ttl`, `x-wns-priority` (400), the 5000-byte limit (413), then answers 410 / 404 for
/// listed channels, injects the configured faults and accepts the rest (`x-wns-msg-id`,
/// `x-wns-status: received`). Threading: not thread-safe; use from one thread.
class wns_judge {
public:
  explicit wns_judge(wns_mock_config config) : config_(std::move(config)) {}

  /// The answer WNS would give to `request` at time `now`.
  [[nodiscard]] wns_answer judge(const transports::h2_server_request& request,
                                 std::chrono::system_clock::time_point now);

  /// Forgets every issued access token: later sends with them get 401 (admin
  /// `DELETE /tokens`, to exercise a client's refresh-on-401).
  void revoke_tokens() { issued_.clear(); }

  /// Response headers of an answer (`content-type`, `retry-after`, `x-wns-*`).
  [[nodiscard]] static transports::h2_headers headers(const wns_answer& answer);

private:
  [[nodiscard]] wns_answer issue_token(const transports::h2_server_request& request,
                                       std::chrono::system_clock::time_point now);
  [[nodiscard]] wns_answer send(const transports::h2_server_request& request,
                                std::chrono::system_clock::time_point now);

  wns_mock_config config_;
  std::map<std::string, std::chrono::system_clock::time_point> issued_; ///< token → expiry.
  std::uint64_t counter_ = 0;
  std::uint64_t valid_sends_ = 0;
};

} // namespace herald::bench
