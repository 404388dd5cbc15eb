#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <sys/types.h>

namespace herald::bench {

/// CPU time (user + system) a process has used so far, from /proc/<pid>/stat (proc(5));
/// nullopt when the process is gone or the file does not parse.
[[nodiscard]] std::optional<double> process_cpu_seconds(pid_t pid);

/// CPU time (user + system) of this process, and of its terminated, waited-for children
/// (getrusage(2) RUSAGE_SELF / RUSAGE_CHILDREN).
[[nodiscard]] double self_cpu_seconds();
[[nodiscard]] double children_cpu_seconds();

/// CPU seconds spent by a set of processes between `start` and `stop`: Herald, the mocks
/// and the bench itself over the load phase, or h2load and the mock over the ceiling run.
/// Dividing by the pushes (or requests) of the window gives each side's CPU per push: on a
/// machine where all of them share the cores, that budget bounds the rate. Threading: one
/// thread. A pid that cannot be read at `start` or `stop` counts as unknown (-1).
class cpu_window {
public:
  /// Snapshots every pid (0 = none) and this process now.
  explicit cpu_window(std::vector<pid_t> pids);

  /// Ends the window; call once.
  void stop();

  /// Seconds of CPU of `pids[i]` over the window, -1 when unknown.
  [[nodiscard]] double seconds(std::size_t i) const;
  /// The sum over `pids` (unknown ones left out), -1 when none is known.
  [[nodiscard]] double total() const;
  /// This process's own CPU seconds over the window.
  [[nodiscard]] double self() const noexcept { return self_; }
  /// Waited-for children's CPU seconds over the window (a child reaped inside it, h2load).
  [[nodiscard]] double children() const noexcept { return children_; }

private:
  std::vector<pid_t> pids_;
  std::vector<double> used_; ///< Start snapshot until `stop`, then the difference.
  double self_ = 0, children_ = 0;
};

} // namespace herald::bench
