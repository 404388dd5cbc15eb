#include "app/config_templates.hpp"

#include "app/config_reader.hpp"

namespace herald::app {

config_result<std::map<std::string, protocol::alert_template>>
read_templates(const toml::table& app, const std::string& path) {
  std::map<std::string, protocol::alert_template> out;
  const auto* node = app.get("templates");
  if (node == nullptr) {
    return out;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    return config_failure(path + ".templates", "expected an array of tables ([[apps.templates]])",
                          line_of(*node));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto t_path = path + ".templates[" + std::to_string(i) + "]";
    const auto* t = array->get(i)->as_table();
    if (t == nullptr) {
      return config_failure(t_path, "expected a table ([[apps.templates]])",
                            line_of(*array->get(i)));
    }
    for (const auto& [k, v] : *t) {
      if (k.str() != "name" && k.str() != "title" && k.str() != "body") {
        return config_failure(t_path + "." + std::string(k.str()),
                              "unknown key (expected name, title, body)", line_of(v));
      }
    }
    const auto* name = t->get_as<std::string>("name");
    if (name == nullptr || name->get().empty() || name->get().size() > 64) {
      return config_failure(t_path + ".name", "required: a string of 1 to 64 bytes", line_of(*t));
    }
    const auto* title = t->get_as<std::string>("title");
    const auto* body = t->get_as<std::string>("body");
    if (title == nullptr && body == nullptr) {
      return config_failure(t_path, "give title and/or body (strings)", line_of(*t));
    }
    protocol::alert_template text{title != nullptr ? title->get() : std::string{},
                                  body != nullptr ? body->get() : std::string{}};
    if (!out.emplace(name->get(), std::move(text)).second) {
      return config_failure(t_path + ".name", "duplicate template \"" + name->get() + "\"",
                            line_of(*name));
    }
  }
  return out;
}

} // namespace herald::app
