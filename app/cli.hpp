#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

#include "app/config.hpp"

namespace herald::app {

/// What the command line asked for.
enum class command_kind {
  serve,        ///< `herald serve --config FILE`: run a node.
  check_config, ///< `herald check-config --config FILE`: validate and summarise.
  explain,      ///< `herald explain EVENT.json [--schema S]`: print what the event causes.
  hash_key,     ///< `herald hash-key [KEY]`: print the SHA-256 of an API key (stdin if no KEY).
  exit,         ///< Nothing to run: print `out_text` / `err_text` and exit with `exit_code`.
};

/// Exit code of a configuration or usage error (and of an event file `explain` cannot use).
inline constexpr int exit_bad_input = 2;

/// The parsed command line. Plain data, so parsing is tested without running anything.
struct cli_command {
  command_kind kind = command_kind::exit;
  std::filesystem::path config_file; ///< serve, check_config (`--config` or `HERALD_CONFIG`).
  std::filesystem::path event_file;  ///< explain.
  /// explain: `--schema` (`eventgrid`, `cloudevents`, `cloudevents-batch`); empty = detect.
  std::string schema;
  /// hash_key: the key given as an argument; empty: read one line from standard input.
  std::string key;
  int exit_code = 0;    ///< exit: 0 after --help / --version, 2 on usage errors.
  std::string out_text; ///< exit: for stdout (help, version).
  std::string err_text; ///< exit: for stderr (usage error and hint).
};

/// Parses `herald` arguments with CLI11; never throws and never prints.
[[nodiscard]] cli_command parse_cli(int argc, const char* const* argv);

/// Runs a node from a loaded config; `main` passes `run_node` (app/node.hpp), tests a fake.
using node_runner = std::function<int(const config&)>;

/// Carries out `cmd` and returns the process exit code.
///
/// serve: loads the config with `env`, checks its files, sets up logging, calls `run_node`;
/// check_config: the same checks, then `config OK` and the summary on `out` (exit 0), or the
/// error naming its key on `err` (exit 2). explain: reads the event file and prints
/// `protocol::explain` JSON on `out` (exit 0); an unreadable file or an unusable body goes to
/// `err` as `herald explain: …` (exit 2). hash_key: the lower-case hex SHA-256 of the key
/// (the argument, else the first line of `in`) on `out`, for `[[apps.api_keys]] sha256`; an
/// empty key is an error (exit 2). Configuration errors go to `err` as
/// `herald: <key>: <message>`.
[[nodiscard]] int run_cli(const cli_command& cmd, std::ostream& out, std::ostream& err,
                          const node_runner& run_node, const config_env& env);

/// `herald hash-key`: prints the SHA-256 of `cmd.key`, or of the first line of `in` when
/// `cmd.key` is empty; returns the exit code (`exit_bad_input` for an empty key).
[[nodiscard]] int run_hash_key(const cli_command& cmd, std::istream& in, std::ostream& out,
                               std::ostream& err);

} // namespace herald::app
