#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace herald::test {

/// Options of `rabbitmq_server`.
struct rabbitmq_server_options {
  /// Durable classic queues declared at boot; a policy dead-letters each one's rejected
  /// messages into `<name>.dlq`, declared too. Queue names must be regex-safe.
  std::vector<std::string> queues{"events"};
};

/// A throwaway RabbitMQ broker with its AMQP 1.0 plugin, the local stand-in for Azure Service
/// Bus.
///
/// Lifecycle: the constructor makes a temp folder holding all of the broker's state (Mnesia
/// database, logs, enabled-plugins file, config, definitions, `HOME` for the Erlang cookie),
/// starts an `epmd` of its own on 127.0.0.1 and an ephemeral port, then the broker (node name
/// unique per port, AMQP listener on 127.0.0.1 and an ephemeral port, distribution port bound
/// to 127.0.0.1), and waits until it reports "Server startup complete". `stop` / `kill9` /
/// `start` restart it on the same port and data; the destructor stops everything by PID and
/// removes the folder. Anonymous and `guest`/`guest` logins are allowed.
/// Threading: not thread-safe; drive it from the test's main thread.
class rabbitmq_server {
public:
  /// Whether the broker is installed (`/usr/lib/rabbitmq/bin/rabbitmq-server`); else `why`.
  [[nodiscard]] static bool available(std::string* why);

  /// Starts epmd and the broker; throws std::runtime_error with the broker's output on failure.
  explicit rabbitmq_server(rabbitmq_server_options options = {});
  ~rabbitmq_server();
  rabbitmq_server(const rabbitmq_server&) = delete;
  rabbitmq_server& operator=(const rabbitmq_server&) = delete;

  /// Graceful stop (SIGTERM; the broker closes client connections).
  void stop();
  /// SIGKILL to the Erlang VM: a crash, clients see their connections reset.
  void kill9();
  /// Starts the broker again on the same port and data; waits until it is ready.
  void start();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// `amqp://127.0.0.1:<port>`.
  [[nodiscard]] std::string url() const;
  /// The AMQP 1.0 source address to consume a declared queue: `/queue/<name>` (RabbitMQ 3.x;
  /// the attach re-declares it, so the source terminus must be durable).
  [[nodiscard]] static std::string address(const std::string& queue);
  /// The target address to publish to it: `/queue/<name>` (with a durable target terminus,
  /// as `amqp_publish` makes it).
  [[nodiscard]] static std::string publish_address(const std::string& queue);
  [[nodiscard]] const std::filesystem::path& folder() const noexcept { return dir_.path(); }
  /// The Erlang VM's PID (`beam.smp`, the start script's child), or -1 when not running.
  [[nodiscard]] pid_t vm_pid() const;

private:
  void write_files();

  rabbitmq_server_options options_;
  temp_dir dir_;
  std::uint16_t port_ = 0;
  std::uint16_t dist_port_ = 0;
  std::uint16_t epmd_port_ = 0;
  int starts_ = 0;
  std::unique_ptr<child_process> epmd_;
  std::unique_ptr<child_process> broker_;
};

} // namespace herald::test
