#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "app/config_env.hpp"
#include "app/config_error.hpp"
#include "app/config_secret.hpp"

/// Returns the error of a failed `config_result` expression from the enclosing function.
#define HERALD_CONFIG_TRY(expr)                                                                    \
  do {                                                                                             \
    if (auto r_ = (expr); !r_) {                                                                   \
      return r_.error();                                                                           \
    }                                                                                              \
  } while (false)

namespace herald::app {

/// Reads the keys of one TOML table, each overridden by its environment variable.
///
/// Internal to the config loader. One reader per table (`[http]`, `apps[0].apns`); the table
/// may be absent, then only the environment and the defaults count. Every read names the
/// source of a bad value in its error: the TOML path (`apps[0].apns.key_file`) or the
/// variable (`HERALD_APPS_CONTOSO_APNS_KEY_FILE`). A key that is nowhere leaves `out` at its
/// default. Every variable name it looks up is added to `seen_env`, so that the loader can
/// reject the `HERALD_*` variables that match no key.
class config_reader {
public:
  config_reader(const toml::table* table, std::string path, std::string env_prefix,
                const config_env& env, std::set<std::string, std::less<>>& seen_env);

  /// Fails on the first key of the table that is not in `known` (typos must not pass).
  [[nodiscard]] config_result<void> only_keys(std::initializer_list<std::string_view> known) const;
  /// True when the table exists or one of `keys` is set in the environment.
  [[nodiscard]] bool present(std::initializer_list<std::string_view> keys);

  [[nodiscard]] config_result<void> text(std::string_view key, std::string& out);
  [[nodiscard]] config_result<void> text(std::string_view key, secret& out);
  [[nodiscard]] config_result<void> path(std::string_view key, std::filesystem::path& out);
  [[nodiscard]] config_result<void> boolean(std::string_view key, bool& out);
  /// An integer in [min, max].
  [[nodiscard]] config_result<void> integer(std::string_view key, std::int64_t min,
                                            std::int64_t max, std::int64_t& out);
  /// A duration string of at least `min` (see `parse_duration`).
  [[nodiscard]] config_result<void> duration(std::string_view key, std::chrono::milliseconds min,
                                             std::chrono::milliseconds& out);
  /// A duration of at least `min`, or `"never"` (nullopt).
  [[nodiscard]] config_result<void>
  duration_or_never(std::string_view key, std::chrono::milliseconds min,
                    std::optional<std::chrono::milliseconds>& out);

  /// A string value converted by `parse` (`string_view -> config_result<T>`), whose error key
  /// is replaced by where the value came from.
  template <class T, class Parse>
  [[nodiscard]] config_result<void> parsed(std::string_view key, T& out, Parse&& parse) {
    auto found = string_value(key);
    if (!found) {
      return found.error();
    }
    if (!found.value()) {
      return config_ok();
    }
    auto value = parse(std::string_view(found.value()->text));
    if (!value) {
      return config_failure(found.value()->where, value.error().message, found.value()->line);
    }
    out = std::move(value.value());
    return config_ok();
  }

  /// The TOML path of `key` in this table: `apps[0].apns.key_file`.
  [[nodiscard]] std::string key_path(std::string_view key) const;
  /// The environment variable of `key`: `HERALD_APPS_CONTOSO_APNS_KEY_FILE`.
  [[nodiscard]] std::string env_name(std::string_view key) const;
  /// The TOML path of the table itself.
  [[nodiscard]] const std::string& table_path() const noexcept { return path_; }

private:
  /// A value found for a key: its text or node, and where it came from.
  struct found_value {
    std::string where;
    int line = 0;
    const toml::node* node = nullptr; ///< Null when the value came from the environment.
    std::string text;                 ///< The environment text, or the TOML string.
  };

  /// The environment value, else the TOML node, else nullopt.
  [[nodiscard]] std::optional<found_value> lookup(std::string_view key);
  /// Like `lookup`, but the TOML node must be a string.
  [[nodiscard]] config_result<std::optional<found_value>> string_value(std::string_view key);

  const toml::table* table_;
  std::string path_;
  std::string env_prefix_;
  const config_env& env_;
  std::set<std::string, std::less<>>& seen_env_;
};

/// The 1-based line of `node` in its document, 0 when unknown.
[[nodiscard]] int line_of(const toml::node& node) noexcept;
/// `string`, `integer`, `table`, … for "expected a string, got an integer" messages.
[[nodiscard]] std::string_view type_name(const toml::node& node) noexcept;

} // namespace herald::app
