#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace herald::test {

/// What to run: program, arguments (without argv[0]), extra environment, log folder.
struct process_options {
  std::filesystem::path program;
  std::vector<std::string> args;
  /// Added to (or overriding) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  /// stdout / stderr go to `<log_dir>/<name>.stdout|.stderr`; empty: a fresh temp folder.
  std::filesystem::path log_dir;
  std::string name = "child";
};

/// A child process for integration tests: fork/exec with args and env, output to files,
/// stopped (SIGTERM, then SIGKILL after a grace period) by the destructor at the latest.
/// Not thread-safe; use from the test's thread.
class child_process {
public:
  /// Starts the program; throws std::runtime_error if it cannot be executed.
  explicit child_process(process_options options);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// True while the child has not exited (reaps it if it has).
  [[nodiscard]] bool running();
  /// Waits up to `timeout` for exit; the exit code, or 128 + signal number, or nullopt.
  [[nodiscard]] std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  /// SIGTERM, wait up to `grace`, then SIGKILL; returns the exit status as above.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  /// SIGKILL now (a crash), then reap; returns the status.
  int kill9();
  /// Sends any signal without waiting.
  void signal(int signo) const;

  [[nodiscard]] const std::filesystem::path& stdout_path() const noexcept { return out_path_; }
  [[nodiscard]] const std::filesystem::path& stderr_path() const noexcept { return err_path_; }
  /// Current contents of the child's stdout / stderr files.
  [[nodiscard]] std::string stdout_text() const;
  [[nodiscard]] std::string stderr_text() const;

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path owned_dir_; ///< Removed on destruction when we made it.
  std::filesystem::path out_path_, err_path_;
};

/// Polls `pred` every `poll` until it holds (true) or `timeout` passed (false).
[[nodiscard]] bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                              std::chrono::milliseconds poll = std::chrono::milliseconds(20));
/// Waits until `path` exists and is non-empty (written atomically by rename), up to `timeout`.
[[nodiscard]] bool wait_for_file(const std::filesystem::path& path,
                                 std::chrono::milliseconds timeout);
/// Waits until a TCP connect to host:port succeeds, up to `timeout`.
[[nodiscard]] bool wait_for_port(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout);
/// Binds 127.0.0.1:0, reads the port the OS chose, closes: for tools that need a number.
[[nodiscard]] std::uint16_t pick_free_port();

/// A blocking HTTP/1.1 reply; `status` 0 means no reply (then `body` holds the error).
struct http_reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers; ///< Names lower-cased.
  std::string body;
  /// Value of the first header with this lower-case name, or empty.
  [[nodiscard]] std::string header(const std::string& name) const;
};

/// One blocking HTTP/1.1 request over a fresh connection (Boost.Beast), 10 s timeout.
[[nodiscard]] http_reply
http_request(const std::string& method, const std::string& host, std::uint16_t port,
             const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers = {},
             const std::string& body = {});
/// GET `target`; the body, or empty when there was no 2xx reply.
[[nodiscard]] std::string http_get(const std::string& host, std::uint16_t port,
                                   const std::string& target);

/// `name` looked up in PATH as a shell would; throws std::runtime_error when absent.
[[nodiscard]] std::filesystem::path find_program(const std::string& name);

/// Exit status and output of a command run by `run_command`.
struct command_result {
  int exit_code = -1; ///< As `child_process::wait_for_exit`; -1 when it timed out (killed).
  std::string out;    ///< Its stdout.
  std::string err;    ///< Its stderr.
};

/// Runs `program` (looked up in PATH) with `args` to completion, killing it after `timeout`.
[[nodiscard]] command_result run_command(const std::string& program, std::vector<std::string> args,
                                         std::chrono::milliseconds timeout);

} // namespace herald::test
