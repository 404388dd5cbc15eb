#pragma once

#include <map>
#include <string>

#include <toml++/toml.h>

#include "app/config_error.hpp"
#include "protocol/template.hpp"

namespace herald::app {

/// Reads an app's `[[apps.templates]]` (under `path`, e.g. `apps[0]`): each a `name` (1..64
/// bytes, unique) with a `title` and/or `body`; internal to the config loader. Templates come
/// from the file only (no environment overrides).
[[nodiscard]] config_result<std::map<std::string, protocol::alert_template>>
read_templates(const toml::table& app, const std::string& path);

} // namespace herald::app
