#include "actors/device_transfer.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/device_transfer.hpp"
#include "protocol/registration_json.hpp"

namespace herald::actors {

using transports::http_request;
using transports::http_responder;
using transports::http_response;

namespace {

/// Collects the shards' answers to the writes of one import.
struct import_join {
  import_join(protocol::import_report r, std::size_t writes, http_responder done)
      : report(std::move(r)), pending(writes), respond(std::move(done)) {}
  std::mutex mutex;
  protocol::import_report report;
  std::size_t pending;
  http_responder respond;

  void add(std::size_t line, const registry_write_outcome& out) {
    std::unique_lock lock(mutex);
    if (out.ok) {
      ++report.imported;
    } else {
      report.fail(line, "", "registry unavailable: " + out.error);
    }
    if (--pending > 0) {
      return;
    }
    auto body = report.to_json();
    auto done = std::move(respond);
    lock.unlock();
    done(http_response::json(200, std::move(body)));
  }
};

bool is_ndjson(const std::string* content_type) {
  if (content_type == nullptr) {
    return false;
  }
  std::string_view t = *content_type;
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') {
    t.remove_suffix(1);
  }
  return t == protocol::ndjson_media_type;
}

} // namespace

device_transfer::device_transfer(std::shared_ptr<const shard_map> shards,
                                 std::shared_ptr<node_metrics> metrics)
    : shards_(std::move(shards)), metrics_(std::move(metrics)) {}

void device_transfer::export_page(const app_entry& app, const http_request& req,
                                  http_responder respond) const {
  auto limit = protocol::parse_export_limit(req.query_param("limit"));
  if (!limit) {
    respond(http_response::problem(400, "Invalid limit", limit.error().message, "limit"));
    return;
  }
  protocol::export_cursor after;
  if (auto cursor = req.query_param("cursor")) {
    auto parsed = protocol::parse_export_cursor(*cursor);
    if (!parsed) {
      respond(http_response::problem(400, "Invalid cursor", parsed.error().message, "cursor"));
      return;
    }
    after = std::move(parsed).value();
  }
  const std::size_t n = limit.value();
  registry_query_reply done = [respond = std::move(respond), n,
                               base = "/v1/apps/" + app.name + "/devices:export?limit=" +
                                      std::to_string(n)](registry_query_outcome out) {
    if (!out.ok) {
      respond(http_response::unavailable("registry unavailable: " + out.error));
      return;
    }
    // One row more than the page was asked for: it tells whether a next page exists.
    const bool more = out.found.size() > n;
    if (more) {
      out.found.resize(n);
    }
    http_response res;
    res.status = 200;
    res.headers.emplace_back("content-type", std::string(protocol::ndjson_media_type));
    if (more) {
      auto cursor = protocol::encode_export_cursor(out.found.back());
      res.headers.emplace_back("link", "<" + base + "&cursor=" + cursor + ">; rel=\"next\"");
      res.headers.emplace_back("next-cursor", std::move(cursor));
    }
    for (const auto& reg : out.found) {
      res.body += protocol::registration_to_json(reg);
      res.body += '\n';
    }
    respond(std::move(res));
  };
  // Reads only: any shard may answer; spread apps over them by name.
  caf::anon_send(
      shards_->of(app.name), find_atom::value, page_atom::value, app.name, after.device_id,
      after.device_id.empty() ? std::string{} : std::string(protocol::to_string(after.channel)),
      static_cast<std::uint64_t>(n + 1), std::move(done));
}

void device_transfer::import(const app_entry& app, const http_request& req,
                             http_responder respond) const {
  if (!is_ndjson(req.header("content-type"))) {
    respond(http_response::problem(415, "Unsupported Media Type",
                                   "send the registrations as application/x-ndjson, one JSON "
                                   "object per line",
                                   "content-type"));
    return;
  }
  const auto now = std::chrono::system_clock::now();
  const auto ttl = app.registration_ttl.value_or(std::chrono::seconds{0});
  protocol::import_report report;
  std::vector<std::pair<std::size_t, protocol::registration>> writes;
  // (deviceId, platform) → the line that holds it: a later line with the same key would race
  // the first one through different shards, so it is refused instead.
  std::map<std::pair<std::string, protocol::platform>, std::size_t> seen;
  protocol::for_each_ndjson_line(req.body, [&](std::size_t number, std::string_view line) {
    ++report.lines;
    auto reg = protocol::parse_registration_line(line, app.name, now, ttl);
    if (!reg) {
      metrics_->registry_writes("invalid").Increment();
      report.fail(number, reg.error().field, reg.error().describe());
      return;
    }
    auto identity = protocol::registrable_identity(reg.value().identity);
    if (!identity) {
      metrics_->registry_writes("invalid").Increment();
      report.fail(number, "identity", "must be the rawId of an ACS or Teams user");
      return;
    }
    reg.value().identity = std::move(*identity);
    std::pair key{reg.value().device_id, reg.value().channel};
    auto [it, fresh] = seen.try_emplace(std::move(key), number);
    if (!fresh) {
      metrics_->registry_writes("invalid").Increment();
      report.fail(number, "deviceId",
                  "duplicate of line " + std::to_string(it->second) +
                      " (same deviceId and platform)");
      return;
    }
    writes.emplace_back(number, std::move(reg).value());
  });
  if (writes.empty()) {
    respond(http_response::json(200, report.to_json()));
    return;
  }
  auto join = std::make_shared<import_join>(std::move(report), writes.size(), std::move(respond));
  for (auto& [number, reg] : writes) {
    registry_write_reply each = [join, line = number](const registry_write_outcome& out) {
      join->add(line, out);
    };
    const auto& shard = shards_->of(reg.identity);
    caf::anon_send(shard, register_atom::value, std::move(reg), std::move(each));
  }
}

} // namespace herald::actors
