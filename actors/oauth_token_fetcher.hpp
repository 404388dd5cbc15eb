#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "actors/node_metrics.hpp"
#include "actors/oauth_token_state.hpp"
#include "actors/provider_adapter.hpp"
#include "protocol/oauth.hpp"
#include "protocol/result.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::actors {

/// Builds the token request sent now (FCM signs a fresh assertion each time; WNS posts its
/// client credentials). An error fails the fetch (retried with backoff).
using oauth_request_maker = std::function<protocol::result<protocol::oauth_request>()>;

/// Keeps a provider adapter's OAuth2 access token (RFC 6749 §5.1): fetches it over its own
/// HTTP/2 connection to the token endpoint, caches it until shortly before expiry and refreshes
/// it after a refusal, following `oauth_token_state`'s rules. Shared by the FCM and WNS
/// adapters.
///
/// Metrics: `herald_credential_refreshes_total{provider,result}` with result `ok`, `failed`
/// (fetch failed; retried with backoff 1 s doubling to 60 s) and `refused` (the provider
/// answered 401 to the current token).
///
/// Lifecycle: `start` once (from the adapter's `start`), `stop` once. Threading: every call on
/// the sender's thread; connection callbacks come back through `sender_host::post`, and a
/// `generation` tells them from those of a replaced token connection.
class oauth_token_fetcher {
public:
  /// `provider` (`fcm`, `wns`) labels metrics and logs; `app` names the app in logs.
  oauth_token_fetcher(std::string_view provider, std::string app,
                      transports::h2_client_options token_connection,
                      oauth_request_maker make_request, std::shared_ptr<node_metrics> metrics);

  /// Starts the first fetch; `host` outlives this object.
  void start(sender_host& host);
  /// Closes the token connection.
  void stop();
  /// The token to send now, or empty (a fetch is started when due; its arrival pumps the
  /// sender again).
  [[nodiscard]] std::string_view token();
  /// The provider refused `access_token`: drop it (once) and fetch another.
  void refused(std::string_view access_token);

private:
  void ensure_token();
  void on_closed(std::uint64_t gen, const std::string& detail);
  void submit();
  void on_answer(const transports::h2_result& result);
  void failed(const std::string& why);
  void tick_at(oauth_token_state::clock::time_point at);

  std::string_view provider_;
  std::string app_;
  transports::h2_client_options options_;
  oauth_request_maker make_request_;
  std::shared_ptr<node_metrics> metrics_;
  // I/O callbacks capture `post_` and `this`, but touch `this` only inside the posted work,
  // which runs on the sender's thread while the owning adapter is alive.
  sender_host* host_ = nullptr;
  sender_host::poster post_;
  oauth_token_state tokens_;
  std::shared_ptr<transports::h2_client_connection> conn_;
  std::uint64_t generation_ = 0;
  bool submitted_ = false; ///< The current fetch got as far as a request.
};

} // namespace herald::actors
