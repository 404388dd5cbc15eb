#include "bench/herald_bench/registration_phase.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "bench/herald_bench/http_driver.hpp"

namespace herald::bench {

namespace {

using clock = std::chrono::steady_clock;

} // namespace

void register_all(boost::asio::io_context& io, const bench_options& o, const population& people,
                  const std::string& host, std::uint16_t port, bench_results& results) {
  struct slot {
    std::uint32_t identity, device;
  };
  std::vector<slot> todo;
  for (std::uint32_t i = 0; i < people.identities().size(); ++i) {
    for (std::uint32_t d = 0; d < people.identities()[i].devices.size(); ++d) {
      todo.push_back({i, d});
    }
  }
  std::vector<std::uint8_t> attempts(todo.size(), 0);
  std::vector<std::uint64_t> again;
  std::uint64_t next = 0, outstanding = 0;
  const auto start = clock::now();
  auto driver = std::make_shared<http_driver>(
      io, host, port, o.register_connections,
      [&]() -> http_next {
        std::uint64_t k = 0;
        if (!again.empty()) {
          k = again.back();
          again.pop_back();
        } else if (next < todo.size()) {
          k = next++;
        } else if (outstanding > 0) {
          // A job still in flight may fail and need this connection.
          return http_wait{clock::now() + std::chrono::milliseconds(20)};
        } else {
          return http_finished{};
        }
        ++outstanding;
        ++attempts[k];
        const auto& id = people.identities()[todo[k].identity];
        const auto& dev = id.devices[todo[k].device];
        return http_job{"PUT", "/v1/apps/" + o.app + "/devices/" + dev.device_id,
                        population::registration_body(id, dev), k};
      },
      [&](const http_job& job, const http_outcome& outcome) {
        --outstanding;
        if (outcome.status / 100 == 2) {
          ++results.registered;
        } else if (outcome.status == 0 && attempts[job.tag] < 3) {
          again.push_back(job.tag);
        } else {
          ++results.registration_failures;
        }
      });
  driver->start();
  io.run();
  io.restart();
  results.registration_s = std::chrono::duration<double>(clock::now() - start).count();
}

population register_population(boost::asio::io_context& io, const bench_options& o,
                               std::uint32_t run_tag, const std::string& host, std::uint16_t port,
                               bench_results& results, const std::string& note) {
  const double fcm_share = o.platforms == "fcm" ? 1.0 : o.platforms == "mixed" ? o.fcm_share : 0.0;
  population people(o.identities, o.min_devices, o.max_devices, o.seed, run_tag, fcm_share);
  results.identities = o.identities;
  results.devices = people.device_count();
  if (!o.quiet) {
    std::cerr << "herald-bench: registering " << people.device_count() << " devices of "
              << o.identities << " identities (" << people.fcm_device_count() << " FCM)" << note
              << "\n";
  }
  register_all(io, o, people, host, port, results);
  return people;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

} // namespace herald::bench
