#pragma once

// One throwaway PostgreSQL server per test executable, shared by its cases (started on first
// use, stopped at exit), and a skip decorator for hosts without the server binaries.

#include <atomic>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>

#include "tests/support/postgres_server.hpp"

namespace pg_test {

/// The executable's server, started on first call.
inline herald::test::postgres_server& server() {
  static herald::test::postgres_server instance;
  return instance;
}

/// A new, empty database on `server()`, with a unique name; returns its URL.
inline std::string fresh_database() {
  static std::atomic<int> counter{0};
  std::string name = "herald_" + std::to_string(++counter);
  server().create_database(name);
  return server().url(name);
}

/// Boost.Test precondition: skips (with the reason) when the binaries are missing.
struct binaries_present {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    std::string why;
    boost::test_tools::assertion_result ok(
        herald::test::postgres_server::find_binaries(&why).has_value());
    ok.message() << why;
    return ok;
  }
};

} // namespace pg_test
