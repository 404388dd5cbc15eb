#include "actors/http_api.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/envelope.hpp"
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

/// 503 with `Retry-After: 1`: Event Grid retries it (it never retries 400/413).
http_response unavailable(const std::string& detail) {
  auto res = http_response::problem(503, "Service Unavailable", detail);
  res.headers.emplace_back("retry-after", "1");
  return res;
}

http_response method_not_allowed(std::string allow) {
  auto res = http_response::problem(405, "Method Not Allowed", "this path accepts " + allow);
  res.headers.emplace_back("allow", std::move(allow));
  return res;
}

} // namespace

http_api::http_api(caf::actor ingestion, std::shared_ptr<const shard_map> shards,
                   std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
                   http_api_options options)
    : ingestion_(std::move(ingestion)), shards_(std::move(shards)), apps_(std::move(apps)),
      metrics_(std::move(metrics)), options_(std::move(options)) {}

void http_api::operator()(http_request&& req, http_responder respond) const {
  if (req.path == options_.webhook_path) {
    if (req.method == "POST") {
      webhook(std::move(req), std::move(respond));
    } else if (req.method == "OPTIONS") {
      webhook_options(req, std::move(respond));
    } else {
      respond(method_not_allowed("POST, OPTIONS"));
    }
    return;
  }
  if (req.path == "/healthz") {
    respond(req.method == "GET" ? http_response::json(200, R"({"status":"ok"})")
                                : method_not_allowed("GET"));
    return;
  }
  std::string_view app;
  std::string_view device;
  if (match_device_path(req.path, app, device)) {
    if (req.method == "PUT") {
      register_device(app, device, req, std::move(respond));
    } else {
      respond(method_not_allowed("PUT"));
    }
    return;
  }
  respond(http_response::problem(404, "Not Found", "no route for " + req.path));
}

void http_api::webhook(http_request&& req, http_responder respond) const {
  auto reply = [this, &respond](http_response res) {
    metrics_->webhook_batches(res.status).Increment();
    respond(std::move(res));
  };
  const auto& control = options_.control;
  // Admission first: a spent budget refuses before any decoding work. Event Grid retries 503
  // with backoff (it never retries 400/413).
  if (control && !control->admission_open()) {
    control->refuse();
    reply(unavailable("the node's in-flight event budget is spent"));
    return;
  }
  // Credit from the senders: while their queues are above the high-water mark, new batches
  // wait at Event Grid instead of growing memory here.
  if (options_.backlog && options_.backlog->saturated()) {
    if (control) {
      control->refuse();
    }
    reply(unavailable("the node's push queues are full"));
    return;
  }
  const auto* ctype = req.header("content-type");
  auto kind = ctype != nullptr ? protocol::content_kind_from(*ctype) : std::nullopt;
  if (!kind) {
    reply(http_response::problem(415, "Unsupported Media Type",
                                 "use application/json (Event Grid schema), "
                                 "application/cloudevents+json or "
                                 "application/cloudevents-batch+json",
                                 "content-type"));
    return;
  }
  auto decoded = protocol::decode_batch(req.body, *kind);
  if (!decoded) {
    const auto& err = decoded.error();
    reply(http_response::problem(400, "Malformed event batch", err.describe(), err.field));
    return;
  }
  if (decoded.value().validation_code) {
    spdlog::info("answering the Event Grid subscription validation handshake");
    reply(http_response::json(
        200, protocol::validation_response_body(*decoded.value().validation_code)));
    return;
  }
  if (control) {
    admit(std::move(decoded).value(), std::move(req.body), std::move(respond));
    return;
  }
  auto batch = std::make_shared<protocol::decoded_batch>(std::move(decoded).value());
  auto metrics = metrics_;
  ingest_reply done = [respond = std::move(respond), metrics](const ingest_outcome& out) {
    metrics->webhook_batches(200).Increment();
    respond(http_response::json(200, "{\"accepted\":" + std::to_string(out.events) +
                                         ",\"intents\":" + std::to_string(out.intents) +
                                         ",\"faults\":" + std::to_string(out.faults) + "}"));
  };
  caf::anon_send(ingestion_, ingest_atom::value, batch_ptr{std::move(batch)}, std::move(done));
}

void http_api::admit(protocol::decoded_batch batch, std::string body,
                     http_responder respond) const {
  auto metrics = metrics_;
  auto ingestion = ingestion_;
  options_.control->admit(
      std::move(batch), std::move(body),
      [metrics, ingestion, respond = std::move(respond)](admission a) mutable {
        if (a.what != admission::verdict::accepted) {
          metrics->webhook_batches(503).Increment();
          respond(unavailable(a.detail));
          return;
        }
        // Duplicates are received events too, acknowledged without routing.
        metrics->events_received().Increment(static_cast<double>(a.duplicates));
        ingest_reply done = [respond = std::move(respond), metrics,
                             duplicates = a.duplicates](const ingest_outcome& out) {
          metrics->webhook_batches(200).Increment();
          respond(http_response::json(
              200, "{\"accepted\":" + std::to_string(out.events + duplicates) + ",\"intents\":" +
                       std::to_string(out.intents) + ",\"faults\":" + std::to_string(out.faults) +
                       ",\"duplicates\":" + std::to_string(duplicates) + "}"));
        };
        caf::anon_send(ingestion, ingest_atom::value, std::move(a.batch), std::move(a.tokens),
                       std::move(done));
      });
}

void http_api::webhook_options(const http_request& req, http_responder respond) const {
  // CloudEvents HTTP Webhook spec, section 4.2: grant the requesting origin.
  http_response res;
  res.status = 200;
  if (const auto* origin = req.header("webhook-request-origin"); origin != nullptr) {
    res.headers.emplace_back("webhook-allowed-origin", *origin);
  }
  res.headers.emplace_back("webhook-allowed-rate", "*");
  res.headers.emplace_back("allow", "POST, OPTIONS");
  respond(std::move(res));
}

void http_api::register_device(std::string_view app_name, std::string_view device_id,
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
