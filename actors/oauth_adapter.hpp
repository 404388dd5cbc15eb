#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "actors/node_metrics.hpp"
#include "actors/oauth_token_fetcher.hpp"
#include "actors/provider_adapter.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::actors {

/// Turns an access token into the `authorization` header value (`Bearer <token>`).
using authorization_format = std::string (*)(std::string_view access_token);

/// The part of a provider adapter shared by providers authenticated with an OAuth2 access
/// token (FCM, WNS): the credential comes from an `oauth_token_fetcher` (requests wait while
/// there is none), and a refused credential drops its token once. Subclasses read answers.
///
/// Threading: like every adapter, called on the sender's thread only.
class oauth_adapter : public provider_adapter {
public:
  /// `provider` labels metrics; the fetcher sends `make_request` over `token_connection`.
  oauth_adapter(std::string_view provider, std::string app,
                transports::h2_client_options token_connection, oauth_request_maker make_request,
                authorization_format format, std::shared_ptr<node_metrics> metrics);

  [[nodiscard]] std::string_view provider() const noexcept override { return provider_; }
  void start(sender_host& host) override { tokens_.start(host); }
  void stop() override { tokens_.stop(); }
  [[nodiscard]] credential authorize() override;
  void refused(const std::string& header) override;

private:
  std::string_view provider_;
  authorization_format format_;
  oauth_token_fetcher tokens_;
};

} // namespace herald::actors
