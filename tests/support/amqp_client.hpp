#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace herald::test {

/// One message for `amqp_publish`.
struct amqp_test_message {
  std::string body;
  std::string message_id; ///< Empty: none.
  std::string content_type = "application/json";
  std::map<std::string, std::string> properties; ///< Application properties (strings).
};

/// Publishes `messages` to `address` at `url` (SASL ANONYMOUS) with a plain Proton sender and
/// waits until the broker accepted every one (durable, at-least-once). Throws
/// std::runtime_error on a connection error, a refused message or after `timeout`.
void amqp_publish(const std::string& url, const std::string& address,
                  const std::vector<amqp_test_message>& messages,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// What `amqp_drain` received.
struct amqp_drained {
  std::vector<amqp_test_message> messages;
  std::vector<std::string> rejection_reasons; ///< `x-first-death-reason` … when dead-lettered.
  /// When the first and the last message arrived (a receive rate for benchmarks).
  std::chrono::steady_clock::time_point first_at, last_at;
};

/// Receives and accepts messages from `address` until none arrived for `quiet` (or `timeout`
/// passed), closing the link before the connection: a plain Proton receiver (credit window
/// 500, each message accepted on arrival). Throws std::runtime_error on errors.
[[nodiscard]] amqp_drained amqp_drain(const std::string& url, const std::string& address,
                                      std::chrono::milliseconds quiet = std::chrono::seconds(1),
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace herald::test
