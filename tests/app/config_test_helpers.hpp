#pragma once

// Helpers shared by the app config test files (header-only, inline).
#include <string>

#include "app/config.hpp"

namespace herald::test {

/// Parses `text` as a config file named test.toml, without environment overrides.
inline app::config_result<app::config> parse_test_config(const std::string& text) {
  return app::parse_config(text, app::config_env{}, "test.toml");
}

/// The key path named by the error of `text`, or "(ok)" when it parses.
inline std::string failing_key(const std::string& text) {
  auto r = parse_test_config(text);
  return r ? std::string("(ok)") : r.error().key;
}

} // namespace herald::test
