#include "bench/cpu_timeline.hpp"

#include <algorithm>

#include "bench/herald_bench/cpu_budget.hpp"

namespace herald::bench {

cpu_timeline::cpu_timeline(std::vector<pid_t> pids, std::chrono::milliseconds every)
    : pids_(std::move(pids)), every_(every) {
  thread_ = std::thread([this] { run(); });
}

cpu_timeline::~cpu_timeline() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void cpu_timeline::run() {
  std::unique_lock lock(mu_);
  do {
    lock.unlock();
    sample s{std::chrono::steady_clock::now(), std::chrono::system_clock::now(), {}};
    for (auto pid : pids_) {
      s.seconds.push_back(process_cpu_seconds(pid).value_or(0));
    }
    lock.lock();
    samples_.push_back(std::move(s));
    cv_.notify_all();
  } while (!cv_.wait_for(lock, every_, [this] { return done_; }));
}

template <typename AfterFrom, typename BeforeTo>
std::vector<double> cpu_timeline::between(AfterFrom after_from, BeforeTo before_to) {
  std::unique_lock lock(mu_);
  // Wait for a sample at or after the window's end (the sampler runs until destruction).
  cv_.wait(lock, [&] { return !samples_.empty() && !before_to(samples_.back()); });
  auto last = std::find_if(samples_.begin(), samples_.end(),
                           [&](const sample& s) { return !before_to(s); });
  auto first = samples_.begin();
  for (auto it = samples_.begin(); it != samples_.end() && !after_from(*it); ++it) {
    first = it;
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    out.push_back(std::max(0.0, last->seconds[i] - first->seconds[i]));
  }
  return out;
}

std::vector<double> cpu_timeline::cpu_seconds(std::chrono::steady_clock::time_point from,
                                              std::chrono::steady_clock::time_point to) {
  return between([from](const sample& s) { return s.steady > from; },
                 [to](const sample& s) { return s.steady < to; });
}

std::vector<double> cpu_timeline::cpu_seconds(std::chrono::system_clock::time_point from,
                                              std::chrono::system_clock::time_point to) {
  return between([from](const sample& s) { return s.system > from; },
                 [to](const sample& s) { return s.system < to; });
}

} // namespace herald::bench
