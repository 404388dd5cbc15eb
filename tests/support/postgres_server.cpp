#include "tests/support/postgres_server.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <pwd.h>
#include <unistd.h>

#include "tests/support/process.hpp"

namespace herald::test {

namespace {

/// Where Debian installs `runuser` (util-linux).
std::filesystem::path find_runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (std::filesystem::exists(p)) {
      return p;
    }
  }
  return {};
}

} // namespace

std::optional<std::filesystem::path> postgres_server::find_binaries(std::string* why) {
  if (const char* env = std::getenv("HERALD_POSTGRES_BIN"); env != nullptr && *env != '\0') {
    if (std::filesystem::exists(std::filesystem::path(env) / "initdb")) {
      return std::filesystem::path(env);
    }
    if (why != nullptr) {
      *why = std::string("HERALD_POSTGRES_BIN=") + env + " holds no initdb";
    }
    return std::nullopt;
  }
  std::filesystem::path best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    auto name = entry.path().filename().string();
    int version = std::atoi(name.c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    if (why != nullptr) {
      *why = "PostgreSQL server binaries not found (no /usr/lib/postgresql/<version>/bin/initdb;"
             " install Debian's postgresql package, see scripts/deps, or set HERALD_POSTGRES_BIN)";
    }
    return std::nullopt;
  }
  if (::geteuid() == 0 && (::getpwnam("postgres") == nullptr || find_runuser().empty())) {
    if (why != nullptr) {
      *why = "running as root, but there is no postgres user or runuser to run initdb as";
    }
    return std::nullopt;
  }
  return best;
}

postgres_server::postgres_server(postgres_server_options options) : options_(options) {
  std::string why;
  auto bin = find_binaries(&why);
  if (!bin) {
    throw std::runtime_error(why);
  }
  bin_ = *bin;
  auto pattern = (std::filesystem::temp_directory_path() / "herald-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  root_ = pattern;
  data_ = root_ / "data";
  if (::geteuid() == 0) {
    const passwd* pg = ::getpwnam("postgres");
    if (::chown(root_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + root_.string() + " to postgres");
    }
  }
  try {
    run("initdb", {"-D", data_.string(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--locale=C", "--no-sync"});
    port_ = pick_free_port();
    start();
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    throw;
  }
}

postgres_server::~postgres_server() {
  try {
    stop();
  } catch (const std::exception&) {
    // stop() already fell back to SIGKILL; nothing more to do in a destructor.
  }
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

void postgres_server::run(const std::string& tool, const std::vector<std::string>& args) {
  process_options o;
  o.name = tool;
  auto program = (bin_ / tool).string();
  if (::geteuid() == 0) {
    o.program = find_runuser();
    o.args = {"-u", "postgres", "--", program};
  } else {
    o.program = program;
  }
  o.args.insert(o.args.end(), args.begin(), args.end());
  child_process child(std::move(o));
  auto status = child.wait_for_exit(std::chrono::seconds(60));
  if (status != 0) {
    throw std::runtime_error(tool + " failed (status " +
                             (status ? std::to_string(*status) : std::string("timeout")) +
                             "): " + child.stdout_text() + child.stderr_text());
  }
}

void postgres_server::start() {
  if (running_) {
    return;
  }
  // Loopback only, socket in our own folder; fsync off unless durable (test speed).
  std::string server_options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                               " -k " + root_.string() + " -c max_connections=50";
  if (!options_.durable) {
    server_options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  }
  run("pg_ctl", {"start", "-w", "-t", "60", "-D", data_.string(), "-l",
                 (root_ / "server.log").string(), "-o", server_options});
  running_ = true;
  if (!wait_for_port("127.0.0.1", port_, std::chrono::seconds(30))) {
    throw std::runtime_error("postgres does not accept connections on 127.0.0.1:" +
                             std::to_string(port_));
  }
}

pid_t postgres_server::postmaster_pid() const {
  // First line of postmaster.pid is the postmaster's PID (PostgreSQL manual, "Database File
  // Layout").
  std::ifstream in(data_ / "postmaster.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

void postgres_server::stop() {
  if (!running_) {
    return;
  }
  running_ = false;
  pid_t pid = postmaster_pid();
  try {
    run("pg_ctl", {"stop", "-w", "-t", "30", "-m", "fast", "-D", data_.string()});
  } catch (const std::exception&) {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      // The postmaster is not our child: wait for its PID file to stop naming a live process.
      for (int i = 0; i < 500 && ::kill(pid, 0) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    throw;
  }
}

void postgres_server::create_database(const std::string& name) {
  run("createdb", {"-h", "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres", name});
}

std::string postgres_server::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

} // namespace herald::test
