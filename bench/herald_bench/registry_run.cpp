#include "bench/herald_bench/registry_run.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "bench/herald_bench/admin_client.hpp"
#include "bench/herald_bench/http_driver.hpp"
#include "bench/herald_bench/population.hpp"
#include "bench/herald_bench/registration_phase.hpp"
#include "bench/herald_bench/spawned_stack.hpp"
#include "tests/support/postgres_server.hpp"

namespace herald::bench {

namespace {

/// Herald's cache hit and miss counters (from one /metrics scrape), or -1 each.
std::pair<double, double> cache_counters(std::uint16_t port) {
  std::pair<double, double> out{-1, -1};
  // The exposer sometimes drops a scrape right after a busy pass: try a few times.
  std::optional<std::string> text;
  for (int attempt = 0; attempt < 5 && !text; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    text = admin_get("127.0.0.1", port, "/metrics", 10);
  }
  if (!text) {
    return out;
  }
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    for (auto [series, value] : {std::pair{"herald_registry_cache_hits_total ", &out.first},
                                 std::pair{"herald_registry_cache_misses_total ", &out.second}}) {
      if (line.starts_with(series)) {
        *value = std::stod(line.substr(std::string_view(series).size()));
      }
    }
  }
  return out;
}

/// What a lookup pass asks for.
enum class pass { every_identity, random_identities, healthz };

/// `count` GETs over `lookup_connections` connections: identity lookups (every identity in
/// order, or uniformly drawn ones), or `/healthz` (the HTTP floor: no actor, no store).
/// Returns each successful request's latency (µs); counts the others in `failures`.
std::vector<std::int64_t> lookups(boost::asio::io_context& io, const bench_options& o,
                                  const population& people, std::uint16_t port, std::uint64_t count,
                                  pass what, std::uint64_t& failures) {
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::size_t> pick(0, people.identities().size() - 1);
  std::uint64_t issued = 0;
  std::vector<std::int64_t> us;
  us.reserve(count);
  auto driver = std::make_shared<http_driver>(
      io, "127.0.0.1", port, o.lookup_connections,
      [&]() -> http_next {
        if (issued == count) {
          return http_finished{};
        }
        const auto i =
            what == pass::every_identity ? issued % people.identities().size() : pick(rng);
        ++issued;
        if (what == pass::healthz) {
          return http_job{"GET", "/healthz", {}, i};
        }
        return http_job{"GET",
                        "/v1/apps/" + o.app + "/identities/" + people.identities()[i].raw_id +
                            "/devices",
                        {},
                        i};
      },
      [&](const http_job&, const http_outcome& outcome) {
        if (outcome.status == 200) {
          us.push_back(outcome.ack.count());
        } else {
          ++failures;
        }
      });
  driver->start();
  io.run();
  io.restart();
  return us;
}

} // namespace

int run_registry_bench(bench_options o, std::uint32_t run_tag, const std::filesystem::path& self,
                       bench_results& results) {
  results.mode = "registry";
  std::unique_ptr<test::postgres_server> pg;
  if (o.postgres) {
    try {
      // fsync on: the figure must hold for a database that survives a power cut.
      pg = std::make_unique<test::postgres_server>(test::postgres_server_options{.durable = true});
      pg->create_database("herald");
      o.postgres_url = pg->url("herald");
    } catch (const std::exception& e) {
      std::cerr << "herald-bench: cannot start PostgreSQL: " << e.what() << "\n";
      return 2;
    }
  }
  results.registry_engine = o.postgres_url.empty() ? "sqlite" : "postgresql";
  spawned_stack stack(o, self);
  if (auto problem = stack.start()) {
    std::cerr << "herald-bench: " << *problem << "\n";
    return 2;
  }
  boost::asio::io_context io(1);
  const auto people = register_population(io, o, run_tag, "127.0.0.1", stack.http_port(), results,
                                          " (" + results.registry_engine + ")");

  if (!o.quiet) {
    std::cerr << "herald-bench: looking up every identity, then " << o.lookups << " more\n";
  }
  auto floor = lookups(io, o, people, stack.http_port(), o.lookups / 4 + 1, pass::healthz,
                       results.lookup_failures);
  results.healthz = summarize(floor);
  auto cold = lookups(io, o, people, stack.http_port(), people.identities().size(),
                      pass::every_identity, results.lookup_failures);
  results.lookup_cold = summarize(cold);
  const auto before = cache_counters(stack.metrics_port());
  auto warm = lookups(io, o, people, stack.http_port(), o.lookups, pass::random_identities,
                      results.lookup_failures);
  results.lookup_warm = summarize(warm);
  const auto after = cache_counters(stack.metrics_port());
  results.cache_hits = after.first - before.first;
  results.cache_misses = after.second - before.second;
  if (before.first < 0 || after.first < 0) {
    std::cerr << "herald-bench: cannot read the cache counters from /metrics\n";
  }
  results.load_average = load_average();
  if (stack.stop() != 0) {
    std::cerr << "herald-bench: herald did not shut down cleanly\n";
  }
  return results.registration_failures == 0 && results.lookup_failures == 0 ? 0 : 1;
}

} // namespace herald::bench
