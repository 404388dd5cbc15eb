// CI smoke of herald-bench: a small bounded run of the whole harness (spawned mock APNs and
// herald serve, registrations, webhook batches, delivery check). It asserts that the harness
// works and nothing is lost, never how fast anything was: CI machines vary too much.
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

struct smoke_run {
  temp_dir dir;
  int exit_code = -1;
  std::string stderr_text;
  rapidjson::Document results;

  /// Runs herald-bench --spawn with `args` added; its JSON goes to a file in `dir`.
  explicit smoke_run(std::vector<std::string> args)
      : smoke_run(HERALD_BENCH_BIN, {"--spawn", "--herald-bin", HERALD_BIN, "--quiet"},
                  std::move(args)) {}

  /// Runs `program` with `base`, `--mock-bin`, `--out` and `args`.
  smoke_run(const char* program, std::vector<std::string> base, std::vector<std::string> args) {
    process_options po;
    po.program = program;
    po.name = "bench";
    po.log_dir = dir.path();
    po.args = std::move(base);
    po.args.insert(po.args.end(),
                   {"--mock-bin", HERALD_MOCK_APNS_BIN, "--out", (dir / "results.json").string()});
    po.args.insert(po.args.end(), args.begin(), args.end());
    child_process bench(po);
    exit_code = bench.wait_for_exit(60s).value_or(-1);
    stderr_text = bench.stderr_text();
    std::ifstream in(dir / "results.json");
    std::ostringstream text;
    text << in.rdbuf();
    results.Parse(text.str().c_str());
  }

  std::uint64_t number(const char* section, const char* key) const {
    BOOST_TEST_REQUIRE(results.IsObject(), stderr_text);
    BOOST_TEST_REQUIRE(results.HasMember(section), section);
    BOOST_TEST_REQUIRE(results[section].HasMember(key), key);
    return results[section][key].GetUint64();
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(bench_smoke)

BOOST_AUTO_TEST_CASE(a_small_closed_loop_run_delivers_every_accepted_event) {
  smoke_run uut({"--identities", "200", "--max-devices", "2", "--events", "2000", "--batch", "50",
                 "--connections", "2", "--drain-timeout", "30"});
  BOOST_TEST(uut.exit_code == 0, uut.stderr_text);
  BOOST_TEST(uut.number("events", "sent") == 2000u);
  BOOST_TEST(uut.number("events", "acked") == 2000u);
  BOOST_TEST(uut.number("registration", "failures") == 0u);
  const auto expected = uut.number("pushes", "expected");
  // 200 identities with 1 or 2 devices each: every event rings at least one device.
  BOOST_TEST(expected >= 2000u);
  BOOST_TEST(uut.number("pushes", "received") == expected);
  BOOST_TEST(uut.number("pushes", "lost") == 0u);
  BOOST_TEST(uut.number("pushes", "duplicates") == 0u);
  const auto& latency = uut.results["latency"];
  BOOST_TEST_REQUIRE(latency.IsObject());
  for (const char* kind : {"ack", "end_to_end"}) {
    BOOST_TEST_REQUIRE(latency.HasMember(kind), kind);
    for (const char* p : {"p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms"}) {
      BOOST_TEST(latency[kind].HasMember(p), kind << "." << p);
    }
  }
  BOOST_TEST(latency["end_to_end"]["count"].GetUint64() == expected);
  BOOST_TEST_REQUIRE(uut.results["herald_process"].IsArray());
  BOOST_TEST(uut.results["herald_process"].Size() >= 1u);
  BOOST_TEST(uut.results["herald_process"][0]["rss_kb"].GetUint64() > 0u);
}

BOOST_AUTO_TEST_CASE(a_run_over_http2_streams_delivers_every_accepted_event) {
  smoke_run uut({"--identities", "100", "--max-devices", "1", "--events", "1000", "--batch", "20",
                 "--connections", "1", "--http2-streams", "8", "--drain-timeout", "30"});
  BOOST_TEST(uut.exit_code == 0, uut.stderr_text);
  BOOST_TEST(uut.number("config", "http2_streams") == 8u);
  BOOST_TEST(uut.number("events", "acked") == 1000u);
  BOOST_TEST(uut.number("events", "transport_errors") == 0u);
  BOOST_TEST(uut.number("pushes", "received") == 1000u);
  BOOST_TEST(uut.number("pushes", "lost") == 0u);
}

BOOST_AUTO_TEST_CASE(exits_non_zero_when_it_cannot_confirm_every_push) {
  // A drain timeout of zero: the harness never sees the mock reach the expected count, so it
  // must not report success, whatever arrived afterwards.
  smoke_run uut(
      {"--identities", "50", "--events", "500", "--batch", "100", "--drain-timeout", "0"});
  BOOST_TEST(uut.exit_code == 1, uut.stderr_text);
  BOOST_TEST_REQUIRE(uut.results.IsObject(), uut.stderr_text);
  BOOST_TEST(uut.results["pushes"]["drained"].GetBool() == false);
}

BOOST_AUTO_TEST_CASE(the_sender_bench_pushes_every_notification_once_and_runs_h2load) {
  smoke_run uut(HERALD_SENDER_BENCH_BIN, {},
                {"--notifications", "3000", "--connections", "2", "--streams", "50", "--h2load"});
  BOOST_TEST(uut.exit_code == 0, uut.stderr_text);
  BOOST_TEST_REQUIRE(uut.results.IsObject(), uut.stderr_text);
  BOOST_TEST(uut.results["accepted"].GetUint64() == 3000u);
  BOOST_TEST(uut.results["unfinished"].GetUint64() == 0u);
  BOOST_TEST(uut.number("mock_stats", "accepted") == 3000u);
  BOOST_TEST(uut.number("mock_stats", "duplicates") == 0u);
  BOOST_TEST(uut.number("h2load", "succeeded") == 3000u);
  BOOST_TEST(uut.results["per_second"].GetDouble() > 0.0);
  // The steadier A/B figure on a shared machine (the mock's, in clock ticks, may round to 0).
  BOOST_TEST_REQUIRE(uut.results.HasMember("cpu_us_per_notification"));
  BOOST_TEST(uut.results["cpu_us_per_notification"]["sender"].GetDouble() > 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
