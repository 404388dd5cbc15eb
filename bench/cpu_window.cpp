#include "bench/cpu_window.hpp"

#include <algorithm>
#include <stdexcept>

#include <unistd.h>

#include "bench/herald_bench/proc_sampler.hpp"

namespace herald::bench {

cpu_window::cpu_window(std::vector<pid_t> pids, std::chrono::milliseconds every)
    : pids_(std::move(pids)), every_(every) {
  thread_ = std::thread([this] { run(); });
}

cpu_window::~cpu_window() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void cpu_window::run() {
  std::unique_lock lock(mu_);
  do {
    lock.unlock();
    sample s{std::chrono::steady_clock::now(), std::chrono::system_clock::now(), {}};
    for (auto pid : pids_) {
      s.ticks.push_back(cpu_ticks(pid).value_or(0));
    }
    lock.lock();
    samples_.push_back(std::move(s));
    cv_.notify_all();
  } while (!cv_.wait_for(lock, every_, [this] { return done_; }));
}

template <typename AfterFrom, typename BeforeTo>
std::vector<double> cpu_window::between(AfterFrom after_from, BeforeTo before_to) {
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
  const auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    auto used = last->ticks[i] >= first->ticks[i] ? last->ticks[i] - first->ticks[i] : 0;
    out.push_back(static_cast<double>(used) / tick);
  }
  return out;
}

std::vector<double> cpu_window::cpu_seconds(std::chrono::steady_clock::time_point from,
                                            std::chrono::steady_clock::time_point to) {
  return between([from](const sample& s) { return s.steady > from; },
                 [to](const sample& s) { return s.steady < to; });
}

std::vector<double> cpu_window::cpu_seconds(std::chrono::system_clock::time_point from,
                                            std::chrono::system_clock::time_point to) {
  return between([from](const sample& s) { return s.system > from; },
                 [to](const sample& s) { return s.system < to; });
}

} // namespace herald::bench
