#include "bench/mock_wns/wns_judge.hpp"

#include <charconv>
#include <string_view>

#include "bench/support/admin_server.hpp"
#include "bench/support/form.hpp"
#include "protocol/json_writer.hpp"

namespace herald::bench {

namespace {

constexpr std::size_t max_payload = 5000; // Microsoft: notification body limit (5 KB).

/// RFC 6749 §5.2 error body.
wns_answer oauth_error(const char* error, const std::string& description) {
  protocol::json_writer w;
  w.start_object();
  w.member("error", error);
  w.member("error_description", description);
  w.end_object();
  wns_answer out;
  out.what = wns_answer::kind::token;
  out.status = 400;
  out.body = w.str();
  out.content_type = "application/json";
  return out;
}

wns_answer send_error(int status, std::string channel, std::string description) {
  wns_answer out;
  out.what = wns_answer::kind::send;
  out.status = status;
  out.channel = std::move(channel);
  out.description = std::move(description);
  return out;
}

bool is_integer(const std::string& s, long min, long max) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && v >= min && v <= max;
}

} // namespace

wns_answer wns_judge::judge(const transports::h2_server_request& request,
                            std::chrono::system_clock::time_point now) {
  if (request.method != "POST") {
    wns_answer out = send_error(405, request.path, "only POST is supported");
    out.what = wns_answer::kind::other;
    return out;
  }
  if (request.path == config_.token_path) {
    return issue_token(request, now);
  }
  return send(request, now);
}

wns_answer wns_judge::issue_token(const transports::h2_server_request& request,
                                  std::chrono::system_clock::time_point now) {
  if (request.header("content-type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    return oauth_error("invalid_request", "content-type must be application/x-www-form-urlencoded");
  }
  if (form_field(request.body, "grant_type") != "client_credentials") {
    return oauth_error("unsupported_grant_type", "grant_type must be client_credentials");
  }
  if (form_field(request.body, "scope") != "notify.windows.com") {
    return oauth_error("invalid_scope", "scope must be notify.windows.com");
  }
  if (form_field(request.body, "client_id") != config_.client_id ||
      form_field(request.body, "client_secret") != config_.client_secret) {
    return oauth_error("invalid_client", "unknown client_id or wrong client_secret");
  }
  auto token = "mock-wns-token-" + std::to_string(++counter_);
  issued_[token] = now + config_.token_ttl;
  protocol::json_writer w;
  w.start_object();
  w.member("token_type", "bearer");
  w.member("access_token", token);
  w.member("expires_in", std::int64_t{config_.token_ttl.count()});
  w.end_object();
  wns_answer out;
  out.what = wns_answer::kind::token;
  out.body = w.str();
  out.content_type = "application/json";
  return out;
}

wns_answer wns_judge::send(const transports::h2_server_request& request,
                           std::chrono::system_clock::time_point now) {
  auto channel = query_param(request.path, "token");
  if (channel.empty()) {
    channel = request.path;
  }
  const auto& auth = request.header("authorization");
  constexpr std::string_view bearer = "Bearer ";
  auto it = auth.starts_with(bearer) ? issued_.find(auth.substr(bearer.size())) : issued_.end();
  if (it == issued_.end() || it->second <= now) {
    return send_error(401, channel, "Token expired or invalid");
  }
  const auto& type = request.header("x-wns-type");
  const auto& content_type = request.header("content-type");
  if (type != "wns/toast" && type != "wns/tile" && type != "wns/badge" && type != "wns/raw") {
    return send_error(400, channel, "x-wns-type is missing or unknown");
  }
  if (content_type != (type == "wns/raw" ? "application/octet-stream" : "text/xml")) {
    return send_error(400, channel, "content-type does not match x-wns-type");
  }
  if (type != "wns/raw" && request.body.rfind("<" + type.substr(4), 0) != 0) {
    return send_error(400, channel, "payload is not a " + type.substr(4) + " document");
  }
  if (const auto& ttl = request.header("x-wns-ttl"); !ttl.empty() && !is_integer(ttl, 0, 2592000)) {
    return send_error(400, channel, "x-wns-ttl is not a number of seconds");
  }
  if (const auto& p = request.header("x-wns-priority"); !p.empty() && !is_integer(p, 1, 4)) {
    return send_error(400, channel, "x-wns-priority must be 1..4");
  }
  if (request.body.size() > max_payload) {
    return send_error(413, channel, "notification payload exceeds 5000 bytes");
  }
  if (config_.expired_channels.contains(channel)) {
    auto out = send_error(410, channel, "The channel expired");
    out.wns_status = "dropped";
    return out;
  }
  if (config_.invalid_channels.contains(channel)) {
    auto out = send_error(404, channel, "The channel URI is not valid");
    out.wns_status = "dropped";
    return out;
  }
  // Injected faults are evenly spread over valid sends (the k-th one fails when
  // floor(k * rate) steps up), so a test's failure pattern is reproducible.
  ++valid_sends_;
  auto steps = [this](std::uint64_t k) {
    return static_cast<std::uint64_t>(static_cast<double>(k) * config_.fail_rate);
  };
  if (steps(valid_sends_) > steps(valid_sends_ - 1)) {
    auto out =
        send_error(config_.fail_status, channel,
                   config_.fail_status == 406 ? "Throttle limit exceeded" : "Injected failure");
    out.retry_after_s = config_.retry_after_s;
    return out;
  }
  wns_answer out;
  out.what = wns_answer::kind::send;
  out.channel = std::move(channel);
  out.msg_id = "mock-" + std::to_string(++counter_);
  out.wns_status = "received";
  return out;
}

transports::h2_headers wns_judge::headers(const wns_answer& answer) {
  transports::h2_headers out{{"content-type", answer.content_type}};
  if (answer.retry_after_s >= 0) {
    out.emplace_back("retry-after", std::to_string(answer.retry_after_s));
  }
  if (!answer.msg_id.empty()) {
    out.emplace_back("x-wns-msg-id", answer.msg_id);
    out.emplace_back("x-wns-deviceconnectionstatus", "connected");
  }
  if (!answer.wns_status.empty()) {
    out.emplace_back("x-wns-status", answer.wns_status);
  }
  if (!answer.description.empty()) {
    out.emplace_back("x-wns-error-description", answer.description);
  }
  if (answer.status == 401) {
    out.emplace_back("www-authenticate", "Bearer error=\"invalid_token\"");
  }
  return out;
}

} // namespace herald::bench
