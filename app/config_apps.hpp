#pragma once

#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "app/config.hpp"

namespace herald::app {

/// Reads and validates the `[[apps]]` array (`node` may be null: no apps) with the
/// `HERALD_APPS_<APP>_…` overrides; internal to the config loader. Every variable name it
/// looks up is added to `seen_env`.
[[nodiscard]] config_result<std::vector<app_config>>
read_apps(const toml::node* node, const config_env& env,
          std::set<std::string, std::less<>>& seen_env);

} // namespace herald::app
