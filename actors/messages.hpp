#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/shard_map.hpp"
#include "protocol/direct_send.hpp"
#include "protocol/envelope.hpp"
#include "protocol/intent.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/registration.hpp"

namespace herald::actors {

/// The completion of one accepted event, shared by everything derived from it (its intents
/// and notifications). When the last copy is destroyed, after every notification reached
/// its final verdict or none was made, `on_done` runs once (see `ingest_control`).
struct event_completion {
  explicit event_completion(std::function<void()> done) : on_done(std::move(done)) {}
  ~event_completion() {
    if (on_done) {
      on_done();
    }
  }
  event_completion(const event_completion&) = delete;
  event_completion& operator=(const event_completion&) = delete;
  std::function<void()> on_done;
  /// When the webhook admitted the event (steady clock), for `herald_event_dispatch_seconds`;
  /// unset (epoch) for journal replays, queue messages and direct sends.
  std::chrono::steady_clock::time_point admitted{};
};
/// A share in an event's completion; null when nobody tracks the event.
using event_token = std::shared_ptr<const event_completion>;
/// One token per event of a batch, in the batch's order.
using event_tokens = std::vector<event_token>;

/// One provider request for one device, on its way to a sender.
struct notification {
  protocol::registration target;
  protocol::provider_request request;
  protocol::lane lane = protocol::lane::call;
  std::string event_id;
  /// After this instant the notification is useless (a ring after the call ended): dropped and
  /// counted as expired instead of sent or retried.
  std::chrono::steady_clock::time_point deadline;
  std::uint32_t attempt = 0;
  /// The originating event's completion share: dropped with the notification at its final
  /// verdict.
  event_token event;
  /// Told the notification's final state once (direct sends track per-device outcomes);
  /// empty for event notifications. Call through `settle`.
  std::function<void(protocol::delivery_state, std::string_view reason)> on_outcome;
};
using notification_ptr = std::shared_ptr<notification>;

/// Reports `n`'s final state to its `on_outcome`, if any, at most once. Senders call it at
/// every final verdict (the metric `herald_notifications_total` counts the same moments).
inline void settle(notification& n, protocol::delivery_state state, std::string_view reason) {
  if (n.on_outcome) {
    auto report = std::move(n.on_outcome);
    n.on_outcome = nullptr;
    report(state, reason);
  }
}

/// What the ingestion actor tells the webhook once a batch is handed to the routers.
struct ingest_outcome {
  std::size_t events = 0;  ///< Events in the batch.
  std::size_t intents = 0; ///< Intents routed.
  std::size_t faults = 0;  ///< Events skipped because their data was malformed.
};
using ingest_reply = std::function<void(const ingest_outcome&)>;

/// A batch decoded by the webhook, shared read-only between actors.
using batch_ptr = std::shared_ptr<const protocol::decoded_batch>;

/// Result of a registry write requested through a router shard (the identity's one writer).
struct registry_write_outcome {
  bool ok = false;
  std::string error; ///< Store failure description when !ok.
};
using registry_write_reply = std::function<void(const registry_write_outcome&)>;

/// Result of a registry read or removal requested through a router shard.
struct registry_query_outcome {
  bool ok = false;
  std::string error; ///< Store failure description when !ok.
  /// Registrations found (reads only).
  std::vector<protocol::registration> found;
  /// Registrations removed (removals only).
  std::size_t removed = 0;
};
/// Called once, on the shard's thread, with the outcome of a registry query.
using registry_query_reply = std::function<void(registry_query_outcome)>;

/// The node's router shards, sent once to each sender at start.
using shard_map_ptr = std::shared_ptr<const shard_map>;

} // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::notification_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::event_token)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::event_tokens)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::ingest_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::registry_write_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::registry_query_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::shard_map_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::protocol::intent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::protocol::registration)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::protocol::platform)
