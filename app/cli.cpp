#include "app/cli.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/logging.hpp"
#include "protocol/api_key.hpp"
#include "protocol/explain.hpp"

namespace herald::app {
namespace {

/// `herald explain`: the file's body through `protocol::explain`, JSON on `out`.
int run_explain(const cli_command& cmd, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(cmd.event_file, ec)) {
    in.open(cmd.event_file, std::ios::binary);
  }
  if (!in.is_open()) {
    err << "herald explain: cannot read " << cmd.event_file.string() << "\n";
    return exit_bad_input;
  }
  const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  if (in.bad()) {
    err << "herald explain: cannot read " << cmd.event_file.string() << "\n";
    return exit_bad_input;
  }
  protocol::content_kind kind = protocol::detect_content_kind(text);
  if (cmd.schema == "eventgrid") {
    kind = protocol::content_kind::event_grid;
  } else if (cmd.schema == "cloudevents") {
    kind = protocol::content_kind::cloud_event;
  } else if (cmd.schema == "cloudevents-batch") {
    kind = protocol::content_kind::cloud_event_batch;
  }
  auto json = protocol::explain(text, kind, std::chrono::system_clock::now());
  if (!json) {
    err << "herald explain: " << cmd.event_file.string() << ": " << json.error().describe() << "\n";
    return exit_bad_input;
  }
  out << json.value() << "\n";
  return 0;
}

/// Loads and fully checks the config; prints the error and returns nullopt on failure.
std::optional<config> load_checked(const std::filesystem::path& file, std::ostream& err,
                                   const config_env& env) {
  auto cfg = load_config(file, env);
  if (cfg) {
    if (auto files = check_config_files(cfg.value()); !files) {
      cfg = files.error();
    } else if (auto auth = check_webhook(cfg.value().webhook, cfg.value().node.dev); !auth) {
      cfg = auth.error();
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
  auto* explain =
      app.add_subcommand("explain", "Print the recipients, intents and provider requests an event "
                                    "would cause, without sending anything.");
  explain->add_option("event", cmd.event_file, "Event Grid or CloudEvents JSON file")->required();
  explain
      ->add_option("--schema", cmd.schema,
                   "eventgrid, cloudevents or cloudevents-batch (default: detect from content)")
      ->check(CLI::IsMember({"eventgrid", "cloudevents", "cloudevents-batch"}));

  auto* hash_key = app.add_subcommand(
      "hash-key", "Print the SHA-256 (hex) of an API key for [[apps.api_keys]] sha256; reads the "
                  "key from standard input when not given (keeps it out of shell history).");
  hash_key->add_option("key", cmd.key, "The API key");

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
  } else if (hash_key->parsed()) {
    cmd.kind = command_kind::hash_key;
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
    return run_explain(cmd, out, err);
  case command_kind::hash_key:
    return run_hash_key(cmd, std::cin, out, err);
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

int run_hash_key(const cli_command& cmd, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string key = cmd.key;
  if (key.empty()) {
    std::getline(in, key);
    if (!key.empty() && key.back() == '\r') {
      key.pop_back();
    }
  }
  if (key.empty()) {
    err << "herald hash-key: the key is empty\n";
    return exit_bad_input;
  }
  out << protocol::to_hex(protocol::sha256(key)) << "\n";
  return 0;
}

} // namespace herald::app
