#include "bench/herald_bench/proc_sampler.hpp"

#include <fstream>
#include <string>

#include "bench/herald_bench/cpu_budget.hpp"

namespace herald::bench {

proc_sampler::proc_sampler(pid_t pid)
    : pid_(pid), start_(std::chrono::steady_clock::now()), last_(start_) {}

bool proc_sampler::sample() {
  const auto cpu_s = process_cpu_seconds(pid_);
  if (!cpu_s) {
    return false;
  }
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  proc_sample s;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      s.rss_kb = std::stoull(line.substr(6));
    }
  }
  const auto now = std::chrono::steady_clock::now();
  s.t_s = std::chrono::duration<double>(now - start_).count();
  if (primed_) {
    const double wall = std::chrono::duration<double>(now - last_).count();
    s.cpu_percent = wall > 0 ? 100.0 * (*cpu_s - last_cpu_s_) / wall : 0;
  }
  primed_ = true;
  last_ = now;
  last_cpu_s_ = *cpu_s;
  samples_.push_back(s);
  return true;
}

} // namespace herald::bench
