#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace herald::bench {

/// CPU time of a few processes, sampled in the background, so that a benchmark can tell what
/// each used between two moments it learns only afterwards (its first and last message),
/// leaving out the idle time around them (a broker's schedulers spin a little even idle).
/// Lifecycle: sampling runs from construction to destruction. Threading: `cpu_seconds` may be
/// called from any thread while it runs.
class cpu_timeline {
public:
  /// Samples `pids` (user + system time, /proc/<pid>/stat) every `every`; an unreadable
  /// process counts as zero.
  explicit cpu_timeline(std::vector<pid_t> pids,
                        std::chrono::milliseconds every = std::chrono::milliseconds(10));
  ~cpu_timeline();
  cpu_timeline(const cpu_timeline&) = delete;
  cpu_timeline& operator=(const cpu_timeline&) = delete;

  /// CPU seconds each process (in the constructor's order) used from the last sample at or
  /// before `from` to the first at or after `to` (so at most two sampling intervals more
  /// than the window). Waits for a sample after `to`.
  [[nodiscard]] std::vector<double> cpu_seconds(std::chrono::steady_clock::time_point from,
                                                std::chrono::steady_clock::time_point to);
  /// The same with wall-clock moments (e.g. a mock's arrival times, CLOCK_REALTIME).
  [[nodiscard]] std::vector<double> cpu_seconds(std::chrono::system_clock::time_point from,
                                                std::chrono::system_clock::time_point to);

private:
  struct sample {
    std::chrono::steady_clock::time_point steady;
    std::chrono::system_clock::time_point system;
    std::vector<double> seconds;
  };
  void run();
  template <typename AfterFrom, typename BeforeTo>
  std::vector<double> between(AfterFrom after_from, BeforeTo before_to);

  std::vector<pid_t> pids_;
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::vector<sample> samples_;
  std::thread thread_;
};

} // namespace herald::bench
