#include "actors/registry_api.hpp"

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/registration_json.hpp"

namespace herald::actors {

using transports::http_request;
using transports::http_responder;
using transports::http_response;

namespace {

/// Splits `/v1/apps/{app}/devices/{id}` into its two variable segments (still encoded).
bool match_device_path(std::string_view path, std::string_view& app, std::string_view& device) {
  constexpr std::string_view prefix = "/v1/apps/";
  if (path.substr(0, prefix.size()) != prefix) {
    return false;
  }
  auto rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return false;
  }
  app = rest.substr(0, slash);
  rest = rest.substr(slash);
  constexpr std::string_view devices = "/devices/";
  if (rest.substr(0, devices.size()) != devices) {
    return false;
  }
  device = rest.substr(devices.size());
  return !app.empty() && !device.empty() && device.find('/') == std::string_view::npos;
}

} // namespace

registry_api::registry_api(std::shared_ptr<const shard_map> shards,
                           std::shared_ptr<const app_directory> apps,
                           std::shared_ptr<node_metrics> metrics, registry_api_options options)
    : shards_(std::move(shards)), apps_(std::move(apps)), metrics_(std::move(metrics)),
      options_(options) {}

void registry_api::operator()(http_request&& req, http_responder respond) const {
  std::string_view app;
  std::string_view device;
  if (match_device_path(req.path, app, device)) {
    if (req.method == "PUT") {
      register_device(app, device, req, std::move(respond));
    } else {
      respond(http_response::method_not_allowed("PUT"));
    }
    return;
  }
  respond(http_response::problem(404, "Not Found", "no route for " + req.path));
}

void registry_api::register_device(std::string_view app_name, std::string_view device_id,
                                   const http_request& req, http_responder respond) const {
  auto app = transports::percent_decode(app_name);
  auto device = transports::percent_decode(device_id);
  const auto* entry = apps_->find(app);
  if (entry == nullptr) {
    metrics_->registry_writes("invalid").Increment();
    respond(http_response::problem(404, "Unknown app", "no app named " + app + " is configured",
                                   "app"));
    return;
  }
  if (!protocol::valid_device_id(device)) {
    metrics_->registry_writes("invalid").Increment();
    respond(http_response::problem(400, "Invalid device id",
                                   "1 to 128 characters of [A-Za-z0-9._:-]", "deviceId"));
    return;
  }
  auto ttl = entry->registration_ttl.value_or(std::chrono::seconds{0});
  auto reg = protocol::parse_registration_json(req.body, app, device,
                                               std::chrono::system_clock::now(), ttl);
  if (!reg) {
    metrics_->registry_writes("invalid").Increment();
    const auto& err = reg.error();
    respond(http_response::problem(400, "Invalid registration", err.describe(), err.field));
    return;
  }
  auto saved = reg.value();
  registry_write_reply done = [respond = std::move(respond),
                               saved](const registry_write_outcome& out) {
    if (!out.ok) {
      auto res = http_response::problem(503, "Registry unavailable", out.error);
      res.headers.emplace_back("retry-after", "1");
      respond(std::move(res));
      return;
    }
    respond(http_response::json(200, protocol::registration_to_json(saved)));
  };
  caf::anon_send(shards_->of(saved.identity), register_atom::value, std::move(reg).value(),
                 std::move(done));
}

} // namespace herald::actors
