// CI smoke of herald-bench: a small bounded run of the whole harness (spawned mock APNs and
// herald serve, registrations, webhook batches, delivery check). It asserts that the harness
// works and nothing is lost, never how fast anything was: CI machines vary too much.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "tests/integration/bench_run.hpp"

using namespace herald::test;

namespace {

/// True when `gnuplot` is on $PATH (scripts/deps installs gnuplot-nox).
bool gnuplot_installed() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / "gnuplot")) {
      return true;
    }
  }
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bench_smoke)

BOOST_AUTO_TEST_CASE(a_small_closed_loop_run_delivers_every_accepted_event) {
  bench_run uut({"--identities", "200", "--max-devices", "2", "--events", "2000", "--batch", "50",
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
  // Herald's herald_event_dispatch_seconds: one sample per push's first attempt.
  const auto& dispatch = uut.results["herald_dispatch"];
  BOOST_TEST_REQUIRE(dispatch.IsObject(), uut.stderr_text);
  BOOST_TEST(dispatch["count"].GetUint64() == expected);
  BOOST_TEST(dispatch["p50_le_ms"].GetDouble() <= dispatch["p99_le_ms"].GetDouble());
  BOOST_TEST_REQUIRE(uut.results["herald_process"].IsArray());
  BOOST_TEST(uut.results["herald_process"].Size() >= 1u);
  BOOST_TEST(uut.results["herald_process"][0]["rss_kb"].GetUint64() > 0u);
  // The CPU budget: Herald and the mock worked for every push, the bench a little.
  const auto& cpu = uut.results["cpu"];
  BOOST_TEST_REQUIRE(cpu.IsObject());
  for (const char* key : {"herald_us_per_push", "mocks_us_per_push", "bench_us_per_push"}) {
    BOOST_TEST_REQUIRE(cpu[key].IsNumber(), key);
    BOOST_TEST(cpu[key].GetDouble() > 0, key);
  }
  BOOST_TEST(cpu["total_us_per_push"].GetDouble() ==
                 cpu["herald_us_per_push"].GetDouble() + cpu["mocks_us_per_push"].GetDouble() +
                     cpu["bench_us_per_push"].GetDouble(),
             boost::test_tools::tolerance(1e-6));
  BOOST_TEST(cpu["herald_s"].GetDouble() * 1e6 / static_cast<double>(expected) ==
                 cpu["herald_us_per_push"].GetDouble(),
             boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(a_run_over_http2_streams_delivers_every_accepted_event) {
  bench_run uut({"--identities", "100", "--max-devices", "1", "--events", "1000", "--batch", "20",
                 "--connections", "1", "--http2-streams", "8", "--drain-timeout", "30"});
  BOOST_TEST(uut.exit_code == 0, uut.stderr_text);
  BOOST_TEST(uut.number("config", "http2_streams") == 8u);
  BOOST_TEST(uut.number("events", "acked") == 1000u);
  BOOST_TEST(uut.number("events", "transport_errors") == 0u);
  BOOST_TEST(uut.number("pushes", "received") == 1000u);
  BOOST_TEST(uut.number("pushes", "lost") == 0u);
}

BOOST_AUTO_TEST_CASE(a_mixed_platform_run_under_provider_faults_loses_nothing) {
  // 10 % of provider sends fail (503, retry-after 1 s), answers stall 50 ms in every 500 ms
  // and each connection gets GOAWAY after 40 streams: Herald must retry until every push
  // arrived, and replay only what the mocks did not process (no duplicates). Before the
  // mocks' server half-closed and drained after its last frame, its close reset connections
  // with the GOAWAY and the last answers unread: tens of duplicates per run, and with the
  // failures, given-up pushes (docs/BENCHMARKS.md, "Scenarios").
  const bool plot = gnuplot_installed();
  temp_dir plots;
  std::vector<std::string> args{"--platforms",
                                "mixed",
                                "--identities",
                                "100",
                                "--max-devices",
                                "2",
                                "--events",
                                "600",
                                "--batch",
                                "30",
                                "--connections",
                                "2",
                                "--mock-fail-rate",
                                "0.1",
                                "--mock-retry-after",
                                "1",
                                "--mock-spike-every-ms",
                                "500",
                                "--mock-spike-ms",
                                "50",
                                "--mock-goaway-after",
                                "40",
                                "--drain-timeout",
                                "40",
                                "--fcm-mock-bin",
                                HERALD_MOCK_FCM_BIN};
  if (plot) {
    args.insert(args.end(), {"--plot", plots.path().string()});
  }
  bench_run uut(args);
  BOOST_TEST(uut.exit_code == 0, uut.stderr_text);
  BOOST_TEST(uut.number("events", "acked") == 600u);
  const auto expected = uut.number("pushes", "expected");
  BOOST_TEST(expected >= 600u);
  BOOST_TEST(uut.number("pushes", "received") == expected);
  BOOST_TEST(uut.number("pushes", "lost") == 0u);
  BOOST_TEST(uut.number("pushes", "duplicates") == 0u);
  BOOST_TEST_REQUIRE(uut.results["pushes"].HasMember("by_provider"));
  const auto& by = uut.results["pushes"]["by_provider"];
  for (const char* provider : {"apns", "fcm"}) {
    BOOST_TEST(by[provider]["expected"].GetUint64() > 0u, provider);
    BOOST_TEST(by[provider]["received"].GetUint64() == by[provider]["expected"].GetUint64(),
               provider);
  }
  BOOST_TEST(by["apns"]["received"].GetUint64() + by["fcm"]["received"].GetUint64() == expected);
  // One point per second of the run, whose acks add up to the events.
  const auto& series = uut.results["series"];
  BOOST_TEST_REQUIRE(series.IsArray());
  BOOST_TEST_REQUIRE(series.Size() >= 1u);
  std::uint64_t acked = 0, pushes = 0;
  for (const auto& point : series.GetArray()) {
    acked += point["acked"].GetUint64();
    pushes += point["pushes"].GetUint64();
  }
  BOOST_TEST(acked == 600u);
  BOOST_TEST(pushes == expected);
  // The RSS verdict: the last third's largest sample against the middle third's.
  const auto& rss = uut.results["rss"];
  if (rss.IsObject()) {
    const double middle = rss["middle_third_max_mb"].GetDouble();
    const double last = rss["last_third_max_mb"].GetDouble();
    BOOST_TEST(rss["max_mb"].GetDouble() >= last);
    BOOST_TEST(rss["rss_flat"].GetBool() == (last <= middle * 1.1));
  }
  if (plot) {
    for (const char* png : {"throughput.png", "latency.png", "rss.png"}) {
      BOOST_TEST(std::filesystem::file_size(plots / png) > 0u, png);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_direct_baseline_pushes_every_event_to_the_mock_itself) {
  // --via direct: no Herald in the path; the bench sends Herald's VoIP request shape to the
  // mock APNs (TLS, checked provider token) and measures the same end-to-end latency.
  bench_run uut({"--via", "direct", "--identities", "100", "--max-devices", "2", "--events", "600",
                 "--rate", "1000", "--drain-timeout", "30"});
  uut.expect_every_push_received(600);
  BOOST_TEST(std::string(uut.results["config"]["via"].GetString()) == "direct");
}

BOOST_AUTO_TEST_CASE(exits_non_zero_when_it_cannot_confirm_every_push) {
  // A drain timeout of zero: the harness never sees the mock reach the expected count, so it
  // must not report success, whatever arrived afterwards.
  bench_run uut(
      {"--identities", "50", "--events", "500", "--batch", "100", "--drain-timeout", "0"});
  BOOST_TEST(uut.exit_code == 1, uut.stderr_text);
  BOOST_TEST_REQUIRE(uut.results.IsObject(), uut.stderr_text);
  BOOST_TEST(uut.results["pushes"]["drained"].GetBool() == false);
}

BOOST_AUTO_TEST_CASE(the_sender_bench_pushes_every_notification_once_and_runs_h2load) {
  bench_run uut(HERALD_SENDER_BENCH_BIN, {},
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
