#include "app/cli.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace app = herald::app;

namespace {

app::cli_command parse(std::vector<const char*> args) {
  args.insert(args.begin(), "herald");
  return app::parse_cli(static_cast<int>(args.size()), args.data());
}

struct fixture {
  herald::test::temp_dir dir;
  std::ostringstream out;
  std::ostringstream err;
  int runs = 0;
  app::config seen;

  /// A config file with one app whose APNs key is `key_file` and the `[webhook]` table
  /// `webhook`.
  std::string write_config(const std::string& key_file,
                           const std::string& webhook = "query_secret = \"s3cret-value\"") {
    const auto path = (dir / "herald.toml").string();
    std::ofstream(path) << "[node]\nshards = 3\ndata_dir = \"" << (dir / "data").string()
                        << "\"\n[webhook]\n"
                        << webhook
                        << "\n[[apps]]\nname = \"demo\"\n[apps.apns]\nteam_id = \"T\"\n"
                           "key_id = \"K\"\nbundle_id = \"com.example\"\nkey_file = \""
                        << key_file << "\"\n";
    return path;
  }

  int run(const app::cli_command& cmd, app::config_env env = {}) {
    return app::run_cli(
        cmd, out, err,
        [this](const app::config& cfg) {
          ++runs;
          seen = cfg;
          return 7;
        },
        env);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(cli, fixture)

BOOST_AUTO_TEST_CASE(version_prints_name_and_version) {
  const auto uut = parse({"--version"});
  BOOST_TEST(static_cast<int>(uut.kind) == static_cast<int>(app::command_kind::exit));
  BOOST_TEST(uut.exit_code == 0);
  BOOST_TEST(uut.out_text == "herald " HERALD_VERSION "\n");
}

BOOST_AUTO_TEST_CASE(help_lists_every_subcommand) {
  const auto uut = parse({"--help"});
  BOOST_TEST(uut.exit_code == 0);
  for (const auto* word : {"serve", "check-config", "explain", "--version"}) {
    BOOST_TEST(uut.out_text.find(word) != std::string::npos, word);
  }
}

BOOST_AUTO_TEST_CASE(serve_takes_the_config_file) {
  const auto uut = parse({"serve", "--config", "x.toml"});
  BOOST_TEST(static_cast<int>(uut.kind) == static_cast<int>(app::command_kind::serve));
  BOOST_TEST(uut.config_file == "x.toml");
  BOOST_TEST(parse({"serve", "-c", "y.toml"}).config_file == "y.toml");
}

BOOST_AUTO_TEST_CASE(check_config_takes_the_config_file) {
  const auto uut = parse({"check-config", "--config", "x.toml"});
  BOOST_TEST(static_cast<int>(uut.kind) == static_cast<int>(app::command_kind::check_config));
  BOOST_TEST(uut.config_file == "x.toml");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_with_2_and_say_why) {
  for (const auto& args : std::vector<std::vector<const char*>>{{},
                                                                {"serve"},
                                                                {"frobnicate"},
                                                                {"serve", "--config"},
                                                                {"serve", "-c", "a", "--x"},
                                                                {"explain"}}) {
    const auto uut = parse(args);
    BOOST_TEST(static_cast<int>(uut.kind) == static_cast<int>(app::command_kind::exit));
    BOOST_TEST(uut.exit_code == app::exit_bad_input);
    BOOST_TEST(!uut.err_text.empty());
  }
  BOOST_TEST(parse({"serve"}).err_text.find("--config") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hash_key_prints_the_sha256_of_the_argument_or_of_stdin) {
  // FIPS 180-2, appendix B.1: SHA-256("abc").
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n";
  const auto given = parse({"hash-key", "abc"});
  BOOST_TEST(static_cast<int>(given.kind) == static_cast<int>(app::command_kind::hash_key));
  BOOST_TEST(given.key == "abc");
  std::istringstream no_input;
  std::ostringstream printed;
  std::ostringstream errors;
  BOOST_TEST(app::run_hash_key(given, no_input, printed, errors) == 0);
  BOOST_TEST(printed.str() == abc);

  std::istringstream line("abc\r\nnot this\n");
  std::ostringstream from_stdin;
  BOOST_TEST(app::run_hash_key(parse({"hash-key"}), line, from_stdin, errors) == 0);
  BOOST_TEST(from_stdin.str() == abc);

  std::istringstream empty;
  std::ostringstream nothing;
  BOOST_TEST(app::run_hash_key(parse({"hash-key"}), empty, nothing, errors) == app::exit_bad_input);
  BOOST_TEST(nothing.str().empty());
  BOOST_TEST(errors.str().find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(explain_takes_the_event_file_and_a_schema) {
  const auto uut = parse({"explain", "event.json", "--schema", "cloudevents"});
  BOOST_TEST(static_cast<int>(uut.kind) == static_cast<int>(app::command_kind::explain));
  BOOST_TEST(uut.event_file == "event.json");
  BOOST_TEST(uut.schema == "cloudevents");
  BOOST_TEST(parse({"explain", "event.json"}).schema.empty());
  BOOST_TEST(parse({"explain", "event.json", "--schema", "xml"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(explain_prints_the_provider_requests_of_a_sample) {
  const std::string file = HERALD_SAMPLES_DIR "/eventgrid-IncomingCall-1.json";
  BOOST_TEST(run(parse({"explain", file.c_str()})) == 0, err.str());
  BOOST_TEST(out.str().find("\"schema\": \"event-grid\"") != std::string::npos, out.str());
  BOOST_TEST(out.str().find("\"platform\": \"apns-voip\"") != std::string::npos);
  BOOST_TEST(out.str().find("\"kind\": \"ring\"") != std::string::npos);
  // The sample's incomingCallContext is corrupt: the ring cannot be encoded, and says why.
  BOOST_TEST(out.str().find("incomingCallContext") != std::string::npos);
  BOOST_TEST(err.str().empty());
}

BOOST_AUTO_TEST_CASE(explain_rejects_a_bad_file_with_exit_2) {
  const auto bad = (dir / "bad.json").string();
  std::ofstream(bad) << "{not json";
  BOOST_TEST(run(parse({"explain", bad.c_str()})) == 2);
  BOOST_TEST(err.str().starts_with("herald explain: "), err.str());
  BOOST_TEST(err.str().find("not valid JSON") != std::string::npos, err.str());
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(explain_rejects_a_missing_file_or_the_wrong_schema) {
  const auto missing = (dir / "missing.json").string();
  BOOST_TEST(run(parse({"explain", missing.c_str()})) == 2);
  BOOST_TEST(err.str().find("cannot read") != std::string::npos, err.str());
  const std::string file = HERALD_SAMPLES_DIR "/eventgrid-IncomingCall-1.json";
  BOOST_TEST(run(parse({"explain", file.c_str(), "--schema", "cloudevents"})) == 2);
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(check_config_prints_ok_and_a_summary) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8");
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()})) == 0, err.str());
  BOOST_TEST(out.str().starts_with("config OK"));
  BOOST_TEST(out.str().find("shards=3") != std::string::npos);
  BOOST_TEST(out.str().find("demo") != std::string::npos);
  BOOST_TEST(out.str().find("webhook: auth=query") != std::string::npos, out.str());
  BOOST_TEST(out.str().find("s3cret-value") == std::string::npos);
  BOOST_TEST(runs == 0);
}

BOOST_AUTO_TEST_CASE(serve_refuses_a_webhook_without_authentication_outside_dev_mode) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8", "");
  BOOST_TEST(run(parse({"serve", "--config", file.c_str()})) == 2);
  BOOST_TEST(runs == 0);
  BOOST_TEST(err.str().starts_with("herald: webhook.query_secret: no webhook authentication"),
             err.str());
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()})) == 2);
}

BOOST_AUTO_TEST_CASE(dev_mode_or_an_environment_secret_satisfies_webhook_authentication) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8", "");
  app::config_env dev;
  dev.vars["HERALD_NODE_DEV"] = "true";
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()}), dev) == 0, err.str());
  app::config_env sas;
  sas.vars["HERALD_WEBHOOK_SAS_KEY"] = "from-the-environment";
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()}), sas) == 0, err.str());
  BOOST_TEST(out.str().find("from-the-environment") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(check_config_names_an_unreadable_jwt_key_file) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8",
                                 "jwt_audience = \"api://h\"\njwt_issuers = \"https://i/\"\n"
                                 "jwt_keys = \"k1=" +
                                     (dir / "missing.pem").string() + "\"");
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()})) == 2);
  BOOST_TEST(err.str().starts_with("herald: webhook.jwt_keys: cannot read"), err.str());
  const auto ec_key = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8",
                                   "jwt_audience = \"api://h\"\njwt_issuers = \"https://i/\"\n"
                                   "jwt_keys = \"k1=" HERALD_TEST_DATA_DIR "/apns-test-key.p8\"");
  BOOST_TEST(run(parse({"check-config", "--config", ec_key.c_str()})) == 2);
  BOOST_TEST(err.str().find("webhook.jwt_keys: jwt.keys.k1: not an RSA public key") !=
                 std::string::npos,
             err.str());
}

BOOST_AUTO_TEST_CASE(check_config_names_the_bad_key_and_exits_2) {
  const auto file = write_config((dir / "missing.p8").string());
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()})) == 2);
  BOOST_TEST(err.str().starts_with("herald: apps[0].apns.key_file: file not found: "));
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(check_config_names_a_bad_environment_variable) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8");
  app::config_env env;
  env.vars["HERALD_HTTP_THREADS"] = "lots";
  BOOST_TEST(run(parse({"check-config", "--config", file.c_str()}), env) == 2);
  BOOST_TEST(err.str().starts_with("herald: HERALD_HTTP_THREADS: "));
}

BOOST_AUTO_TEST_CASE(serve_runs_the_node_with_the_loaded_config) {
  const auto file = write_config(HERALD_TEST_DATA_DIR "/apns-test-key.p8");
  BOOST_TEST(run(parse({"serve", "--config", file.c_str()})) == 7, err.str());
  BOOST_TEST(runs == 1);
  BOOST_TEST(seen.node.shards == 3);
  BOOST_TEST(seen.apps.at(0).name == "demo");
}

BOOST_AUTO_TEST_CASE(serve_refuses_a_bad_config_without_starting) {
  BOOST_TEST(run(parse({"serve", "--config", (dir / "nope.toml").c_str()})) == 2);
  BOOST_TEST(runs == 0);
  BOOST_TEST(err.str().starts_with("herald: --config: cannot read "));
}

BOOST_AUTO_TEST_SUITE_END()
