#include "bench/herald_bench/h2load_runner.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <unistd.h>

#include "bench/herald_bench/cpu_budget.hpp"
#include "tests/support/process.hpp"

namespace herald::bench {

std::optional<h2load_result> parse_h2load_output(const std::string& text) {
  std::optional<h2load_result> out;
  std::istringstream lines(text);
  std::string line;
  h2load_result r;
  bool finished = false;
  while (std::getline(lines, line)) {
    double seconds = 0, rate = 0;
    unsigned long long total = 0, started = 0, done = 0, ok = 0, failed = 0;
    unsigned long long s2 = 0;
    // "finished in 1.23s, 8123.45 req/s, 12.34MB/s"; short runs say "516.97ms" or "870us".
    char unit[3] = {};
    if (std::sscanf(line.c_str(), "finished in %lf%2[mus], %lf req/s", &seconds, unit, &rate) ==
        3) {
      const std::string u(unit);
      r.seconds = u == "ms" ? seconds / 1e3 : u == "us" ? seconds / 1e6 : seconds;
      r.req_per_s = rate;
      finished = true;
    } else if (std::sscanf(line.c_str(),
                           "requests: %llu total, %llu started, %llu done, %llu succeeded, "
                           "%llu failed",
                           &total, &started, &done, &ok, &failed) == 5) {
      r.succeeded = ok;
      r.failed = failed;
    } else if (std::sscanf(line.c_str(), "status codes: %llu 2xx", &s2) == 1) {
      r.status_2xx = s2;
    }
  }
  if (finished) {
    out = r;
  }
  return out;
}

std::optional<std::string> find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return program;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return std::nullopt;
}

std::optional<h2load_result> run_h2load(const h2load_plan& plan, std::string& error) {
  test::process_options po;
  po.program = find_program(plan.program).value_or(plan.program);
  po.name = "h2load";
  po.log_dir = plan.work_dir;
  po.args = {"-n", std::to_string(plan.requests), "-c", std::to_string(plan.clients),
             "-m", std::to_string(plan.streams),  "-d", plan.body_file};
  for (const auto& h : plan.headers) {
    po.args.push_back("-H");
    po.args.push_back(h);
  }
  po.args.push_back(plan.url);
  std::string command = plan.program;
  for (const auto& a : po.args) {
    // The bearer token is a credential of the throwaway test key; still, keep it out of
    // reports.
    command += ' ';
    command += a.rfind("authorization:", 0) == 0  ? "'authorization: bearer <JWT>'"
               : a.find(' ') != std::string::npos ? "'" + a + "'"
                                                  : a;
  }
  try {
    test::child_process h2load(po);
    auto status = h2load.wait_for_exit(std::chrono::minutes(10));
    if (!status || *status != 0) {
      error = "h2load failed (status " + (status ? std::to_string(*status) : "timeout") +
              "): " + h2load.stderr_text() + h2load.stdout_text();
      return std::nullopt;
    }
    auto result = parse_h2load_output(h2load.stdout_text());
    if (!result) {
      error = "cannot parse h2load output: " + h2load.stdout_text();
      return std::nullopt;
    }
    result->command = command;
    return result;
  } catch (const std::exception& e) {
    error = std::string("cannot run h2load: ") + e.what();
    return std::nullopt;
  }
}

std::optional<h2load_result> run_h2load_measured(const h2load_plan& plan, pid_t mock_pid,
                                                 std::string& error) {
  cpu_window cpu({mock_pid});
  auto result = run_h2load(plan, error);
  cpu.stop();
  if (result) {
    // h2load is the only child reaped inside the window.
    result->client_cpu_s = cpu.children();
    result->mock_cpu_s = cpu.seconds(0);
  }
  return result;
}

} // namespace herald::bench
