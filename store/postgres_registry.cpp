#include "store/postgres_registry.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "store/postgres_params.hpp"
#include "store/postgres_result.hpp"
#include "store/postgres_schema.hpp"
#include "store/row_codec.hpp"

namespace herald::store {

namespace {

using protocol::registration;
using time_point = registry::time_point;

// Type OIDs of the parameters (pg_type.dat): stated explicitly so `$3 IS NULL` needs no
// inference and binary text parameters are read as text.
constexpr Oid text_oid = 25;
constexpr Oid int8_oid = 20;
constexpr Oid text_array_oid = 1009;
constexpr Oid int8_array_oid = 1016;

struct statement {
  const char* name;
  const char* sql;
  std::array<Oid, 10> types;
  int count;
};

#define HERALD_PG_COLUMNS                                                                          \
  "app, device_id, platform, identity, token, environment, locale, tags, updated_at, expires_at"

/// Each statement_id's SQL, in enum order, the same as sqlite_registry's: "unexpired" is
/// `expires_at > now`, so purge_expired removes exactly what the finds already hide.
constexpr std::array<statement, 9> statements = {{
    {"herald_upsert",
     "INSERT INTO registrations (" HERALD_PG_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
     "$9, $10) ON CONFLICT (app, device_id, platform) DO UPDATE SET identity = "
     "EXCLUDED.identity, token = EXCLUDED.token, environment = EXCLUDED.environment, locale = "
     "EXCLUDED.locale, tags = EXCLUDED.tags, updated_at = EXCLUDED.updated_at, expires_at = "
     "EXCLUDED.expires_at",
     {text_oid, text_oid, text_oid, text_oid, text_oid, text_oid, text_oid, text_oid, int8_oid,
      int8_oid},
     10},
    {"herald_find_identity",
     "SELECT " HERALD_PG_COLUMNS " FROM registrations WHERE identity = $1 AND (expires_at IS "
     "NULL OR expires_at > $2) ORDER BY app, device_id, platform",
     {text_oid, int8_oid},
     2},
    {"herald_find_device",
     "SELECT " HERALD_PG_COLUMNS " FROM registrations WHERE app = $1 AND device_id = $2 AND "
     "(expires_at IS NULL OR expires_at > $3) ORDER BY platform",
     {text_oid, text_oid, int8_oid},
     3},
    {"herald_remove_device",
     "DELETE FROM registrations WHERE app = $1 AND device_id = $2 AND ($3::text IS NULL OR "
     "platform = $3)",
     {text_oid, text_oid, text_oid},
     3},
    {"herald_remove_identity",
     "DELETE FROM registrations WHERE app = $1 AND identity = $2",
     {text_oid, text_oid},
     2},
    {"herald_prune_token",
     "DELETE FROM registrations WHERE app = $1 AND platform = $2 AND token = $3 AND ($4::bigint "
     "IS NULL OR updated_at <= $4)",
     {text_oid, text_oid, text_oid, int8_oid},
     4},
    // Served by the partial index registrations_by_expiry.
    {"herald_purge_expired",
     "DELETE FROM registrations WHERE expires_at IS NOT NULL AND expires_at <= $1",
     {int8_oid},
     1},
    // Keyset pagination on the primary key (app, device_id, platform).
    {"herald_list_app",
     "SELECT " HERALD_PG_COLUMNS " FROM registrations WHERE app = $1 AND (device_id, platform) > "
     "($2, $3) AND (expires_at IS NULL OR expires_at > $4) ORDER BY device_id, platform LIMIT $5",
     {text_oid, text_oid, text_oid, int8_oid, int8_oid},
     5},
    // A whole batch in one statement (one round trip, one commit): one array per column.
    // Every part of a WITH sees the table as it was before the statement, so `old` reports
    // who held each written key before. The caller makes the keys unique (ON CONFLICT DO
    // UPDATE may not touch a row twice).
    {"herald_upsert_batch",
     "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
     "$5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[]) AS i "
     "(" HERALD_PG_COLUMNS ")), old AS (SELECT r.identity FROM registrations r JOIN input i ON "
     "r.app = i.app AND r.device_id = i.device_id AND r.platform = i.platform WHERE r.identity "
     "<> i.identity), written AS (INSERT INTO registrations (" HERALD_PG_COLUMNS
     ") SELECT " HERALD_PG_COLUMNS
     " FROM input ON CONFLICT (app, device_id, platform) DO UPDATE SET "
     "identity = EXCLUDED.identity, token = EXCLUDED.token, environment = EXCLUDED.environment, "
     "locale = EXCLUDED.locale, tags = EXCLUDED.tags, updated_at = EXCLUDED.updated_at, "
     "expires_at = EXCLUDED.expires_at) SELECT identity FROM old",
     {text_array_oid, text_array_oid, text_array_oid, text_array_oid, text_array_oid,
      text_array_oid, text_array_oid, text_array_oid, int8_array_oid, int8_array_oid},
     10},
}};

#undef HERALD_PG_COLUMNS

store_error corrupt_row(std::string_view what) {
  return {errc::corrupt, "unreadable registration row: " + std::string(what)};
}

bool parse_int(const char* text, std::int64_t& out) {
  std::string_view s(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

result<std::vector<registration>> read_rows(const PGresult* r) {
  std::vector<registration> out;
  int rows = PQntuples(r);
  out.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    auto text = [r, i](int column) {
      return std::string(PQgetvalue(r, i, column),
                         static_cast<std::size_t>(PQgetlength(r, i, column)));
    };
    registration reg;
    reg.app = text(0);
    reg.device_id = text(1);
    auto channel = protocol::parse_platform(text(2));
    reg.identity = text(3);
    reg.token = text(4);
    auto env = protocol::parse_environment(text(5));
    if (!channel || !env) {
      return corrupt_row("platform or environment");
    }
    reg.channel = *channel;
    reg.env = *env;
    reg.locale = text(6);
    if (!tags_from_json(text(7), reg.tags)) {
      return corrupt_row("tags");
    }
    std::int64_t ms = 0;
    if (!parse_int(PQgetvalue(r, i, 8), ms)) {
      return corrupt_row("updated_at");
    }
    reg.updated_at = from_millis(ms);
    if (PQgetisnull(r, i, 9) == 0) {
      if (!parse_int(PQgetvalue(r, i, 9), ms)) {
        return corrupt_row("expires_at");
      }
      reg.expires_at = from_millis(ms);
    }
    out.push_back(std::move(reg));
  }
  return out;
}

} // namespace

result<std::shared_ptr<postgres_pool>> postgres_registry::connect(postgres_pool_options options) {
  auto pool = postgres_pool::open(std::move(options));
  if (!pool) {
    return pool.error();
  }
  auto lease = pool.value()->checkout();
  if (!lease) {
    return lease.error();
  }
  auto migrated = migrate_postgres_schema(lease.value().connection());
  if (!migrated) {
    return migrated.error();
  }
  if (migrated.value() < postgres_schema_latest) {
    spdlog::info("store: migrated postgres registry from schema {} to {}", migrated.value(),
                 postgres_schema_latest);
  }
  return std::move(pool).value();
}

postgres_registry::postgres_registry(std::shared_ptr<postgres_pool> pool) : pool_(std::move(pool)) {
  assert(pool_ != nullptr);
}

result<postgres_registry::outcome> postgres_registry::run_on(postgres_pool::lease& lease,
                                                             statement_id id,
                                                             const postgres_params& params) {
  static_assert(statement_count == statements.size(), "one SQL text per statement_id");
  const auto& stmt = statements[id];
  assert(params.size() == stmt.count);
  auto args = params.view();
  pg_conn* conn = lease.connection();
  auto& prepared = lease.prepared();
  const std::uint64_t bit = std::uint64_t{1} << id;
  postgres_result r = adopt(nullptr);
  if ((prepared & bit) == 0) {
    r = adopt(PQprepare(conn, stmt.name, stmt.sql, stmt.count, stmt.types.data()));
    if (succeeded(r.get())) {
      prepared |= bit;
    }
  }
  if ((prepared & bit) != 0) {
    r = adopt(PQexecPrepared(conn, stmt.name, stmt.count, args.values.data(), args.lengths.data(),
                             args.formats, 0));
  }
  if (succeeded(r.get())) {
    outcome out;
    if (id == upsert_batch_stmt) {
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.identities.emplace_back(PQgetvalue(r.get(), i, 0),
                                    static_cast<std::size_t>(PQgetlength(r.get(), i, 0)));
      }
    } else if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) {
      auto rows = read_rows(r.get());
      if (!rows) {
        return rows.error();
      }
      out.rows = std::move(rows).value();
    } else {
      std::int64_t changed = 0;
      (void)parse_int(PQcmdTuples(r.get()), changed);
      out.changed = static_cast<std::size_t>(changed);
    }
    return out;
  }
  auto failure = postgres_failure(conn, r.get(), stmt.name);
  if (PQstatus(conn) != CONNECTION_OK) {
    lease.discard();
  }
  return failure;
}

result<postgres_registry::outcome> postgres_registry::run(statement_id id,
                                                          const postgres_params& params) {
  // Two attempts: a connection found broken on first use (the server restarted since it was
  // opened) is replaced once. Safe because every registry call is idempotent.
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_->checkout();
    if (!lease) {
      return lease.error();
    }
    auto done = run_on(lease.value(), id, params);
    if (done || PQstatus(lease.value().connection()) == CONNECTION_OK || attempt > 0) {
      return done;
    }
    spdlog::info("store: postgres connection lost ({}); retrying on a new one",
                 done.error().describe());
  }
}

postgres_params postgres_registry::upsert_params(const registration& r) {
  postgres_params p;
  p.add(r.app);
  p.add(r.device_id);
  p.add(protocol::to_string(r.channel));
  p.add(r.identity);
  p.add(r.token);
  p.add(protocol::to_string(r.env));
  p.add(r.locale);
  p.add(tags_to_json(r.tags));
  p.add(to_millis(r.updated_at));
  if (r.expires_at) {
    p.add(to_millis(*r.expires_at));
  } else {
    p.add_null();
  }
  return p;
}

result<void> postgres_registry::upsert(const registration& r) {
  auto done = run(upsert_stmt, upsert_params(r));
  if (!done) {
    return done.error();
  }
  return ok();
}

result<void> postgres_registry::upsert_all(std::span<const registration> registrations) {
  auto done = upsert_all_displacing(registrations);
  if (!done) {
    return done.error();
  }
  return ok();
}

postgres_params postgres_registry::batch_params(std::span<const registration> registrations) {
  // The last registration of each key wins (as if written in order); key order gives
  // concurrent batches one lock order.
  std::map<std::tuple<std::string_view, std::string_view, protocol::platform>, const registration*>
      last;
  for (const auto& r : registrations) {
    last[{r.app, r.device_id, r.channel}] = &r;
  }
  const std::size_t n = last.size();
  std::array<std::vector<std::string_view>, 7> text;
  std::vector<std::string> tags;
  std::vector<std::optional<std::int64_t>> updated;
  std::vector<std::optional<std::int64_t>> expires;
  for (auto& column : text) {
    column.reserve(n);
  }
  tags.reserve(n);
  for (const auto& [key, r] : last) {
    text[0].push_back(r->app);
    text[1].push_back(r->device_id);
    text[2].push_back(protocol::to_string(r->channel));
    text[3].push_back(r->identity);
    text[4].push_back(r->token);
    text[5].push_back(protocol::to_string(r->env));
    text[6].push_back(r->locale);
    tags.push_back(tags_to_json(r->tags));
    updated.emplace_back(to_millis(r->updated_at));
    expires.push_back(r->expires_at ? std::optional(to_millis(*r->expires_at)) : std::nullopt);
  }
  std::vector<std::string_view> tag_views(tags.begin(), tags.end());
  postgres_params p;
  for (const auto& column : text) {
    p.add_text_array(column);
  }
  p.add_text_array(tag_views);
  p.add_int8_array(updated);
  p.add_int8_array(expires);
  return p;
}

result<std::vector<std::string>>
postgres_registry::upsert_all_displacing(std::span<const registration> registrations) {
  if (registrations.empty()) {
    return std::vector<std::string>{};
  }
  // One statement: atomic without BEGIN/COMMIT, idempotent, so retried like any other. If
  // the connection broke after the server committed, the retry finds the rows already
  // written and reports no previous owner (rare; a cache entry then lives to its max age).
  auto done = run(upsert_batch_stmt, batch_params(registrations));
  if (!done) {
    return done.error();
  }
  return std::move(done.value().identities);
}

result<std::vector<registration>> postgres_registry::find_by_identity(std::string_view identity,
                                                                      time_point now) {
  postgres_params p;
  p.add(identity);
  p.add(to_millis(now));
  auto done = run(find_identity_stmt, p);
  if (!done) {
    return done.error();
  }
  return std::move(done.value().rows);
}

result<std::vector<registration>>
postgres_registry::find_device(std::string_view app, std::string_view device_id, time_point now) {
  postgres_params p;
  p.add(app);
  p.add(device_id);
  p.add(to_millis(now));
  auto done = run(find_device_stmt, p);
  if (!done) {
    return done.error();
  }
  return std::move(done.value().rows);
}

result<std::vector<registration>> postgres_registry::list_app(std::string_view app, time_point now,
                                                              std::string_view after_device,
                                                              std::string_view after_platform,
                                                              std::size_t limit) {
  postgres_params p;
  p.add(app);
  p.add(after_device);
  p.add(after_platform);
  p.add(to_millis(now));
  p.add(static_cast<std::int64_t>(limit));
  auto done = run(list_app_stmt, p);
  if (!done) {
    return done.error();
  }
  return std::move(done.value().rows);
}

result<std::size_t> postgres_registry::remove_device(std::string_view app,
                                                     std::string_view device_id,
                                                     std::optional<protocol::platform> channel) {
  postgres_params p;
  p.add(app);
  p.add(device_id);
  if (channel) {
    p.add(protocol::to_string(*channel));
  } else {
    p.add_null();
  }
  auto done = run(remove_device_stmt, p);
  if (!done) {
    return done.error();
  }
  return done.value().changed;
}

result<std::size_t> postgres_registry::remove_identity(std::string_view app,
                                                       std::string_view identity) {
  postgres_params p;
  p.add(app);
  p.add(identity);
  auto done = run(remove_identity_stmt, p);
  if (!done) {
    return done.error();
  }
  return done.value().changed;
}

result<bool> postgres_registry::prune_token(std::string_view app, protocol::platform channel,
                                            std::string_view token,
                                            std::optional<time_point> dead_since) {
  postgres_params p;
  p.add(app);
  p.add(protocol::to_string(channel));
  p.add(token);
  if (dead_since) {
    p.add(to_millis(*dead_since));
  } else {
    p.add_null();
  }
  auto done = run(prune_token_stmt, p);
  if (!done) {
    return done.error();
  }
  return done.value().changed > 0;
}

result<std::size_t> postgres_registry::purge_expired(time_point now) {
  postgres_params p;
  p.add(to_millis(now));
  auto done = run(purge_expired_stmt, p);
  if (!done) {
    return done.error();
  }
  return done.value().changed;
}

result<int> postgres_registry::schema_version() {
  auto lease = pool_->checkout();
  if (!lease) {
    return lease.error();
  }
  return read_postgres_schema_version(lease.value().connection());
}

} // namespace herald::store
