#pragma once

#include <memory>

#include "actors/app_directory.hpp"
#include "actors/node_metrics.hpp"
#include "actors/shard_map.hpp"
#include "transports/http_server.hpp"

namespace herald::actors {

/// Bulk export and import of an app's registrations as NDJSON (`application/x-ndjson`, one
/// registration object per line; admin scope, checked by `registry_api` before calling).
///
/// - Export (`GET /v1/apps/{app}/devices:export?limit=&cursor=`): one page of at most `limit`
///   unexpired registrations in (device id, platform) order, read by one shard with
///   `registry::list_app`, so memory per request is bounded by the page. When more follow,
///   the answer carries `Link: <…?limit=N&cursor=C>; rel="next"` and `Next-Cursor: C`; the
///   last page has neither. Each line is the `GET` device shape (`registration_to_json`).
/// - Import (`POST /v1/apps/{app}/devices:import`): each non-blank line is validated like a
///   `PUT` (`parse_registration_line`: the export's lines are valid input) and written through
///   the router shard owning its identity, independently of the others: a bad line never
///   stops the good ones. A (deviceId, platform) seen on an earlier line is refused as a
///   duplicate. The answer is 200 with `import_report` (counts and per-line errors naming the
///   line and field), even when lines failed.
/// Threading: called on I/O threads; sends messages, never blocks. Replies arrive on shard
/// threads and are joined under a mutex.
class device_transfer {
public:
  device_transfer(std::shared_ptr<const shard_map> shards, std::shared_ptr<node_metrics> metrics);

  /// Answers one export page of `app`.
  void export_page(const app_entry& app, const transports::http_request& req,
                   transports::http_responder respond) const;

  /// Imports the NDJSON body of `req` into `app` (the body size was checked by the caller).
  void import(const app_entry& app, const transports::http_request& req,
              transports::http_responder respond) const;

private:
  std::shared_ptr<const shard_map> shards_;
  std::shared_ptr<node_metrics> metrics_;
};

} // namespace herald::actors
