#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <sys/types.h>

namespace herald::bench {

/// One sample of a process's resource use.
struct proc_sample {
  double t_s = 0;           ///< Seconds since the sampler started.
  std::uint64_t rss_kb = 0; ///< VmRSS from /proc/<pid>/status.
  double cpu_percent = 0;   ///< (utime + stime) delta over wall time since the last sample;
                            ///< 100 = one core busy.
};

/// Samples a process's RSS and CPU from /proc/<pid>/status and /proc/<pid>/stat (proc(5)).
/// Lifecycle: construct with the pid, call `sample` about once a second. Threading: one
/// thread. A vanished process yields no samples.
class proc_sampler {
public:
  explicit proc_sampler(pid_t pid);

  /// Takes one sample (the first has cpu_percent 0); false when /proc cannot be read.
  bool sample();

  [[nodiscard]] const std::vector<proc_sample>& samples() const noexcept { return samples_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

private:
  pid_t pid_;
  std::chrono::steady_clock::time_point start_, last_;
  double last_cpu_s_ = 0;
  bool primed_ = false;
  std::vector<proc_sample> samples_;
};

} // namespace herald::bench
