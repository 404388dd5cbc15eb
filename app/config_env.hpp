#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace herald::app {

/// The `HERALD_*` environment variables a configuration is loaded with.
///
/// A value type so that tests pass their own variables instead of changing the process
/// environment; `from_process()` takes a snapshot of the real one. Names are
/// `HERALD_<SECTION>_<KEY>` and `HERALD_APPS_<APP>_[<PROVIDER>_]<KEY>`, upper case, with
/// every character other than a letter or digit written as `_`.
struct config_env {
  std::map<std::string, std::string, std::less<>> vars;

  /// The process's `HERALD_*` variables, read once (not thread-safe against `setenv`).
  [[nodiscard]] static config_env from_process();

  /// The value of `name`, or nullptr when it is not set.
  [[nodiscard]] const std::string* find(std::string_view name) const;

  /// Variables read by something other than the config loader (`HERALD_CONFIG`, the CLI's
  /// default for `--config`), so the unknown-variable check leaves them alone.
  static constexpr std::string_view reserved[] = {"HERALD_CONFIG"};
};

/// The environment spelling of a name part: `contoso-eu` becomes `CONTOSO_EU`.
[[nodiscard]] std::string env_name_part(std::string_view part);

} // namespace herald::app
