#include "app/config_env.hpp"

#include <unistd.h>

namespace herald::app {

config_env config_env::from_process() {
  config_env env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || !text.starts_with("HERALD_")) {
      continue;
    }
    env.vars.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

const std::string* config_env::find(std::string_view name) const {
  const auto it = vars.find(name);
  return it == vars.end() ? nullptr : &it->second;
}

std::string env_name_part(std::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (const char c : part) {
    if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += c;
    } else {
      out += '_';
    }
  }
  return out;
}

} // namespace herald::app
