#include "bench/herald_bench/cpu_budget.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace herald::bench {

std::optional<double> process_cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) {
    return std::nullopt;
  }
  // proc(5): field 2 (comm) may hold spaces, so count fields after its closing ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) {
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
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

double rusage_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

} // namespace

double self_cpu_seconds() {
  return rusage_seconds(RUSAGE_SELF);
}

double children_cpu_seconds() {
  return rusage_seconds(RUSAGE_CHILDREN);
}

cpu_window::cpu_window(std::vector<pid_t> pids)
    : pids_(std::move(pids)), self_(self_cpu_seconds()), children_(children_cpu_seconds()) {
  used_.reserve(pids_.size());
  for (auto pid : pids_) {
    used_.push_back(pid > 0 ? process_cpu_seconds(pid).value_or(-1) : -1);
  }
}

void cpu_window::stop() {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    auto now = pids_[i] > 0 ? process_cpu_seconds(pids_[i]) : std::nullopt;
    used_[i] = now && used_[i] >= 0 ? *now - used_[i] : -1;
  }
  self_ = self_cpu_seconds() - self_;
  children_ = children_cpu_seconds() - children_;
}

double cpu_window::seconds(std::size_t i) const {
  return i < used_.size() ? used_[i] : -1;
}

double cpu_window::total() const {
  double sum = 0;
  bool any = false;
  for (auto u : used_) {
    if (u >= 0) {
      sum += u;
      any = true;
    }
  }
  return any ? sum : -1;
}

} // namespace herald::bench
