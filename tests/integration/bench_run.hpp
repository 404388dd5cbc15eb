#pragma once

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace herald::test {

/// One bounded run of herald-bench (or another bench tool) for the CI smoke tests: its JSON
/// results parsed, its exit code and stderr kept. Lifecycle: the constructor runs the tool to
/// completion (60 s at most, then -1). Threading: the test's thread.
struct bench_run {
  temp_dir dir;
  int exit_code = -1;
  std::string stderr_text;
  rapidjson::Document results;

  /// Runs herald-bench --spawn with `args` added; its JSON goes to a file in `dir`.
  explicit bench_run(std::vector<std::string> args)
      : bench_run(HERALD_BENCH_BIN, {"--spawn", "--herald-bin", HERALD_BIN, "--quiet"},
                  std::move(args)) {}

  /// Runs `program` with `base`, `--mock-bin`, `--out` and `args`.
  bench_run(const char* program, std::vector<std::string> base, std::vector<std::string> args) {
    process_options po;
    po.program = program;
    po.name = "bench";
    po.log_dir = dir.path();
    po.args = std::move(base);
    po.args.insert(po.args.end(),
                   {"--mock-bin", HERALD_MOCK_APNS_BIN, "--out", (dir / "results.json").string()});
    po.args.insert(po.args.end(), args.begin(), args.end());
    child_process bench(po);
    exit_code = bench.wait_for_exit(std::chrono::seconds(60)).value_or(-1);
    stderr_text = bench.stderr_text();
    std::ifstream in(dir / "results.json");
    std::ostringstream text;
    text << in.rdbuf();
    results.Parse(text.str().c_str());
  }

  /// `results[section][key]` as an unsigned number; fails the test when absent.
  std::uint64_t number(const char* section, const char* key) const {
    BOOST_TEST_REQUIRE(results.IsObject(), stderr_text);
    BOOST_TEST_REQUIRE(results.HasMember(section), section);
    BOOST_TEST_REQUIRE(results[section].HasMember(key), key);
    return results[section][key].GetUint64();
  }

  /// Checks a clean run of `events` events: exit 0, every event acknowledged, every expected
  /// push (at least one per event) received once, one end-to-end latency per push. Returns
  /// the expected pushes.
  std::uint64_t expect_every_push_received(std::uint64_t events) const {
    BOOST_TEST(exit_code == 0, stderr_text);
    BOOST_TEST(number("events", "sent") == events);
    BOOST_TEST(number("events", "acked") == events);
    BOOST_TEST(number("events", "failed") == 0u);
    const auto expected = number("pushes", "expected");
    BOOST_TEST(expected >= events); // every identity has at least one device
    BOOST_TEST(number("pushes", "received") == expected);
    BOOST_TEST(number("pushes", "lost") == 0u);
    BOOST_TEST(number("pushes", "duplicates") == 0u);
    BOOST_TEST(results["latency"]["end_to_end"]["count"].GetUint64() == expected);
    return expected;
  }
};

} // namespace herald::test
