#include "actors/direct_send_api.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/direct_push.hpp"
#include "protocol/redact.hpp"
#include "protocol/wns_request.hpp"

namespace herald::actors {

using protocol::delivery_state;
using protocol::platform;
using protocol::registration;
using transports::http_request;
using transports::http_responder;
using transports::http_response;

namespace {

/// The shortest time a direct notification stays worth retrying (a ttl of 0 still gets one
/// delivery attempt plus retries of transient failures within this).
constexpr std::chrono::seconds min_deadline{10};

/// The sender of `reg`'s provider for `app`, or null when `send` cannot reach it.
const caf::actor* sender_for(const app_entry& app, const protocol::direct_send& send,
                             const registration& reg) {
  const bool templated = !send.template_name.empty();
  if (reg.channel == platform::apns && app.apns && app.apns_sender &&
      (templated || !send.apns_payload.empty())) {
    return &app.apns_sender;
  }
  if (reg.channel == platform::fcm && app.fcm && app.fcm_sender &&
      (templated || !send.fcm_message.empty())) {
    return &app.fcm_sender;
  }
  if (reg.channel == platform::wns && app.wns && app.wns_sender &&
      (templated || !send.wns_body.empty())) {
    return &app.wns_sender;
  }
  return nullptr;
}

/// The metric label of `reg`'s provider.
std::string_view provider_of(const registration& reg) {
  return reg.channel == platform::fcm ? "fcm" : reg.channel == platform::wns ? "wns" : "apns";
}

/// Encodes `send` for `reg` with its provider's settings in `app` (reachable: `sender_for`).
protocol::result<protocol::provider_request> encode(const app_entry& app,
                                                    const protocol::direct_send& send,
                                                    const protocol::rendered_alert* alert,
                                                    const registration& reg,
                                                    std::chrono::system_clock::time_point now) {
  switch (reg.channel) {
  case platform::fcm:
    return protocol::encode_direct_fcm(send, alert, reg, *app.fcm);
  case platform::wns: {
    auto request =
        alert != nullptr
            ? protocol::encode_direct_wns(alert, send.ttl, reg)
            : protocol::encode_direct_wns_payload(send.wns_type, send.wns_body, send.ttl, reg);
    if (!request) {
      return request.error();
    }
    return std::move(request).value().request;
  }
  default:
    return protocol::encode_direct_apns(send, alert, reg, *app.apns, now);
  }
}

/// Encodes and hands one notification per reachable device to its sender; answers 202.
void deliver(const app_entry& app, const protocol::direct_send& send,
             std::vector<registration> found, const std::shared_ptr<notification_log>& log,
             node_metrics& metrics, const http_responder& respond) {
  std::erase_if(found, [&](const registration& r) { return sender_for(app, send, r) == nullptr; });
  if (found.empty()) {
    respond(http_response::problem(
        422, "No reachable device",
        "none of the target's devices can take this send: it needs an apns, fcm or wns "
        "registration whose provider is configured for the app and, for an explicit payload, "
        "a payload for that provider",
        "to"));
    return;
  }
  std::optional<protocol::rendered_alert> alert;
  if (!send.template_name.empty()) {
    alert = protocol::render_direct(*app.templates.find(send.template_name), send);
  }
  std::vector<tracked_device> devices;
  devices.reserve(found.size());
  for (const auto& reg : found) {
    devices.push_back({reg.device_id,
                       reg.channel,
                       protocol::redact_token(reg.token),
                       delivery_state::pending,
                       {}});
  }
  auto id = log->open(app.name, send.priority, send.ttl, std::move(devices));
  // The send completes like an event: when its last notification is gone, devices still
  // pending were dropped without a verdict.
  auto completion = std::make_shared<const event_completion>([log, id] { log->finish(id); });
  const auto now = std::chrono::system_clock::now();
  const auto deadline = std::chrono::steady_clock::now() + std::max(send.ttl, min_deadline);
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& reg = found[i];
    const std::string_view provider = provider_of(reg);
    auto request = encode(app, send, alert ? &*alert : nullptr, reg, now);
    if (!request) {
      metrics.notifications(provider, "invalid").Increment();
      log->settle(id, i, delivery_state::failed, request.error().describe());
      continue;
    }
    auto n = std::make_shared<notification>();
    n->target = reg;
    n->request = std::move(request).value();
    n->lane = send.priority;
    n->event_id = "direct-" + id;
    n->deadline = deadline;
    n->event = completion;
    n->on_outcome = [log, id, i](delivery_state state, std::string_view reason) {
      log->settle(id, i, state, reason);
    };
    caf::anon_send(*sender_for(app, send, reg), deliver_atom::value,
                   notification_ptr{std::move(n)});
  }
  auto res = http_response::json(202, "{\"id\":\"" + id +
                                          "\",\"devices\":" + std::to_string(found.size()) + "}");
  res.headers.emplace_back("location", "/v1/apps/" + app.name + "/notifications/" + id);
  respond(std::move(res));
}

} // namespace

direct_send_api::direct_send_api(std::shared_ptr<const shard_map> shards,
                                 std::shared_ptr<const app_directory> apps,
                                 std::shared_ptr<node_metrics> metrics, direct_send_options options)
    : shards_(std::move(shards)), apps_(std::move(apps)), metrics_(std::move(metrics)),
      log_(std::make_shared<notification_log>(options.max_tracked, options.retention)),
      backlog_(std::move(options.backlog)) {}

void direct_send_api::send(const app_entry& app, const http_request& req,
                           http_responder respond) const {
  if (backlog_ && backlog_->saturated()) {
    respond(http_response::unavailable("the node's push queues are full"));
    return;
  }
  auto parsed = protocol::parse_direct_send_json(req.body);
  if (!parsed) {
    const auto& err = parsed.error();
    respond(http_response::problem(400, "Invalid notification", err.describe(), err.field));
    return;
  }
  auto send = std::move(parsed).value();
  if (!send.template_name.empty() && app.templates.find(send.template_name) == nullptr) {
    respond(http_response::problem(404, "Unknown template",
                                   "app " + app.name + " has no template named " +
                                       send.template_name + " ([[apps.templates]])",
                                   "template"));
    return;
  }
  if (send.target == protocol::send_target::token) {
    registration reg;
    reg.app = app.name;
    reg.channel = send.channel;
    reg.token = send.token;
    reg.env = send.env;
    deliver(app, send, {std::move(reg)}, log_, *metrics_, respond);
    return;
  }
  const bool by_device = send.target == protocol::send_target::device;
  registry_query_reply found = [apps = apps_, name = app.name, send, log = log_, metrics = metrics_,
                                respond = std::move(respond),
                                by_device](registry_query_outcome out) {
    const auto* entry = apps->find(name);
    if (!out.ok) {
      respond(http_response::unavailable("registry unavailable: " + out.error));
    } else if (out.found.empty()) {
      respond(by_device
                  ? http_response::problem(404, "Unknown device",
                                           "no unexpired registration for device " + send.device_id,
                                           "to.deviceId")
                  : http_response::problem(404, "No devices",
                                           "the identity has no unexpired registration in "
                                           "app " +
                                               entry->name,
                                           "to.identity"));
    } else {
      deliver(*entry, send, std::move(out.found), log, *metrics, respond);
    }
  };
  if (by_device) {
    caf::anon_send(shards_->of(app.name + '/' + send.device_id), find_atom::value,
                   device_atom::value, app.name, send.device_id, std::move(found));
  } else {
    caf::anon_send(shards_->of(send.identity), find_atom::value, identity_atom::value, app.name,
                   send.identity, std::move(found));
  }
}

void direct_send_api::status(const app_entry& app, const std::string& id,
                             http_responder respond) const {
  auto described = log_->describe(app.name, id);
  if (!described) {
    respond(http_response::problem(404, "Unknown notification",
                                   "no direct send " + id + " of app " + app.name +
                                       " within the retention window ([notifications] retention)",
                                   "id"));
    return;
  }
  respond(http_response::json(200, std::move(*described)));
}

} // namespace herald::actors
