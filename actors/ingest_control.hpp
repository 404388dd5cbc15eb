#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/commit_signal.hpp"
#include "actors/messages.hpp"
#include "protocol/envelope.hpp"
#include "store/dedupe_window.hpp"
#include "store/journal.hpp"

namespace herald::actors {

/// Settings of `ingest_control`.
struct ingest_control_options {
  /// Events accepted and without an outcome yet, node-wide; beyond it batches are refused.
  std::size_t max_in_flight_events = 10000;
  /// The journal's group commit window (`store::journal_options::commit_delay`).
  std::chrono::microseconds journal_commit_delay{1000};
};

/// What `ingest_control::admit` decided for a decoded batch.
struct admission {
  enum class verdict {
    accepted,        ///< Route `batch`; answer 200 (once `commit` resolves, if set).
    budget_spent,    ///< In-flight budget spent: answer 503 + Retry-After.
    journal_failure, ///< The journal refused or failed: answer 503 + Retry-After.
  };
  verdict what = verdict::accepted;
  batch_ptr batch;                 ///< The events to route: duplicates removed.
  std::vector<event_token> tokens; ///< One per event of `batch`, same order.
  std::size_t duplicates = 0;      ///< Events acknowledged without routing.
  std::string detail;              ///< Why, when not accepted.
  /// Set when `batch` was queued for the journal and not committed yet: route it now, but
  /// answer only once this resolves (200 when durable, 503 when the commit failed).
  std::shared_ptr<commit_signal> commit;
};

/// The node's ingest bookkeeping between "accepted" and "outcome": the admission budget,
/// the dedupe window, the journal, and the completion of events.
///
/// Each accepted event gets an `event_token` (a shared completion): copies travel with its
/// intents and notifications, and when the last copy is destroyed (every notification reached
/// its final verdict, or none was made) the event is done: its journal entry is marked and
/// its budget released. A shared count cannot leak: whatever path drops a notification
/// (verdict, expiry, full queue, a dead actor's mailbox) finishes it.
///
/// Lifecycle: made once per node before the HTTP server; `begin_shutdown` before stopping the
/// actors, so notifications destroyed by the shutdown are not marked done (they are replayed
/// at the next start). Threading: every member is safe to call from any thread.
class ingest_control : public std::enable_shared_from_this<ingest_control> {
public:
  /// Opens `journal_path` (nullopt: durability "none") and seeds a dedupe window with the
  /// event ids the journal accepted within `dedupe.window`.
  [[nodiscard]] static store::result<std::shared_ptr<ingest_control>>
  open(ingest_control_options options, const std::optional<std::filesystem::path>& journal_path,
       store::dedupe_options dedupe, prometheus::Registry& metrics);

  /// Sends every journaled event without an outcome to `ingestion` (with its token), before
  /// the node listens. Returns the number of events replayed; a batch that no longer decodes
  /// is logged and skipped (left pending).
  [[nodiscard]] store::result<std::size_t> replay_pending(const caf::actor& ingestion);

  /// `journal` null means durability "none" (nothing is journaled or replayed).
  ingest_control(ingest_control_options options, std::shared_ptr<store::journal> journal,
                 std::shared_ptr<store::dedupe_window> dedupe, prometheus::Registry& metrics);

  /// False when the budget is spent: the webhook refuses before decoding (and counts it with
  /// `refuse`).
  [[nodiscard]] bool admission_open() const noexcept;

  /// Counts one refused batch (`herald_admission_refusals_total`).
  void refuse();

  /// Dedupes `batch`, takes budget for its fresh events, queues them for the journal (when
  /// durable) and calls `then` with the decision, synchronously. A journaled batch is routed
  /// before its commit (the commit's fsync is not on the push's path) and its `commit` tells
  /// when it may be acknowledged; if the commit fails, its events were pushed but the batch is
  /// answered 503 and forgotten by dedupe, so the sender's retry pushes them again (at least
  /// once). `body` is the raw request body (the journal replays from it); nullopt for events
  /// kept elsewhere until their outcome (Service Bus): never journaled.
  void admit(protocol::decoded_batch batch, std::optional<std::string> body,
             std::function<void(admission)> then);

  /// Rebuilds a journaled batch's pending events for routing after a restart: no dedupe (they
  /// were accepted already) and budget taken unconditionally. Fails when the body no longer
  /// decodes (a journal from an incompatible build).
  [[nodiscard]] protocol::result<admission> replay(const store::pending_batch& pending);

  /// From now on finished events release budget but are not marked done in the journal.
  void begin_shutdown() noexcept;

  /// Events accepted and not yet done.
  [[nodiscard]] std::size_t in_flight() const noexcept;

  /// True once `begin_shutdown` was called.
  [[nodiscard]] bool stopping() const noexcept;

private:
  [[nodiscard]] bool try_acquire(std::size_t n) noexcept;
  void release(std::size_t n) noexcept;
  void finish(std::int64_t journal_id) noexcept;
  [[nodiscard]] event_token track(std::int64_t journal_id,
                                  std::chrono::steady_clock::time_point admitted = {});
  void forget(const protocol::decoded_batch& batch);

  ingest_control_options options_;
  std::shared_ptr<store::journal> journal_;
  std::shared_ptr<store::dedupe_window> dedupe_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  prometheus::Counter* refusals_;
  prometheus::Counter* dedupe_hits_;
  prometheus::Counter* replayed_;
  prometheus::Gauge* in_flight_gauge_;
  /// Journal depth: journaled events not yet marked done by this process.
  prometheus::Gauge* journal_pending_;
};

} // namespace herald::actors
