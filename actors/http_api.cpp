#include "actors/http_api.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/envelope.hpp"

namespace herald::actors {

using transports::http_request;
using transports::http_responder;
using transports::http_response;

http_api::http_api(caf::actor ingestion, std::shared_ptr<const shard_map> shards,
                   std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
                   http_api_options options)
    : ingestion_(std::move(ingestion)), shards_(std::move(shards)), apps_(std::move(apps)),
      metrics_(std::move(metrics)), options_(std::move(options)),
      registry_(shards_, apps_, metrics_, options_.registry) {}

void http_api::operator()(http_request&& req, http_responder respond) const {
  if (req.path == options_.webhook_path) {
    if (req.method == "POST") {
      webhook(std::move(req), std::move(respond));
    } else if (req.method == "OPTIONS") {
      webhook_options(req, std::move(respond));
    } else {
      respond(http_response::method_not_allowed("POST, OPTIONS"));
    }
    return;
  }
  if (req.path == "/healthz") {
    respond(req.method == "GET" ? http_response::json(200, R"({"status":"ok"})")
                                : http_response::method_not_allowed("GET"));
    return;
  }
  if (req.path.rfind("/v1/", 0) == 0) {
    registry_(std::move(req), std::move(respond));
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
    reply(http_response::unavailable("the node's in-flight event budget is spent"));
    return;
  }
  // Credit from the senders: while their queues are above the high-water mark, new batches
  // wait at Event Grid instead of growing memory here.
  if (options_.backlog && options_.backlog->saturated()) {
    if (control) {
      control->refuse();
    }
    reply(http_response::unavailable("the node's push queues are full"));
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
          respond(http_response::unavailable(a.detail));
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

} // namespace herald::actors
