#pragma once

#include <string>

#include <boost/outcome/result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace herald::app {

/// Why a configuration could not be used: the key at fault and a human sentence.
///
/// `key` names the key the way an operator finds it: a TOML path such as
/// `apps[0].apns.key_file`, or the environment variable (`HERALD_NODE_SHARDS`) when the bad
/// value came from there. Messages never contain secret values.
struct config_error {
  std::string key;
  std::string message;
  /// Line in the TOML file (1-based) the fault was found on; 0 when unknown or from the
  /// environment.
  int line = 0;

  /// One line for the operator: `apps[0].apns.key_file: file not found: keys/a.p8 (line 12)`.
  [[nodiscard]] std::string describe() const {
    std::string out = key.empty() ? message : key + ": " + message;
    if (line > 0) {
      out += " (line " + std::to_string(line) + ")";
    }
    return out;
  }
};

/// The return type of every fallible configuration function: a value or a `config_error`.
/// Reading `.value()` of a failed result terminates (a broken invariant, not control flow).
template <class T>
using config_result =
    boost::outcome_v2::result<T, config_error, boost::outcome_v2::policy::terminate>;

/// Shorthand for a failed `config_result`.
inline auto config_failure(std::string key, std::string message, int line = 0) {
  return boost::outcome_v2::failure(config_error{std::move(key), std::move(message), line});
}

/// Shorthand for the success of a `config_result<void>`.
inline auto config_ok() {
  return boost::outcome_v2::success();
}

} // namespace herald::app
