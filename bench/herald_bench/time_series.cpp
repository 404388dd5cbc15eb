#include "bench/herald_bench/time_series.hpp"

#include <algorithm>
#include <cmath>

#include "bench/herald_bench/bench_report.hpp"

namespace herald::bench {

std::vector<series_point> build_series(const std::vector<load_second>& load,
                                       const std::vector<std::int64_t>& arrival_us,
                                       const std::vector<std::int64_t>& e2e_us,
                                       std::int64_t start_us,
                                       const std::vector<proc_sample>& proc) {
  std::vector<series_point> out(load.size());
  auto at = [&](std::size_t second) -> series_point& {
    if (out.size() <= second) {
      out.resize(second + 1);
    }
    return out[second];
  };
  for (std::size_t s = 0; s < load.size(); ++s) {
    auto& p = at(s);
    p.acked = load[s].acked;
    p.refused = load[s].refused;
    auto ack = load[s].ack_us;
    const auto summary = summarize(ack);
    p.ack_p50_ms = summary.p50;
    p.ack_p99_ms = summary.p99;
  }
  std::vector<std::vector<std::int64_t>> e2e_by_second;
  for (std::size_t i = 0; i < arrival_us.size() && i < e2e_us.size(); ++i) {
    const auto offset = std::max<std::int64_t>(arrival_us[i] - start_us, 0);
    const auto second = static_cast<std::size_t>(offset / 1000000);
    ++at(second).pushes;
    if (e2e_by_second.size() <= second) {
      e2e_by_second.resize(second + 1);
    }
    e2e_by_second[second].push_back(e2e_us[i]);
  }
  for (std::size_t s = 0; s < e2e_by_second.size(); ++s) {
    const auto summary = summarize(e2e_by_second[s]);
    out[s].e2e_p50_ms = summary.p50;
    out[s].e2e_p99_ms = summary.p99;
  }
  for (const auto& sample : proc) {
    auto& p = at(static_cast<std::size_t>(std::max(sample.t_s, 0.0)));
    p.rss_mb = static_cast<double>(sample.rss_kb) / 1024.0;
    p.cpu_percent = sample.cpu_percent;
  }
  for (std::size_t s = 0; s < out.size(); ++s) {
    out[s].t_s = static_cast<std::uint32_t>(s);
  }
  return out;
}

std::optional<rss_verdict> rss_flatness(const std::vector<proc_sample>& proc, double tolerance) {
  if (proc.size() < 3) {
    return std::nullopt;
  }
  auto max_of = [&](std::size_t from, std::size_t to) {
    std::uint64_t kb = 0;
    for (auto i = from; i < to; ++i) {
      kb = std::max(kb, proc[i].rss_kb);
    }
    return static_cast<double>(kb) / 1024.0;
  };
  const auto third = proc.size() / 3;
  rss_verdict v;
  v.max_mb = max_of(0, proc.size());
  v.middle_max_mb = max_of(third, 2 * third);
  v.last_max_mb = max_of(2 * third, proc.size());
  v.flat = v.last_max_mb <= v.middle_max_mb * (1.0 + tolerance);
  return v;
}

void write_series_json(json_writer& w, const std::vector<series_point>& series) {
  w.StartArray();
  for (const auto& p : series) {
    w.StartObject();
    json_u64(w, "t_s", p.t_s);
    json_u64(w, "acked", p.acked);
    json_u64(w, "refused", p.refused);
    json_u64(w, "pushes", p.pushes);
    json_double(w, "ack_p50_ms", p.ack_p50_ms);
    json_double(w, "ack_p99_ms", p.ack_p99_ms);
    json_double(w, "e2e_p50_ms", p.e2e_p50_ms);
    json_double(w, "e2e_p99_ms", p.e2e_p99_ms);
    json_double(w, "rss_mb", p.rss_mb);
    json_double(w, "cpu_percent", p.cpu_percent);
    w.EndObject();
  }
  w.EndArray();
}

} // namespace herald::bench
