#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/direct_send.hpp"
#include "protocol/registration.hpp"

namespace herald::actors {

/// One device of a tracked direct send and its state.
struct tracked_device {
  std::string device_id; ///< Empty for a raw-token send.
  protocol::platform channel = protocol::platform::apns;
  std::string token; ///< Redacted (`redact_token`): answers never carry whole tokens.
  protocol::delivery_state state = protocol::delivery_state::pending;
  std::string reason; ///< Provider reason or failure cause; the provider's id when accepted.
};

/// The per-device outcomes of recent direct sends, for `GET /v1/apps/{app}/notifications/{id}`.
/// Bounded in count and time: a send is forgotten `retention` after it was opened, or earlier
/// when more than `capacity` sends are tracked (oldest first), so memory stays bounded under
/// any send rate. In memory only: a restart forgets every send.
/// Threading: every member locks one mutex (outcomes arrive on sender threads, reads on I/O
/// threads).
class notification_log {
public:
  using clock = std::chrono::steady_clock;

  notification_log(std::size_t capacity, std::chrono::seconds retention);

  /// Starts tracking a send of `app` with every device pending; returns its new id (32
  /// random hex digits).
  [[nodiscard]] std::string open(std::string app, protocol::lane lane, std::chrono::seconds ttl,
                                 std::vector<tracked_device> devices);

  /// Records device `index`'s final state; ignored when the device already has one or the
  /// send was forgotten.
  void settle(const std::string& id, std::size_t index, protocol::delivery_state state,
              std::string_view reason);

  /// Marks the devices of `id` still pending as failed: the send's last notification was
  /// dropped without a verdict (e.g. its sender stopped at shutdown).
  void finish(const std::string& id);

  /// The send as JSON (`id`, `app`, `lane`, `ttl`, `createdAtMs`, `complete`, `outcomes`:
  /// deviceId, platform, token, state, reason), or nullopt when `id` is not a send of `app`
  /// tracked within the retention window.
  [[nodiscard]] std::optional<std::string> describe(std::string_view app,
                                                    std::string_view id) const;

  /// Sends tracked now (for tests and metrics).
  [[nodiscard]] std::size_t size() const;

private:
  struct record {
    std::string app;
    protocol::lane lane = protocol::lane::chat;
    std::chrono::seconds ttl{0};
    clock::time_point opened;
    std::chrono::system_clock::time_point created;
    std::vector<tracked_device> devices;
  };
  /// Forgets sends past retention or over capacity. Caller holds the mutex.
  void evict(clock::time_point now);

  std::size_t capacity_;
  std::chrono::seconds retention_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, record> records_;
  std::deque<std::string> order_; ///< Ids, oldest first.
  std::mt19937_64 rng_{std::random_device{}()};
};

} // namespace herald::actors
