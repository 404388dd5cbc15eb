#include "actors/http_api.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/envelope.hpp"
#include "protocol/event_catalog.hpp"
#include "protocol/json_access.hpp"

#include <algorithm>

namespace herald::actors {

using transports::http_request;
using transports::http_responder;
using transports::http_response;

namespace {

/// Events of a batch per (bounded) type label: catalog names, `other` for the rest, so a
/// client cannot grow the metric's label set.
using type_tally = std::vector<std::pair<std::string_view, std::size_t>>;

type_tally tally(const protocol::decoded_batch& batch) {
  type_tally out;
  for (const auto& ev : batch.events) {
    auto name = protocol::lookup_event_type(ev.type).name;
    if (name.empty()) {
      name = "other";
    }
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& t) { return t.first == name; });
    if (it == out.end()) {
      out.emplace_back(name, 1);
    } else {
      ++it->second;
    }
  }
  return out;
}

void count_events(node_metrics& m, protocol::content_kind kind, const type_tally& t,
                  std::string_view result) {
  for (const auto& [type, n] : t) {
    if (n > 0) {
      // The schema, not the framing: a CloudEvents batch is CloudEvents.
      const auto schema = kind == protocol::content_kind::event_grid ? "event-grid" : "cloudevents";
      m.webhook_events(schema, type, result).Increment(static_cast<double>(n));
    }
  }
}

/// `full` minus `part`, per type.
type_tally minus(type_tally full, const type_tally& part) {
  for (const auto& [type, n] : part) {
    auto it =
        std::find_if(full.begin(), full.end(), [&](const auto& t) { return t.first == type; });
    if (it != full.end()) {
      it->second -= std::min(it->second, n);
    }
  }
  return full;
}

} // namespace

http_api::http_api(caf::actor ingestion, std::shared_ptr<const shard_map> shards,
                   std::shared_ptr<const app_directory> apps, std::shared_ptr<node_metrics> metrics,
                   http_api_options options)
    : ingestion_(std::move(ingestion)), shards_(std::move(shards)), apps_(std::move(apps)),
      metrics_(std::move(metrics)), options_(std::move(options)),
      registry_(shards_, apps_, metrics_, options_.registry) {}

void http_api::operator()(http_request&& req, http_responder respond) const {
  if (req.path == options_.webhook_path) {
    if (req.method != "POST" && req.method != "OPTIONS") {
      respond(http_response::method_not_allowed("POST, OPTIONS"));
      return;
    }
    if (auto refusal = authorize(req)) {
      if (req.method == "POST") {
        metrics_->webhook_batches(refusal->status).Increment();
      }
      respond(std::move(*refusal));
      return;
    }
    if (req.method == "POST") {
      webhook(std::move(req), std::move(respond));
    } else {
      webhook_options(req, std::move(respond));
    }
    return;
  }
  if (req.path == "/healthz") {
    respond(req.method == "GET" ? http_response::json(200, R"({"status":"ok"})")
                                : http_response::method_not_allowed("GET"));
    return;
  }
  if (req.path == "/readyz") {
    respond(req.method == "GET" ? readiness() : http_response::method_not_allowed("GET"));
    return;
  }
  if (req.path.rfind("/v1/", 0) == 0) {
    registry_(std::move(req), std::move(respond));
    return;
  }
  respond(http_response::problem(404, "Not Found", "no route for " + req.path));
}

std::optional<http_response> http_api::authorize(const http_request& req) const {
  if (options_.auth) {
    protocol::webhook_credentials creds;
    creds.query_secret = req.query_param(options_.auth->query_parameter());
    creds.sas_key = req.header("aeg-sas-key");
    creds.authorization = req.header("authorization");
    auto d = options_.auth->decide(creds, std::chrono::system_clock::now());
    if (d.what != protocol::webhook_auth_decision::verdict::allowed) {
      metrics_->webhook_auth_failures(d.reason).Increment();
      spdlog::debug("webhook {} refused from {}: {}", req.method, req.remote, d.reason);
      auto res = http_response::problem(d.status(),
                                        d.status() == 401 ? "Unauthorized" : "Forbidden", d.detail);
      if (d.status() == 401) {
        // RFC 9110 section 15.5.2: a 401 names the scheme that would be accepted.
        res.headers.emplace_back("www-authenticate", "Bearer");
      }
      return res;
    }
  }
  if (req.method != "POST") {
    return std::nullopt;
  }
  const auto* subscription = req.header("aeg-subscription-name");
  // Event Grid's delivery headers: counted (a rising redelivery rate means Event Grid saw
  // failures or timeouts from this node) and logged for tracing a delivery, never credentials.
  const auto* count = req.header("aeg-delivery-count");
  const auto* type = req.header("aeg-event-type");
  const bool redelivery = count != nullptr && !count->empty() && *count != "0";
  metrics_->webhook_deliveries(type ? std::string_view(*type) : std::string_view(), redelivery)
      .Increment();
  spdlog::debug("webhook POST from {}: subscription={} delivery_count={} event_type={}", req.remote,
                subscription ? *subscription : "-", count ? *count : "-", type ? *type : "-");
  if (!options_.subscriptions.empty()) {
    const bool listed = subscription != nullptr &&
                        std::any_of(options_.subscriptions.begin(), options_.subscriptions.end(),
                                    [&](const std::string& s) {
                                      return protocol::json::iequals(s, *subscription);
                                    });
    if (!listed) {
      metrics_->webhook_auth_failures("subscription").Increment();
      return http_response::problem(403, "Forbidden",
                                    "this Event Grid subscription is not accepted here",
                                    "aeg-subscription-name");
    }
  }
  return std::nullopt;
}

http_response http_api::readiness() const {
  // Not ready exactly when a webhook batch would be refused for capacity: a load balancer
  // then sends Event Grid's retries to another node instead of this full one.
  const auto& control = options_.control;
  const char* reason = nullptr;
  if (control && control->stopping()) {
    reason = "shutting down";
  } else if (control && !control->admission_open()) {
    reason = "the in-flight event budget is spent";
  } else if (options_.backlog && options_.backlog->saturated()) {
    reason = "the senders' queues are above their high-water mark";
  }
  const auto in_flight = control ? control->in_flight() : 0;
  if (reason == nullptr) {
    return http_response::json(200, R"({"status":"ready","in_flight":)" +
                                        std::to_string(in_flight) + "}");
  }
  auto res = http_response::json(503, R"({"status":"not ready","reason":")" + std::string(reason) +
                                          R"(","in_flight":)" + std::to_string(in_flight) + "}");
  res.headers.emplace_back("retry-after", "1");
  return res;
}

void http_api::webhook(http_request&& req, http_responder respond) const {
  // Ack latency: from the handler's first look at the request to the answer handed back.
  respond = [inner = std::move(respond), metrics = metrics_,
             received = std::chrono::steady_clock::now()](http_response res) {
    metrics->webhook_ack_latency().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
    inner(std::move(res));
  };
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
  metrics_->webhook_batch_size().Observe(static_cast<double>(decoded.value().events.size()));
  if (control) {
    admit(std::move(decoded).value(), std::move(req.body), std::move(respond));
    return;
  }
  auto batch = std::make_shared<protocol::decoded_batch>(std::move(decoded).value());
  count_events(*metrics_, batch->kind, tally(*batch), "accepted");
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
  const auto kind = batch.kind;
  // Tallied before `batch` is moved into the call (argument evaluation order is unspecified).
  auto all = tally(batch);
  options_.control->admit(
      std::move(batch), std::move(body),
      [metrics, ingestion, kind, all = std::move(all),
       respond = std::move(respond)](admission a) mutable {
        if (a.what != admission::verdict::accepted) {
          count_events(*metrics, kind, all, "refused");
          metrics->webhook_batches(503).Increment();
          respond(http_response::unavailable(a.detail));
          return;
        }
        const auto fresh = tally(*a.batch);
        count_events(*metrics, kind, fresh, "accepted");
        count_events(*metrics, kind, minus(all, fresh), "duplicate");
        // Duplicates are received events too, acknowledged without routing.
        metrics->events_received().Increment(static_cast<double>(a.duplicates));
        ingest_reply done = [respond = std::move(respond), metrics, duplicates = a.duplicates,
                             commit = std::move(a.commit)](const ingest_outcome& out) {
          auto ok =
              http_response::json(200, "{\"accepted\":" + std::to_string(out.events + duplicates) +
                                           ",\"intents\":" + std::to_string(out.intents) +
                                           ",\"faults\":" + std::to_string(out.faults) +
                                           ",\"duplicates\":" + std::to_string(duplicates) + "}");
          if (!commit) {
            metrics->webhook_batches(200).Increment();
            respond(std::move(ok));
            return;
          }
          // Routed before its journal commit: acknowledged only once the commit is durable.
          commit->on_resolved([respond, metrics, ok = std::move(ok)](commit_signal::failure f) {
            metrics->webhook_batches(f ? 503 : 200).Increment();
            respond(f ? http_response::unavailable(*f) : ok);
          });
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
