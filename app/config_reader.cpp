#include "app/config_reader.hpp"

#include <charconv>

#include "app/config_duration.hpp"

namespace herald::app {
namespace {

config_result<std::optional<std::chrono::milliseconds>>
parse_optional_duration(std::string_view text, std::chrono::milliseconds min, bool allow_never) {
  if (allow_never && text == "never") {
    return std::optional<std::chrono::milliseconds>();
  }
  auto d = parse_duration(text);
  if (!d) {
    return d.error();
  }
  if (d.value() < min) {
    return config_failure("", "too short: \"" + std::string(text) + "\" (at least " +
                                  format_duration(min) + ")");
  }
  return std::optional<std::chrono::milliseconds>(d.value());
}

} // namespace

int line_of(const toml::node& node) noexcept {
  return static_cast<int>(node.source().begin.line);
}

std::string_view type_name(const toml::node& node) noexcept {
  switch (node.type()) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a float";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
  case toml::node_type::time:
  case toml::node_type::date_time:
    return "a date/time";
  case toml::node_type::none:
    break;
  }
  return "nothing";
}

config_reader::config_reader(const toml::table* table, std::string path, std::string env_prefix,
                             const config_env& env, std::set<std::string, std::less<>>& seen_env)
    : table_(table), path_(std::move(path)), env_prefix_(std::move(env_prefix)), env_(env),
      seen_env_(seen_env) {}

std::string config_reader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string config_reader::env_name(std::string_view key) const {
  return env_prefix_ + env_name_part(key);
}

config_result<void> config_reader::only_keys(std::initializer_list<std::string_view> known) const {
  if (table_ == nullptr) {
    return config_ok();
  }
  for (const auto& [key, node] : *table_) {
    bool ok = false;
    for (const auto k : known) {
      ok = ok || key.str() == k;
    }
    if (!ok) {
      return config_failure(key_path(key.str()), "unknown key", line_of(node));
    }
  }
  return config_ok();
}

bool config_reader::present(std::initializer_list<std::string_view> keys) {
  bool any = table_ != nullptr;
  for (const auto key : keys) {
    any = lookup(key).has_value() || any;
  }
  return any;
}

std::optional<config_reader::found_value> config_reader::lookup(std::string_view key) {
  auto name = env_name(key);
  if (const auto* value = env_.find(name)) {
    seen_env_.insert(name);
    return found_value{std::move(name), 0, nullptr, *value};
  }
  seen_env_.insert(std::move(name));
  if (table_ != nullptr) {
    if (const auto* node = table_->get(key)) {
      return found_value{key_path(key), line_of(*node), node, {}};
    }
  }
  return std::nullopt;
}

config_result<std::optional<config_reader::found_value>>
config_reader::string_value(std::string_view key) {
  auto found = lookup(key);
  if (found && found->node != nullptr) {
    const auto* s = found->node->as_string();
    if (s == nullptr) {
      return config_failure(found->where,
                            "expected a string, got " + std::string(type_name(*found->node)),
                            found->line);
    }
    found->text = s->get();
  }
  return found;
}

config_result<void> config_reader::text(std::string_view key, std::string& out) {
  return parsed(key, out,
                [](std::string_view s) -> config_result<std::string> { return std::string(s); });
}

config_result<void> config_reader::text(std::string_view key, secret& out) {
  return parsed(key, out,
                [](std::string_view s) -> config_result<secret> { return secret(std::string(s)); });
}

config_result<void> config_reader::path(std::string_view key, std::filesystem::path& out) {
  return parsed(key, out, [](std::string_view s) -> config_result<std::filesystem::path> {
    return std::filesystem::path(s);
  });
}

config_result<void> config_reader::boolean(std::string_view key, bool& out) {
  auto found = lookup(key);
  if (!found) {
    return config_ok();
  }
  if (found->node != nullptr) {
    const auto* b = found->node->as_boolean();
    if (b == nullptr) {
      return config_failure(found->where,
                            "expected true or false, got " + std::string(type_name(*found->node)),
                            found->line);
    }
    out = b->get();
    return config_ok();
  }
  if (found->text == "true" || found->text == "1") {
    out = true;
  } else if (found->text == "false" || found->text == "0") {
    out = false;
  } else {
    return config_failure(found->where, "expected true, false, 1 or 0");
  }
  return config_ok();
}

config_result<void> config_reader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                           std::int64_t& out) {
  auto found = lookup(key);
  if (!found) {
    return config_ok();
  }
  std::int64_t value = 0;
  if (found->node != nullptr) {
    const auto* i = found->node->as_integer();
    if (i == nullptr) {
      return config_failure(found->where,
                            "expected an integer, got " + std::string(type_name(*found->node)),
                            found->line);
    }
    value = i->get();
  } else {
    const auto& t = found->text;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc{} || ptr != t.data() + t.size()) {
      return config_failure(found->where, "expected an integer, got \"" + t + "\"");
    }
  }
  if (value < min || value > max) {
    return config_failure(found->where,
                          "out of range: " + std::to_string(value) + " (allowed " +
                              std::to_string(min) + ".." + std::to_string(max) + ")",
                          found->line);
  }
  out = value;
  return config_ok();
}

config_result<void> config_reader::duration(std::string_view key, std::chrono::milliseconds min,
                                            std::chrono::milliseconds& out) {
  std::optional<std::chrono::milliseconds> value = out;
  auto r = parsed(key, value,
                  [min](std::string_view s) { return parse_optional_duration(s, min, false); });
  if (r && value) {
    out = *value;
  }
  return r;
}

config_result<void>
config_reader::duration_or_never(std::string_view key, std::chrono::milliseconds min,
                                 std::optional<std::chrono::milliseconds>& out) {
  return parsed(key, out,
                [min](std::string_view s) { return parse_optional_duration(s, min, true); });
}

} // namespace herald::app
