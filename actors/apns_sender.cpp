#include "actors/apns_sender.hpp"

#include <spdlog/spdlog.h>

#include "actors/provider_adapter.hpp"
#include "actors/sender.hpp"
#include "protocol/apns_request.hpp"
#include "protocol/apns_token_cache.hpp"

namespace herald::actors {

namespace {

/// APNs token authentication and answers. A refused token is replaced as soon as the token
/// cache allows (20 minutes after it was issued: Apple throttles updates); until then
/// requests wait in their lane, expiring at their deadline.
class apns_adapter final : public provider_adapter {
public:
  apns_adapter(protocol::apns_token_cache tokens, std::shared_ptr<node_metrics> metrics,
               std::function<std::chrono::system_clock::time_point()> clock)
      : tokens_(std::move(tokens)), metrics_(std::move(metrics)), clock_(std::move(clock)) {}

  std::string_view provider() const noexcept override { return "apns"; }
  void start(sender_host& host) override { host_ = &host; }
  void stop() override {}

  credential authorize() override {
    auto now = clock_ ? clock_() : std::chrono::system_clock::now();
    if (refused_) {
      auto at = tokens_.next_issue_at();
      if (at && now < *at) {
        wake_at(*at - now);
        return {credential::state::pending, {}, {}};
      }
    }
    auto token = tokens_.token(now);
    if (!token) {
      metrics_->credential_refreshes(provider(), "failed").Increment();
      return {
          credential::state::failed, {}, "cannot sign provider token: " + token.error().describe()};
    }
    auto header = protocol::apns_authorization(token.value());
    if (header != current_) {
      if (!current_.empty()) {
        metrics_->credential_refreshes(provider(), "ok").Increment();
      }
      current_ = header;
      refused_ = false;
    }
    return {credential::state::ready, std::move(header), {}};
  }

  protocol::verdict classify(const protocol::provider_response& r) const override {
    return protocol::classify_apns(r);
  }

  void refused(const std::string& header) override {
    if (header != current_ || refused_) {
      return; // Another in-flight refusal of the same token already dropped it.
    }
    metrics_->credential_refreshes(provider(), "refused").Increment();
    tokens_.invalidate();
    refused_ = true;
  }

private:
  void wake_at(std::chrono::system_clock::duration after) {
    if (waking_ || host_ == nullptr) {
      return;
    }
    waking_ = true;
    host_->post_after(std::chrono::ceil<std::chrono::milliseconds>(after),
                      [this] { waking_ = false; });
  }

  protocol::apns_token_cache tokens_;
  std::shared_ptr<node_metrics> metrics_;
  std::function<std::chrono::system_clock::time_point()> clock_;
  sender_host* host_ = nullptr;
  std::string current_; ///< The `authorization` value of the current token.
  bool refused_ = false;
  bool waking_ = false;
};

} // namespace

caf::actor spawn_apns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                             apns_sender_options options, std::shared_ptr<node_metrics> metrics) {
  if (auto signer = protocol::es256_signer::from_pem(options.key_pem); !signer) {
    spdlog::critical("apns sender {}: bad APNs key: {}", options.sender.app,
                     signer.error().describe());
    return {};
  }
  auto make = [pem = std::move(options.key_pem), team = std::move(options.team_id),
               key = std::move(options.key_id), token_clock = std::move(options.clock),
               metrics]() -> std::unique_ptr<provider_adapter> {
    // The key parsed above: failing now would be a broken invariant (value() terminates).
    auto signer = protocol::es256_signer::from_pem(pem);
    return std::make_unique<apns_adapter>(
        protocol::apns_token_cache(std::move(signer).value(), team, key), metrics, token_clock);
  };
  return spawn_sender(sys, io, std::move(options.sender), std::move(make), std::move(metrics));
}

} // namespace herald::actors
