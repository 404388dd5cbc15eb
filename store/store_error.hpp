#pragma once

#include <string>
#include <string_view>

#include <boost/outcome/result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace herald::store {

/// What kind of operational failure a store hit. Callers decide on the kind: `busy` and
/// `unavailable` are worth a retry later, `corrupt` and `io` need an operator,
/// `constraint` is bad input, `not_found` is an absent row where one was required.
enum class errc {
  unavailable = 1, ///< The database cannot be opened or reached (path, permissions, server).
  corrupt,         ///< The file is not a database, is damaged, or holds unreadable rows.
  constraint,      ///< A write broke a schema rule (empty key, check constraint).
  busy,            ///< Another writer held the lock past the busy timeout.
  not_found,       ///< A row that had to exist does not.
  io,              ///< Disk full, I/O error, or any other engine failure.
};

/// Stable lower-case name of an `errc` (`busy`, `corrupt`, ...), for logs and metric labels.
[[nodiscard]] std::string_view to_string(errc code) noexcept;

/// An operational failure of a store call: kind plus the engine's message and context.
struct store_error {
  errc code = errc::io;
  std::string message;

  /// One line for logs: "busy: database is locked (upsert)".
  [[nodiscard]] std::string describe() const;
};

/// The return type of every fallible store function: a value or a `store_error`.
/// Reading `.value()` of a failed result terminates (a broken invariant, not control flow).
template <class T>
using result = boost::outcome_v2::result<T, store_error, boost::outcome_v2::policy::terminate>;

/// Shorthand for the success of a `result<void>`.
inline auto ok() {
  return boost::outcome_v2::success();
}

} // namespace herald::store
