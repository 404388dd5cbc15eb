#pragma once

#include <string>

#include <boost/outcome/result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace herald::protocol {

/// What kind of input fault a protocol function found.
enum class errc {
  malformed_json = 1, ///< The bytes are not JSON at all.
  wrong_shape,        ///< JSON, but not the structure the format requires.
  missing_field,      ///< A required field is absent.
  invalid_field,      ///< A field is present but its value is not acceptable.
  too_large,          ///< The input or the result exceeds a documented size limit.
  unsupported,        ///< A valid input this implementation does not handle.
  crypto_failure,     ///< A key could not be loaded or a signature could not be made.
};

/// A protocol-level input fault: which event (by index in its batch, -1 when not in a batch),
/// which field (a JSON-pointer-like path such as `data.to.rawId`), and a human sentence.
struct error {
  errc code = errc::wrong_shape;
  std::string field;
  std::string message;
  int index = -1;

  /// One line for logs and problem+json `detail`: "event 2: field data.to: missing".
  [[nodiscard]] std::string describe() const;
};

/// The return type of every fallible protocol function: a value or an `error`.
/// Reading `.value()` of a failed result terminates (a broken invariant, not control flow).
template <class T>
using result = boost::outcome_v2::result<T, error, boost::outcome_v2::policy::terminate>;

/// Shorthand for the success of a `result<void>`.
inline auto ok() {
  return boost::outcome_v2::success();
}

} // namespace herald::protocol
