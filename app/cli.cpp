#include "app/cli.hpp"

#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/logging.hpp"

namespace herald::app {
namespace {

/// Loads and fully checks the config; prints the error and returns nullopt on failure.
std::optional<config> load_checked(const std::filesystem::path& file, std::ostream& err,
                                   const config_env& env) {
  auto cfg = load_config(file, env);
  if (cfg) {
    if (auto files = check_config_files(cfg.value()); !files) {
      cfg = files.error();
    }
  }
  if (!cfg) {
    err << "herald: " << cfg.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(cfg.value());
}

} // namespace

cli_command parse_cli(int argc, const char* const* argv) {
  cli_command cmd;
  CLI::App app{"Herald turns Azure Communication Services events into mobile push "
               "notifications (APNs, FCM, WNS).",
               "herald"};
  app.set_version_flag("--version", "herald " HERALD_VERSION);
  app.require_subcommand(1);

  auto* serve = app.add_subcommand("serve", "Run a node until SIGTERM or SIGINT.");
  serve->add_option("-c,--config", cmd.config_file, "Configuration file (TOML)")
      ->required()
      ->envname("HERALD_CONFIG");
  auto* check = app.add_subcommand(
      "check-config", "Load and validate a configuration, check its key files, print a summary.");
  check->add_option("-c,--config", cmd.config_file, "Configuration file (TOML)")
      ->required()
      ->envname("HERALD_CONFIG");
  auto* explain = app.add_subcommand(
      "explain", "(coming) Print the recipients, intents and provider requests an event "
                 "would cause, without sending anything.");
  explain->add_option("event", cmd.event_file, "Event Grid or CloudEvents JSON file")->required();

  // CLI11 reports help, version and usage errors by exception; they stop here and become
  // data, so callers see one return value for every outcome.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = app.exit(e, out, err);
    cmd.kind = command_kind::exit;
    cmd.exit_code = code == 0 ? 0 : exit_bad_input;
    cmd.out_text = out.str();
    cmd.err_text = err.str();
    return cmd;
  }
  if (serve->parsed()) {
    cmd.kind = command_kind::serve;
  } else if (check->parsed()) {
    cmd.kind = command_kind::check_config;
  } else {
    cmd.kind = command_kind::explain;
  }
  return cmd;
}

int run_cli(const cli_command& cmd, std::ostream& out, std::ostream& err,
            const node_runner& run_node, const config_env& env) {
  switch (cmd.kind) {
  case command_kind::exit:
    out << cmd.out_text;
    err << cmd.err_text;
    return cmd.exit_code;
  case command_kind::explain:
    err << "herald explain: not implemented yet\n";
    return exit_bad_input;
  case command_kind::check_config: {
    const auto cfg = load_checked(cmd.config_file, err, env);
    if (!cfg) {
      return exit_bad_input;
    }
    out << "config OK: " << cmd.config_file.string() << "\n" << summarize(*cfg);
    return 0;
  }
  case command_kind::serve: {
    const auto cfg = load_checked(cmd.config_file, err, env);
    if (!cfg) {
      return exit_bad_input;
    }
    setup_logging(cfg->log);
    spdlog::info("herald {} starting with {}", HERALD_VERSION, cmd.config_file.string());
    return run_node(*cfg);
  }
  }
  return exit_bad_input;
}

} // namespace herald::app
