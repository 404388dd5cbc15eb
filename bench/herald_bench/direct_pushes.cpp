#include "bench/herald_bench/direct_pushes.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "protocol/jwt.hpp"

namespace herald::bench {

std::optional<std::string> bench_provider_token(const spawned_stack& stack, std::string& error) {
  std::ifstream key_file(stack.pki().apns_key);
  std::ostringstream pem;
  pem << key_file.rdbuf();
  auto signer = protocol::es256_signer::from_pem(pem.str());
  if (!signer) {
    error = "cannot load the APNs key: " + signer.error().message;
    return std::nullopt;
  }
  auto jwt = protocol::make_apns_provider_token(signer.value(), bench_team_id, bench_key_id,
                                                std::chrono::system_clock::now());
  if (!jwt) {
    error = "cannot sign a provider token: " + jwt.error().message;
    return std::nullopt;
  }
  return jwt.value();
}

direct_pushes::direct_pushes(load_run& run, const event_factory& events, const population& people,
                             std::string provider_token)
    : run_(run), events_(events), people_(people), token_(std::move(provider_token)) {}

http_next direct_pushes::next() {
  if (pushes_.empty()) {
    auto from_run = run_.next();
    auto* job = std::get_if<http_job>(&from_run);
    if (job == nullptr) {
      return from_run;
    }
    // An event job's target is its event id (single events); its seq gives the recipient.
    const auto seq = events_.seq_of(job->target).value_or(0);
    const auto recipient = run_.recipients().at(seq);
    const auto& devices = people_.identities().at(recipient).devices;
    const auto body = events_.voip_body(seq, recipient);
    const auto expiration = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() +
                            30;
    for (const auto& device : devices) {
      http_job push{"POST", "/3/device/" + device.token, body, next_push_++};
      push.headers = {{"authorization", "bearer " + token_},
                      {"apns-push-type", "voip"},
                      {"apns-topic", std::string(bench_bundle_id) + ".voip"},
                      {"apns-priority", "10"},
                      {"apns-expiration", std::to_string(expiration)},
                      {"apns-collapse-id", job->target}};
      owner_.emplace(push.tag, job->tag);
      pushes_.push_back(std::move(push));
    }
    open_event e;
    e.left = static_cast<std::uint32_t>(devices.size());
    e.outcome.status = 200;
    e.job = std::move(*job);
    const auto tag = e.job.tag;
    if (e.left == 0) {
      run_.done(e.job, e.outcome);
      return next();
    }
    open_.emplace(tag, std::move(e));
  }
  auto push = std::move(pushes_.front());
  pushes_.pop_front();
  return push;
}

void direct_pushes::done(const http_job& push, const http_outcome& outcome) {
  auto owner = owner_.find(push.tag);
  if (owner == owner_.end()) {
    return;
  }
  auto it = open_.find(owner->second);
  owner_.erase(owner);
  if (it == open_.end()) {
    return;
  }
  auto& e = it->second;
  if (e.outcome.sent == std::chrono::system_clock::time_point{} || outcome.sent < e.outcome.sent) {
    e.outcome.sent = outcome.sent;
  }
  e.outcome.ack = std::max(e.outcome.ack, outcome.ack);
  if (outcome.status != 200) {
    e.outcome.status = outcome.status; // the bench does not resend: a failed push is lost
  }
  if (--e.left == 0) {
    auto finished = std::move(e);
    open_.erase(it);
    run_.done(finished.job, finished.outcome);
  }
}

} // namespace herald::bench
