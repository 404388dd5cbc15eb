#include "actors/oauth_adapter.hpp"

namespace herald::actors {

oauth_adapter::oauth_adapter(std::string_view provider, std::string app,
                             transports::h2_client_options token_connection,
                             oauth_request_maker make_request, authorization_format format,
                             std::shared_ptr<node_metrics> metrics)
    : provider_(provider), format_(format),
      tokens_(provider, std::move(app), std::move(token_connection), std::move(make_request),
              std::move(metrics)) {}

credential oauth_adapter::authorize() {
  auto token = tokens_.token();
  if (token.empty()) {
    return {credential::state::pending, {}, {}}; // its arrival (posted) pumps again
  }
  return {credential::state::ready, format_(token), {}};
}

void oauth_adapter::refused(const std::string& header) {
  // Only the token still current is dropped: other in-flight refusals carry the same one.
  auto token = tokens_.token();
  if (!token.empty() && header == format_(token)) {
    tokens_.refused(token);
  }
}

} // namespace herald::actors
