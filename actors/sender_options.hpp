#pragma once

#include <caf/actor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/delivery_backlog.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::actors {

/// How one sender (one app and provider) connects, shares its streams and retries; the part of
/// the options every provider has in common.
struct sender_options {
  std::string app;
  /// The provider endpoint; `max_streams_cap` caps each connection's stream budget.
  transports::h2_client_options connection;
  /// HTTP/2 connections in the pool (at least 1).
  std::uint32_t connections = 1;
  /// Delay between opening one pool connection and the next, so a restart does not hit the
  /// provider with every handshake at once.
  std::chrono::milliseconds connect_stagger{100};
  /// Per cent of each connection's stream budget kept for the call lane (rings and
  /// cancel-rings): chat and bulk never fill those streams. Needs a budget of at least 2.
  std::uint32_t call_reserve_percent = 10;
  /// The node's sender backlog, shared with admission control (null: not counted).
  std::shared_ptr<delivery_backlog> backlog;
  /// The node's dead-letter writer (`spawn_dead_letter_writer`); none: only counted.
  caf::actor dead_letters;
  /// Attempts per notification before it is given up (a dead letter). 8: with 10 % of sends
  /// failing at random, one push in 10^8 runs out (one in 10^5 with 5, which a 30,000-push
  /// fault benchmark saw); the backoff of 8 attempts (~13 s expected) stays within a ring's
  /// 30 s deadline, which bounds retries anyway.
  std::uint32_t max_attempts = 8;
  /// Full-jitter retry backoff: base doubled per attempt, capped (see `plan_retry`).
  std::chrono::milliseconds retry_base{250};
  std::chrono::milliseconds retry_cap{10000};
  /// Full-jitter backoff of a connection's reconnects, reset once it is up again.
  std::chrono::milliseconds reconnect_base{1000};
  std::chrono::milliseconds reconnect_cap{60000};
};

} // namespace herald::actors
