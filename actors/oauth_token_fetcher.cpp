#include "actors/oauth_token_fetcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace herald::actors {

namespace {
using steady = std::chrono::steady_clock;
} // namespace

oauth_token_fetcher::oauth_token_fetcher(std::string_view provider, std::string app,
                                         transports::h2_client_options token_connection,
                                         oauth_request_maker make_request,
                                         std::shared_ptr<node_metrics> metrics)
    : provider_(provider), app_(std::move(app)), options_(std::move(token_connection)),
      make_request_(std::move(make_request)), metrics_(std::move(metrics)) {}

void oauth_token_fetcher::start(sender_host& host) {
  host_ = &host;
  post_ = host.post();
  ensure_token();
}

void oauth_token_fetcher::stop() {
  if (conn_) {
    conn_->close();
  }
}

std::string_view oauth_token_fetcher::token() {
  ensure_token();
  return tokens_.usable(steady::now());
}

void oauth_token_fetcher::refused(std::string_view access_token) {
  if (!access_token.empty() && tokens_.refused(access_token)) {
    metrics_->credential_refreshes(provider_, "refused").Increment();
    ensure_token();
  }
}

/// Starts a token fetch when one is due: on the open token connection, or after opening it.
void oauth_token_fetcher::ensure_token() {
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
  conn_ = transports::h2_client_connection::create(host_->io(), options_, std::move(ev));
  conn_->start();
}

void oauth_token_fetcher::on_closed(std::uint64_t gen, const std::string& detail) {
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
void oauth_token_fetcher::submit() {
  auto request = make_request_();
  if (!request) {
    failed("cannot build the token request: " + request.error().describe());
    return;
  }
  submitted_ = true;
  conn_->submit(std::move(request).value().request, [post = post_, this](transports::h2_result r) {
    post([this, r = std::move(r)] { on_answer(r); });
  });
}

void oauth_token_fetcher::on_answer(const transports::h2_result& result) {
  submitted_ = false;
  if (!result) {
    failed(std::string(transports::to_string(result.error().code)) + ": " + result.error().detail);
    return;
  }
  // 400 invalid_grant / invalid_client / 401: the credentials are wrong or revoked; 429/5xx:
  // transient. Either way retry with backoff: requests keep waiting until their deadline.
  auto token = protocol::parse_oauth_token_response(result.value());
  if (result.value().status != 200 || !token) {
    failed("HTTP " + std::to_string(result.value().status) +
           (token ? std::string{} : ": " + token.error().describe()));
    return;
  }
  tokens_.fetch_succeeded(std::move(token.value().access_token), token.value().expires_in,
                          steady::now());
  metrics_->credential_refreshes(provider_, "ok").Increment();
  spdlog::info("{} sender {}: access token obtained, valid {} s", provider_, app_,
               token.value().expires_in.count());
  tick_at(tokens_.refresh_at());
}

void oauth_token_fetcher::failed(const std::string& why) {
  submitted_ = false;
  tokens_.fetch_failed(steady::now());
  metrics_->credential_refreshes(provider_, "failed").Increment();
  spdlog::warn("{} sender {}: access token fetch failed ({} in a row): {}", provider_, app_,
               tokens_.failures(), why);
  tick_at(tokens_.retry_at());
}

/// Wakes the sender when the token state may want a fetch (refresh due or backoff over).
void oauth_token_fetcher::tick_at(steady::time_point at) {
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

} // namespace herald::actors
