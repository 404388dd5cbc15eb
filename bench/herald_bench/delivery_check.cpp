#include "bench/herald_bench/delivery_check.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <unordered_set>

#include "bench/herald_bench/population.hpp"

namespace herald::bench {

delivery check_delivery(const std::string& arrivals, const event_factory& events,
                        const load_run& run) {
  delivery out;
  const auto& sent = run.sent_us();
  std::unordered_set<std::string> seen;
  seen.reserve(run.counters().pushes_expected * 2 + 16);
  std::int64_t last_received = 0;
  std::string_view rest(arrivals);
  while (!rest.empty()) {
    auto eol = rest.find('\n');
    auto line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
    auto s1 = line.find(' ');
    auto s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
    if (s2 == std::string_view::npos) {
      continue;
    }
    auto seq = events.seq_of(line.substr(0, s1));
    std::int64_t received = 0;
    auto time = line.substr(s2 + 1);
    std::from_chars(time.data(), time.data() + time.size(), received);
    if (!seq) {
      continue; // another run's push (a long-running mock keeps them all)
    }
    if (*seq >= sent.size() || sent[*seq] == 0) {
      ++out.unexpected;
      continue;
    }
    if (!seen.emplace(line.substr(0, s2)).second) {
      ++out.repeats;
      continue;
    }
    ++out.pushes_received;
    out.pushes_received_fcm += population::is_fcm_token(line.substr(s1 + 1, s2 - s1 - 1)) ? 1 : 0;
    out.e2e_us.push_back(received - sent[*seq]);
    out.arrival_us.push_back(received);
    last_received = std::max(last_received, received);
  }
  std::int64_t first_sent = 0;
  for (auto t : sent) {
    if (t != 0 && (first_sent == 0 || t < first_sent)) {
      first_sent = t;
    }
  }
  if (first_sent != 0 && last_received > first_sent) {
    out.push_window_s = static_cast<double>(last_received - first_sent) / 1e6;
  }
  const auto expected = run.counters().pushes_expected;
  out.lost = expected > out.pushes_received ? expected - out.pushes_received : 0;
  return out;
}

} // namespace herald::bench
