#include "tests/support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

extern char** environ;

namespace herald::test {

namespace {

int decode_status(int raw) {
  if (WIFEXITED(raw)) {
    return WEXITSTATUS(raw);
  }
  if (WIFSIGNALED(raw)) {
    return 128 + WTERMSIG(raw);
  }
  return -1;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace

child_process::child_process(process_options options) {
  if (options.log_dir.empty()) {
    auto pattern = (std::filesystem::temp_directory_path() / "herald-proc-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    owned_dir_ = pattern;
    options.log_dir = owned_dir_;
  }
  out_path_ = options.log_dir / (options.name + ".stdout");
  err_path_ = options.log_dir / (options.name + ".stderr");

  // Build argv / envp before fork: the child may only call async-signal-safe functions.
  std::vector<std::string> args{options.program.string()};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& [key, value] : options.env) {
      overridden = overridden || entry.rfind(key + "=", 0) == 0;
    }
    if (!overridden) {
      env_strings.push_back(std::move(entry));
    }
  }
  for (const auto& [key, value] : options.env) {
    env_strings.push_back(key + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int report[2];
  if (out_fd < 0 || err_fd < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    throw std::runtime_error("cannot prepare child output files or pipe");
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    int err = errno; // exec failed: tell the parent through the close-on-exec pipe.
    [[maybe_unused]] auto n = ::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(report[1]);
  if (pid_ < 0) {
    ::close(report[0]);
    throw std::runtime_error("fork failed");
  }
  int child_errno = 0;
  auto n = ::read(report[0], &child_errno, sizeof child_errno);
  ::close(report[0]);
  if (n == sizeof child_errno) {
    (void)wait_for_exit(std::chrono::seconds(5));
    throw std::runtime_error("cannot execute " + options.program.string() + ": " +
                             std::strerror(child_errno));
  }
}

child_process::~child_process() {
  stop();
  if (!owned_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(owned_dir_, ec);
  }
}

bool child_process::running() {
  if (status_ || pid_ <= 0) {
    return false;
  }
  int raw = 0;
  if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
    status_ = decode_status(raw);
    return false;
  }
  return true;
}

std::optional<int> child_process::wait_for_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (!running()) {
    return status_.value_or(-1);
  }
  signal(SIGTERM);
  if (auto status = wait_for_exit(grace)) {
    return *status;
  }
  return kill9();
}

int child_process::kill9() {
  if (!running()) {
    return status_.value_or(-1);
  }
  signal(SIGKILL);
  return wait_for_exit(std::chrono::seconds(10)).value_or(-1);
}

void child_process::signal(int signo) const {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, signo);
  }
}

std::string child_process::stdout_text() const {
  return read_text(out_path_);
}
std::string child_process::stderr_text() const {
  return read_text(err_path_);
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(poll);
  }
  return true;
}

bool wait_for_file(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::error_code ec;
  while (!(std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool wait_for_port(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::io_context io;
  while (true) {
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address(host), port}, ec);
    if (!ec) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::uint16_t pick_free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string http_reply::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

http_reply http_request(const std::string& method, const std::string& host, std::uint16_t port,
                        const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  http_reply reply;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({boost::asio::ip::make_address(host), port});
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, host + ":" + std::to_string(port));
    for (const auto& [key, value] : headers) {
      request.set(key, value);
    }
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      std::string key(field.name_string());
      for (auto& c : key) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      reply.headers.emplace_back(std::move(key), std::string(field.value()));
    }
    reply.body = std::move(response.body());
    beast::error_code ignored;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    // Test helper: a connection failure is reported as "no reply", not thrown.
    reply.status = 0;
    reply.body = e.what();
  }
  return reply;
}

std::string http_get(const std::string& host, std::uint16_t port, const std::string& target) {
  auto reply = http_request("GET", host, port, target);
  return reply.status >= 200 && reply.status < 300 ? reply.body : std::string();
}

std::filesystem::path find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t at = 0;
  for (;;) {
    auto end = dirs.find(':', at);
    auto candidate = std::filesystem::path(dirs.substr(at, end - at)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == std::string::npos) {
      throw std::runtime_error(name + " is not installed (scripts/deps installs it)");
    }
    at = end + 1;
  }
}

command_result run_command(const std::string& program, std::vector<std::string> args,
                           std::chrono::milliseconds timeout) {
  child_process child({find_program(program), std::move(args), {}, {}, program});
  command_result out;
  auto code = child.wait_for_exit(timeout);
  out.exit_code = code ? *code : (child.kill9(), -1);
  out.out = child.stdout_text();
  out.err = child.stderr_text();
  return out;
}

} // namespace herald::test
