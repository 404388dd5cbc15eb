#pragma once

#include <memory>
#include <string_view>

#include <libpq-fe.h>

#include "store/store_error.hpp"

namespace herald::store {

/// Owns a `PGresult` (PQclear on destruction).
using postgres_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

/// Wraps a result returned by libpq (may be null when out of memory or disconnected).
[[nodiscard]] inline postgres_result adopt(PGresult* r) noexcept {
  return {r, &PQclear};
}

/// Maps a failed result to a `store_error` by SQLSTATE class (PostgreSQL manual, Appendix
/// A): integrity and data errors are `constraint`, connection and shutdown errors
/// `unavailable`, lock and serialization conflicts `busy`, data corruption `corrupt`, the
/// rest `io`. A connection that is no longer `CONNECTION_OK` is always `unavailable`.
/// `context` names the operation for the log line.
[[nodiscard]] store_error postgres_failure(PGconn* conn, const PGresult* r,
                                           std::string_view context);

/// True when `r` finished as a command or a row set.
[[nodiscard]] inline bool succeeded(const PGresult* r) noexcept {
  auto s = PQresultStatus(r);
  return r != nullptr && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

} // namespace herald::store
