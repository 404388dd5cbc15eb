#include "actors/fcm_sender.hpp"

#include <spdlog/spdlog.h>

#include "actors/oauth_token_state.hpp"
#include "actors/provider_adapter.hpp"
#include "actors/sender.hpp"
#include "protocol/fcm_message.hpp"

namespace herald::actors {

namespace {

using steady = std::chrono::steady_clock;

/// FCM's OAuth2 access token, fetched over its own connection to the token endpoint, and
/// FCM's answers. Connection callbacks come back through `sender_host::post`; a `generation`
/// tells them from those of a replaced token connection.
class fcm_adapter final : public provider_adapter {
public:
  fcm_adapter(std::string app, transports::h2_client_options token_connection,
              protocol::google_service_account account, protocol::rs256_signer signer,
              std::shared_ptr<node_metrics> metrics)
      : app_(std::move(app)), token_options_(std::move(token_connection)),
        account_(std::move(account)), signer_(std::move(signer)), metrics_(std::move(metrics)) {}

  std::string_view provider() const noexcept override { return "fcm"; }

  void start(sender_host& host) override {
    host_ = &host;
    post_ = host.post();
    ensure_token();
  }

  void stop() override {
    if (conn_) {
      conn_->close();
    }
  }

  credential authorize() override {
    ensure_token();
    auto token = tokens_.usable(steady::now());
    if (token.empty()) {
      return {credential::state::pending, {}, {}}; // its arrival (posted) pumps again
    }
    return {credential::state::ready, protocol::fcm_authorization(token), {}};
  }

  protocol::verdict classify(const protocol::provider_response& r) const override {
    return protocol::classify_fcm(r);
  }

  void refused(const std::string& header) override {
    auto token = tokens_.usable(steady::now());
    if (!token.empty() && header == protocol::fcm_authorization(token) && tokens_.refused(token)) {
      metrics_->credential_refreshes(provider(), "refused").Increment();
      ensure_token();
    }
  }

private:
  /// Starts a token fetch when one is due: on the open token connection, or after opening it.
  void ensure_token() {
    if (!tokens_.should_fetch(steady::now())) {
      return;
    }
    tokens_.fetch_started();
    if (conn_ && conn_->is_ready()) {
      submit();
      return;
    }
    auto gen = ++generation_;
    transports::h2_client_connection::events ev;
    ev.on_ready = [post = post_, this, gen] {
      post([this, gen] {
        if (gen == generation_ && tokens_.fetching() && !submitted_) {
          submit();
        }
      });
    };
    ev.on_closed = [post = post_, this, gen](const transports::h2_failure& why) {
      post([this, gen, detail = why.detail] { on_closed(gen, detail); });
    };
    if (conn_) {
      conn_->close();
    }
    conn_ = transports::h2_client_connection::create(host_->io(), token_options_, std::move(ev));
    conn_->start();
  }

  void on_closed(std::uint64_t gen, const std::string& detail) {
    if (gen != generation_) {
      return;
    }
    conn_.reset();
    // A submitted request reports its own failure; a fetch that never got a request
    // (connect or TLS failed) fails here.
    if (tokens_.fetching() && !submitted_) {
      failed("token endpoint connection: " + detail);
    }
  }

  /// Sends the token request on the (ready) token connection.
  void submit() {
    auto request =
        protocol::make_google_token_request(account_, signer_, std::chrono::system_clock::now());
    if (!request) {
      failed("cannot sign the assertion: " + request.error().describe());
      return;
    }
    submitted_ = true;
    conn_->submit(std::move(request).value().request,
                  [post = post_, this](transports::h2_result r) {
                    post([this, r = std::move(r)] { on_answer(r); });
                  });
  }

  void on_answer(const transports::h2_result& result) {
    submitted_ = false;
    if (!result) {
      failed(std::string(transports::to_string(result.error().code)) + ": " +
             result.error().detail);
      return;
    }
    // 400 invalid_grant / 401: the service account is wrong or revoked; 429/5xx: transient.
    // Either way retry with backoff: requests keep waiting until their deadline.
    auto token = protocol::parse_oauth_token_response(result.value());
    if (result.value().status != 200 || !token) {
      failed("HTTP " + std::to_string(result.value().status) +
             (token ? std::string{} : ": " + token.error().describe()));
      return;
    }
    tokens_.fetch_succeeded(std::move(token.value().access_token), token.value().expires_in,
                            steady::now());
    metrics_->credential_refreshes(provider(), "ok").Increment();
    spdlog::info("fcm sender {}: access token obtained, valid {} s", app_,
                 token.value().expires_in.count());
    tick_at(tokens_.refresh_at());
  }

  void failed(const std::string& why) {
    submitted_ = false;
    tokens_.fetch_failed(steady::now());
    metrics_->credential_refreshes(provider(), "failed").Increment();
    spdlog::warn("fcm sender {}: access token fetch failed ({} in a row): {}", app_,
                 tokens_.failures(), why);
    tick_at(tokens_.retry_at());
  }

  /// Wakes the sender when the token state may want a fetch (refresh due or backoff over).
  void tick_at(steady::time_point at) {
    auto delay = std::max(at - steady::now(), steady::duration{std::chrono::milliseconds(10)});
    host_->post_after(std::chrono::ceil<std::chrono::milliseconds>(delay), [this] {
      // A timer may fire a little early: wait again rather than lose the refresh.
      auto now = steady::now();
      ensure_token();
      if (tokens_.fetching()) {
        return;
      }
      if (now < tokens_.retry_at()) {
        tick_at(tokens_.retry_at());
      } else if (!tokens_.usable(now).empty() && now < tokens_.refresh_at()) {
        tick_at(tokens_.refresh_at());
      }
    });
  }

  std::string app_;
  transports::h2_client_options token_options_;
  protocol::google_service_account account_;
  protocol::rs256_signer signer_;
  std::shared_ptr<node_metrics> metrics_;
  // I/O callbacks capture `post_` and `this`, but touch `this` only inside the posted work,
  // which runs on the sender's thread while the adapter is alive.
  sender_host* host_ = nullptr;
  sender_host::poster post_;
  oauth_token_state tokens_;
  std::shared_ptr<transports::h2_client_connection> conn_;
  std::uint64_t generation_ = 0;
  bool submitted_ = false; ///< The current fetch got as far as a request.
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
