#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace herald::test {

/// Options of `postgres_server`.
struct postgres_server_options {
  /// Durable like production (fsync on). Tests leave it off: faster, and a test database
  /// need not survive a power cut. Benchmarks turn it on.
  bool durable = false;
};

/// A throwaway PostgreSQL server for one test executable or benchmark.
///
/// Lifecycle: the constructor makes a temp folder owned by the `postgres` user (when run as
/// root: initdb refuses root), runs `initdb` there (trust auth, UTF8, C locale), starts the
/// server with `pg_ctl` listening on 127.0.0.1 only, on a free port, with its Unix socket in
/// the temp folder, and waits until it accepts connections. `stop` / `start` restart it on
/// the same port and data; the destructor stops it (`pg_ctl stop -m fast`, SIGKILL to the
/// postmaster PID if that fails) and removes the folder.
/// Threading: not thread-safe; drive it from the test's main thread.
class postgres_server {
public:
  /// Folder of the PostgreSQL server binaries (`$HERALD_POSTGRES_BIN`, else the newest
  /// `/usr/lib/postgresql/<version>/bin` holding `initdb`), or nullopt with `why` set.
  [[nodiscard]] static std::optional<std::filesystem::path> find_binaries(std::string* why);

  /// Starts the server; throws std::runtime_error naming the failed step and its output.
  explicit postgres_server(postgres_server_options options = {});
  ~postgres_server();
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  /// Creates database `name` (owner `postgres`); throws on failure.
  void create_database(const std::string& name);
  /// Stops the server (fast shutdown: open sessions are ended).
  void stop();
  /// Starts it again on the same port and data folder.
  void start();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// `postgresql://postgres@127.0.0.1:<port>/<database>`.
  [[nodiscard]] std::string url(const std::string& database) const;

private:
  /// Runs a server binary (as `postgres` when we are root); throws with its output on failure.
  void run(const std::string& tool, const std::vector<std::string>& args);
  [[nodiscard]] pid_t postmaster_pid() const;

  postgres_server_options options_;
  std::filesystem::path bin_;
  std::filesystem::path root_;
  std::filesystem::path data_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

} // namespace herald::test
