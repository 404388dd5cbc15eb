#include "actors/fcm_sender.hpp"

#include <spdlog/spdlog.h>

#include "actors/oauth_adapter.hpp"
#include "actors/sender.hpp"
#include "protocol/fcm_message.hpp"

namespace herald::actors {

namespace {

/// FCM: an OAuth2 access token obtained with a freshly signed assertion each time; answers
/// read by `classify_fcm`.
class fcm_adapter final : public oauth_adapter {
public:
  fcm_adapter(std::string app, transports::h2_client_options token_connection,
              protocol::google_service_account account, protocol::rs256_signer signer,
              std::shared_ptr<node_metrics> metrics)
      : oauth_adapter(
            "fcm", std::move(app), std::move(token_connection),
            [account = std::move(account), signer = std::move(signer)] {
              return protocol::make_google_token_request(account, signer,
                                                         std::chrono::system_clock::now());
            },
            &protocol::fcm_authorization, std::move(metrics)) {}

  protocol::verdict classify(const protocol::provider_response& r) const override {
    return protocol::classify_fcm(r);
  }
};

} // namespace

caf::actor spawn_fcm_sender(caf::actor_system& sys, boost::asio::io_context& io,
                            fcm_sender_options options, std::shared_ptr<node_metrics> metrics) {
  if (auto signer = protocol::rs256_signer::from_pem(options.account.private_key); !signer) {
    spdlog::critical("fcm sender {}: bad service account key: {}", options.sender.app,
                     signer.error().describe());
    return {};
  }
  auto make = [app = options.sender.app, token_connection = std::move(options.token_connection),
               account = std::move(options.account),
               metrics]() -> std::unique_ptr<provider_adapter> {
    // The key parsed above: failing now would be a broken invariant (value() terminates).
    auto signer = protocol::rs256_signer::from_pem(account.private_key);
    return std::make_unique<fcm_adapter>(app, token_connection, account, std::move(signer).value(),
                                         metrics);
  };
  return spawn_sender(sys, io, std::move(options.sender), std::move(make), std::move(metrics));
}

} // namespace herald::actors
