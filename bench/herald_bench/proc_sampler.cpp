#include "bench/herald_bench/proc_sampler.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace herald::bench {

proc_sampler::proc_sampler(pid_t pid)
    : pid_(pid), start_(std::chrono::steady_clock::now()), last_(start_) {}

std::optional<std::uint64_t> cpu_ticks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) {
    return std::nullopt;
  }
  // proc(5): field 2 (comm) may hold spaces, so count fields after its closing ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) {
    fields >> skip;
  }
  std::uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) {
    return std::nullopt;
  }
  return utime + stime;
}

bool proc_sampler::sample() {
  const auto dir = "/proc/" + std::to_string(pid_);
  auto read = cpu_ticks(pid_);
  if (!read) {
    return false;
  }
  std::string line;
  std::ifstream status(dir + "/status");
  proc_sample s;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      s.rss_kb = std::stoull(line.substr(6));
    }
  }
  const auto now = std::chrono::steady_clock::now();
  const auto ticks = *read;
  s.t_s = std::chrono::duration<double>(now - start_).count();
  if (primed_) {
    const double wall = std::chrono::duration<double>(now - last_).count();
    const double cpu =
        static_cast<double>(ticks - last_ticks_) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    s.cpu_percent = wall > 0 ? 100.0 * cpu / wall : 0;
  }
  primed_ = true;
  last_ = now;
  last_ticks_ = ticks;
  samples_.push_back(s);
  return true;
}

} // namespace herald::bench
