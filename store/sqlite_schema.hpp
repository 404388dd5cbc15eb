#pragma once

#include "store/store_error.hpp"

struct sqlite3;

namespace herald::store {

/// Schema version this build writes: the number of entries in the migration list.
inline constexpr int sqlite_schema_latest = 1;

/// Brings the database to `sqlite_schema_latest` inside one `BEGIN IMMEDIATE` transaction
/// (so two processes opening a new file at once do not both migrate), recording each step
/// in `schema_version`. A file from a newer build fails with `errc::unavailable`: running
/// old code on a newer schema could corrupt it. Returns the version found before migrating.
[[nodiscard]] result<int> migrate_sqlite_schema(sqlite3* db);

/// Highest version recorded in `schema_version`.
[[nodiscard]] result<int> read_sqlite_schema_version(sqlite3* db);

} // namespace herald::store
