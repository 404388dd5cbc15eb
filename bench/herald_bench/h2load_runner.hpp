#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace herald::bench {

/// The request shape and load of one h2load run against the mock APNs.
struct h2load_plan {
  std::string url;                  ///< `https://127.0.0.1:PORT/3/device/<token>`.
  std::vector<std::string> headers; ///< `name: value` lines (authorization, apns-*, ...).
  std::string body_file;            ///< POST body (`-d`).
  std::uint64_t requests = 10000;
  std::uint32_t clients = 1, streams = 100;
  std::string program = "h2load";
  std::string work_dir; ///< Where its output files go.
};

/// What h2load reported.
struct h2load_result {
  double seconds = 0, req_per_s = 0;
  std::uint64_t succeeded = 0, failed = 0;
  std::uint64_t status_2xx = 0;
  std::string command; ///< The command line, for the report.
  /// CPU seconds of h2load itself and of the mock during the run (-1: not measured).
  double client_cpu_s = -1, mock_cpu_s = -1;
};

/// `program` itself when it names a path, else its first executable match on $PATH (the
/// process launcher uses execve, which does not search); nullopt when there is none.
[[nodiscard]] std::optional<std::string> find_program(const std::string& program);

/// Runs h2load (nghttp2) as a child process and parses its summary lines
/// ("finished in 1.05s, 9523.81 req/s, ..." and "requests: N total, ..., N succeeded, ...").
/// Returns nullopt (with `error` set) when it cannot run or its output does not parse.
/// Blocks until h2load exits (at most 10 minutes).
[[nodiscard]] std::optional<h2load_result> run_h2load(const h2load_plan& plan, std::string& error);

/// `run_h2load`, also measuring the CPU seconds of h2load and of the server process
/// `mock_pid` during the run (`client_cpu_s`, `mock_cpu_s`).
[[nodiscard]] std::optional<h2load_result> run_h2load_measured(const h2load_plan& plan,
                                                               pid_t mock_pid, std::string& error);

/// Parses h2load's stdout; nullopt when the "finished in" line is missing.
[[nodiscard]] std::optional<h2load_result> parse_h2load_output(const std::string& text);

} // namespace herald::bench
