// Store-level registry benchmark (docs/BENCHMARKS.md "Registry"): upserts per second and
// find_by_identity latency on SQLite (a temp file) and PostgreSQL (a throwaway local server,
// fsync on). Usage: herald-registry-bench [rows] (default 20000).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "store/postgres_registry.hpp"
#include "store/sqlite_registry.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
namespace hs = herald::store;

herald::protocol::registration make(int i, hs::registry::time_point now) {
  herald::protocol::registration r;
  r.app = "bench";
  r.device_id = "device-" + std::to_string(i);
  r.identity = "8:acs:bench-" + std::to_string(i / 2); // two devices per identity
  r.channel = i % 2 == 0 ? herald::protocol::platform::apns_voip : herald::protocol::platform::fcm;
  r.token = std::string(64, 'a') + std::to_string(i);
  r.locale = "en-US";
  r.updated_at = now;
  r.expires_at = now + std::chrono::hours(24 * 180);
  return r;
}

/// Runs both measurements on `uut`; false on any store failure.
bool measure(const char* engine, hs::registry& uut, int rows) {
  auto now = std::chrono::system_clock::now();
  auto started = clock_type::now();
  for (int i = 0; i < rows; ++i) {
    if (auto done = uut.upsert(make(i, now)); !done) {
      std::fprintf(stderr, "%s upsert: %s\n", engine, done.error().describe().c_str());
      return false;
    }
  }
  double seconds = std::chrono::duration<double>(clock_type::now() - started).count();

  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    auto identity = "8:acs:bench-" + std::to_string((i * 7919) % (rows / 2));
    auto t = clock_type::now();
    auto found = uut.find_by_identity(identity, now);
    micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t).count());
    if (!found || found.value().size() != 2) {
      std::fprintf(stderr, "%s find_by_identity failed\n", engine);
      return false;
    }
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[static_cast<std::size_t>(p * (micros.size() - 1))]; };
  std::printf("%-10s upserts: %d in %.2f s = %.0f/s; find_by_identity: p50 %.0f us, p99 %.0f "
              "us, max %.0f us\n",
              engine, rows, seconds, rows / seconds, pct(0.50), pct(0.99), micros.back());
  return true;
}

} // namespace

int main(int argc, char** argv) {
  int rows = argc > 1 ? std::atoi(argv[1]) : 20000;
  if (rows < 2) {
    std::fprintf(stderr, "usage: herald-registry-bench [rows >= 2]\n");
    return 2;
  }
  try {
    herald::test::temp_dir dir;
    auto sqlite = hs::sqlite_registry::open(dir / "registry.db");
    if (!sqlite || !measure("sqlite", *sqlite.value(), rows)) {
      return 1;
    }

    std::string why;
    if (!herald::test::postgres_server::find_binaries(&why)) {
      std::fprintf(stderr, "postgres skipped: %s\n", why.c_str());
      return 0;
    }
    herald::test::postgres_server server({.durable = true});
    server.create_database("herald");
    auto pool = hs::postgres_registry::connect({.url = server.url("herald")});
    if (!pool) {
      std::fprintf(stderr, "postgres: %s\n", pool.error().describe().c_str());
      return 1;
    }
    hs::postgres_registry pg(pool.value());
    return measure("postgres", pg, rows) ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald-registry-bench: %s\n", e.what());
    return 1;
  }
}
