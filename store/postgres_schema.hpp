#pragma once

#include "store/store_error.hpp"

struct pg_conn;

namespace herald::store {

/// Schema version this build writes: the number of entries in the PostgreSQL migration list.
inline constexpr int postgres_schema_latest = 1;

/// Brings the database to `postgres_schema_latest` in one transaction that first takes a
/// transaction-scoped advisory lock, so several nodes starting at once migrate one after the
/// other (the later ones find nothing left to do). Each step is recorded in
/// `schema_version`. A database from a newer build fails with `errc::unavailable`. Returns
/// the version found before migrating.
[[nodiscard]] result<int> migrate_postgres_schema(pg_conn* conn);

/// Highest version recorded in `schema_version` (0 when the table is missing).
[[nodiscard]] result<int> read_postgres_schema_version(pg_conn* conn);

} // namespace herald::store
