#include "actors/registry_api.hpp"

#include <caf/all.hpp>

#include <cmath>
#include <map>
#include <mutex>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/api_key.hpp"
#include "protocol/registration_json.hpp"

namespace herald::actors {

using protocol::rest_route;
using transports::http_request;
using transports::http_responder;
using transports::http_response;

namespace {

http_response invalid_identity() {
  return http_response::problem(400, "Invalid identity",
                                "must be the rawId of an ACS or Teams user (8:acs:…, 8:orgid:…), "
                                "at most 256 bytes",
                                "identity");
}

http_response store_unavailable(const std::string& error) {
  auto res = http_response::problem(503, "Registry unavailable", error);
  res.headers.emplace_back("retry-after", "1");
  return res;
}

/// `{"<key>": <value>, "registrations": [...]}`.
std::string registrations_json(std::string_view key, std::string_view value,
                               const std::vector<protocol::registration>& regs) {
  std::string out = "{\"";
  out += key;
  out += "\":\"";
  transports::append_json_escaped(out, value);
  out += "\",\"registrations\":[";
  for (std::size_t i = 0; i < regs.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += protocol::registration_to_json(regs[i]);
  }
  out += "]}";
  return out;
}

std::string removed_json(std::size_t n) {
  return "{\"removed\":" + std::to_string(n) + "}";
}

/// Joins the replies of several shards into one answer.
struct removal_join {
  removal_join(std::size_t n, http_responder r) : pending(n), respond(std::move(r)) {}
  std::mutex mutex;
  std::size_t pending;
  std::size_t removed = 0;
  std::string error;
  http_responder respond;

  void add(const registry_query_outcome& out) {
    std::unique_lock lock(mutex);
    removed += out.removed;
    if (!out.ok) {
      error = out.error;
    }
    if (--pending > 0) {
      return;
    }
    auto done = std::move(respond);
    lock.unlock();
    done(error.empty() ? http_response::json(200, removed_json(removed))
                       : store_unavailable(error));
  }
};

} // namespace

struct registry_api::rate_limits {
  std::mutex mutex;
  std::map<const protocol::api_key*, protocol::token_bucket> buckets;
};

registry_api::registry_api(std::shared_ptr<const shard_map> shards,
                           std::shared_ptr<const app_directory> apps,
                           std::shared_ptr<node_metrics> metrics, registry_api_options options)
    : shards_(std::move(shards)), apps_(std::move(apps)), metrics_(std::move(metrics)),
      options_(options), transfer_(shards_, metrics_),
      direct_(shards_, apps_, metrics_, options.direct_send),
      limits_(std::make_shared<rate_limits>()) {
  // Keys live in the app directory, which never changes after start: their
  // addresses are stable bucket keys. A burst of one second's worth of
  // requests.
  const auto now = protocol::token_bucket::clock::now();
  for (const auto& [name, app] : apps_->all()) {
    for (const auto& key : app.api_keys) {
      if (key.rate_per_second) {
        limits_->buckets.emplace(
            &key, protocol::token_bucket(*key.rate_per_second, *key.rate_per_second, now));
      }
    }
  }
}

void registry_api::operator()(http_request&& req, http_responder respond) const {
  auto match = protocol::match_rest_route(req.method, req.path);
  // Every answer is counted and timed by route (a bounded label, never the path
  // itself).
  const std::string_view label = match.route != nullptr ? match.route->label : "unmatched";
  respond = [respond = std::move(respond), metrics = metrics_, label,
             started = std::chrono::steady_clock::now()](http_response res) {
    metrics->api_requests(label, res.status).Increment();
    metrics->api_latency(label).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    respond(std::move(res));
  };
  if (match.route == nullptr) {
    if (!match.allow.empty()) {
      respond(http_response::method_not_allowed(match.allow));
    } else {
      respond(http_response::problem(404, "Not Found", "no route for " + req.path));
    }
    return;
  }
  call c;
  c.route = match.route;
  auto app = transports::percent_decode(match.params.at(0));
  c.app = apps_->find(app);
  if (c.app == nullptr) {
    if (c.route->id == rest_route::put_device) {
      metrics_->registry_writes("invalid").Increment();
    }
    respond(http_response::problem(404, "Unknown app", "no app named " + app + " is configured",
                                   "app"));
    return;
  }
  if (auto refused = authorize(c, req)) {
    respond(std::move(*refused));
    return;
  }
  const auto limit =
      c.route->id == rest_route::import_devices ? options_.import_body_limit : options_.body_limit;
  if (req.body.size() > limit) {
    respond(http_response::problem(413, "Content Too Large",
                                   "the body exceeds " + std::to_string(limit) + " bytes"));
    return;
  }
  if (match.params.size() > 1) {
    c.param = transports::percent_decode(match.params[1]);
  }
  dispatch(c, req, std::move(respond));
}

std::optional<http_response> registry_api::authorize(const call& c, const http_request& req) const {
  const auto& keys = c.app->api_keys;
  if (keys.empty()) {
    if (options_.dev) {
      return std::nullopt;
    }
    return http_response::problem(403, "Forbidden",
                                  "app " + c.app->name +
                                      " has no API keys: add [[apps.api_keys]] to serve its "
                                      "REST routes outside dev mode");
  }
  auto presented =
      protocol::presented_api_key(req.header("x-api-key"), req.header("authorization"));
  if (!presented) {
    auto res = http_response::problem(401, "Unauthorized",
                                      "send an API key of app " + c.app->name +
                                          " in x-api-key or Authorization: ApiKey <key>");
    res.headers.emplace_back("www-authenticate", "ApiKey");
    return res;
  }
  const auto digest = protocol::sha256(*presented);
  const auto* key = protocol::find_api_key(keys, digest);
  if (key == nullptr) {
    for (const auto& [name, other] : apps_->all()) {
      if (name != c.app->name && protocol::find_api_key(other.api_keys, digest) != nullptr) {
        return http_response::problem(403, "Forbidden",
                                      "the API key belongs to another app than " + c.app->name);
      }
    }
    auto res = http_response::problem(401, "Unauthorized", "unknown API key");
    res.headers.emplace_back("www-authenticate", "ApiKey");
    return res;
  }
  if (!key->allows(c.route->scope)) {
    return http_response::problem(403, "Forbidden",
                                  "API key " + key->id + " lacks the " +
                                      std::string(protocol::to_string(c.route->scope)) + " scope");
  }
  if (key->rate_per_second) {
    std::optional<std::chrono::nanoseconds> wait;
    {
      std::lock_guard lock(limits_->mutex);
      auto it = limits_->buckets.find(key);
      if (it != limits_->buckets.end()) {
        wait = it->second.take(protocol::token_bucket::clock::now());
      }
    }
    if (wait) {
      const auto seconds =
          static_cast<long>(std::ceil(std::chrono::duration<double>(*wait).count()));
      auto res = http_response::problem(429, "Too Many Requests",
                                        "API key " + key->id + " is over its rate");
      res.headers.emplace_back("retry-after", std::to_string(std::max(1L, seconds)));
      return res;
    }
  }
  return std::nullopt;
}

void registry_api::dispatch(const call& c, const http_request& req, http_responder respond) const {
  switch (c.route->id) {
  case rest_route::put_device:
    register_device(c, req, std::move(respond));
    return;
  case rest_route::get_device:
    get_device(c, std::move(respond));
    return;
  case rest_route::delete_device:
    delete_device(c, req, std::move(respond));
    return;
  case rest_route::list_identity_devices:
    identity_devices(c, false, std::move(respond));
    return;
  case rest_route::delete_identity_devices:
    identity_devices(c, true, std::move(respond));
    return;
  case rest_route::export_devices:
    transfer_.export_page(*c.app, req, std::move(respond));
    return;
  case rest_route::import_devices:
    transfer_.import(*c.app, req, std::move(respond));
    return;
  case rest_route::send_notification:
    direct_.send(*c.app, req, std::move(respond));
    return;
  case rest_route::get_notification:
    direct_.status(*c.app, c.param, std::move(respond));
    return;
  }
  respond(http_response::problem(404, "Not Found", "no route for " + req.path));
}

void registry_api::register_device(const call& c, const http_request& req,
                                   http_responder respond) const {
  if (!protocol::valid_device_id(c.param)) {
    metrics_->registry_writes("invalid").Increment();
    respond(http_response::problem(400, "Invalid device id",
                                   "1 to 128 characters of [A-Za-z0-9._:-]", "deviceId"));
    return;
  }
  auto ttl = c.app->registration_ttl.value_or(std::chrono::seconds{0});
  auto reg = protocol::parse_registration_json(req.body, c.app->name, c.param,
                                               std::chrono::system_clock::now(), ttl);
  if (!reg) {
    metrics_->registry_writes("invalid").Increment();
    const auto& err = reg.error();
    respond(http_response::problem(400, "Invalid registration", err.describe(), err.field));
    return;
  }
  auto identity = protocol::registrable_identity(reg.value().identity);
  if (!identity) {
    metrics_->registry_writes("invalid").Increment();
    respond(invalid_identity());
    return;
  }
  reg.value().identity = std::move(*identity);
  auto saved = reg.value();
  registry_write_reply done = [respond = std::move(respond),
                               saved](const registry_write_outcome& out) {
    if (!out.ok) {
      respond(store_unavailable(out.error));
      return;
    }
    respond(http_response::json(200, protocol::registration_to_json(saved)));
  };
  caf::anon_send(shards_->of(saved.identity), register_atom::value, std::move(reg).value(),
                 std::move(done));
}

void registry_api::get_device(const call& c, http_responder respond) const {
  if (!protocol::valid_device_id(c.param)) {
    respond(http_response::problem(400, "Invalid device id",
                                   "1 to 128 characters of [A-Za-z0-9._:-]", "deviceId"));
    return;
  }
  registry_query_reply done = [respond = std::move(respond),
                               device = c.param](registry_query_outcome out) {
    if (!out.ok) {
      respond(store_unavailable(out.error));
    } else if (out.found.empty()) {
      respond(http_response::problem(404, "Unknown device",
                                     "no unexpired registration for device " + device, "deviceId"));
    } else {
      respond(http_response::json(200, registrations_json("deviceId", device, out.found)));
    }
  };
  // Reads only: any shard may answer; spread devices over them by name.
  caf::anon_send(shards_->of(c.app->name + '/' + c.param), find_atom::value, device_atom::value,
                 c.app->name, c.param, std::move(done));
}

void registry_api::delete_device(const call& c, const http_request& req,
                                 http_responder respond) const {
  if (!protocol::valid_device_id(c.param)) {
    respond(http_response::problem(400, "Invalid device id",
                                   "1 to 128 characters of [A-Za-z0-9._:-]", "deviceId"));
    return;
  }
  std::optional<protocol::platform> only;
  if (auto p = req.query_param("platform")) {
    only = protocol::parse_platform(*p);
    if (!only) {
      respond(http_response::problem(400, "Invalid platform",
                                     "must be one of apns, apns-voip, fcm, wns", "platform"));
      return;
    }
  }
  // First find the device's registrations (their identities are not in the
  // path), then remove each through the shard that owns its identity, so that
  // shard stays the only writer of that identity's registrations.
  registry_query_reply found = [respond = std::move(respond), shards = shards_, app = c.app->name,
                                device = c.param, only](registry_query_outcome out) mutable {
    if (!out.ok) {
      respond(store_unavailable(out.error));
      return;
    }
    std::erase_if(out.found,
                  [only](const protocol::registration& r) { return only && r.channel != *only; });
    if (out.found.empty()) {
      respond(http_response::problem(404, "Unknown device",
                                     "no unexpired registration for device " + device +
                                         (only ? " on " + std::string(to_string(*only)) : ""),
                                     "deviceId"));
      return;
    }
    auto join = std::make_shared<removal_join>(out.found.size(), std::move(respond));
    for (const auto& reg : out.found) {
      registry_query_reply each = [join](registry_query_outcome o) { join->add(o); };
      caf::anon_send(shards->of(reg.identity), unregister_atom::value, device_atom::value, app,
                     device, reg.channel, std::move(each));
    }
  };
  caf::anon_send(shards_->of(c.app->name + '/' + c.param), find_atom::value, device_atom::value,
                 c.app->name, c.param, std::move(found));
}

void registry_api::identity_devices(const call& c, bool remove, http_responder respond) const {
  auto identity = protocol::registrable_identity(c.param);
  if (!identity) {
    respond(invalid_identity());
    return;
  }
  const auto& shard = shards_->of(*identity);
  if (remove) {
    registry_query_reply done = [respond = std::move(respond)](registry_query_outcome out) {
      respond(out.ok ? http_response::json(200, removed_json(out.removed))
                     : store_unavailable(out.error));
    };
    caf::anon_send(shard, unregister_atom::value, identity_atom::value, c.app->name, *identity,
                   std::move(done));
    return;
  }
  registry_query_reply done = [respond = std::move(respond),
                               id = *identity](registry_query_outcome out) {
    respond(out.ok ? http_response::json(200, registrations_json("identity", id, out.found))
                   : store_unavailable(out.error));
  };
  caf::anon_send(shard, find_atom::value, identity_atom::value, c.app->name, *identity,
                 std::move(done));
}

} // namespace herald::actors
