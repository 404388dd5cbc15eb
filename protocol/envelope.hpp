#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/intent.hpp"
#include "protocol/result.hpp"
#include "protocol/webhook_handshake.hpp"

namespace herald::protocol {

/// How a webhook body is framed, from its Content-Type.
enum class content_kind {
  event_grid,        ///< Event Grid schema: a JSON array of events (or one object).
  cloud_event,       ///< CloudEvents 1.0 structured mode, one event.
  cloud_event_batch, ///< CloudEvents 1.0 JSON batch: an array of events (may be empty).
};

[[nodiscard]] std::string_view to_string(content_kind k) noexcept;

/// From a Content-Type header value; nullopt → the caller answers 415.
/// `application/json` and `text/json` mean Event Grid schema; `application/cloudevents+json`
/// and `application/cloudevents-batch+json` (CloudEvents HTTP binding, sections 3.2, 3.3)
/// mean CloudEvents. Type and subtype are case-insensitive (RFC 9110 section 8.3.1);
/// parameters are ignored except `charset`, which must be `utf-8` when present (RFC 8259
/// section 8.1: JSON exchanged between systems is UTF-8).
[[nodiscard]] std::optional<content_kind> content_kind_from(std::string_view content_type) noexcept;

/// One event of a batch, decoded. Owns (shares) all its strings: the envelope strings of a
/// whole batch are kept in one buffer, shared with the intents.
struct decoded_event {
  shared_text id;
  shared_text type;
  shared_text source;                           ///< source = topic for Event Grid
  bool known = false;                           ///< an ACS type we understand (see event_catalog)
  std::vector<intent> intents;                  ///< may be empty (no push for this type)
  std::optional<error> fault;                   ///< this event's data was malformed (event skipped)
  shared_text subject;                          ///< May be empty.
  std::chrono::system_clock::time_point time{}; ///< `eventTime` / `time`; epoch when absent.
  std::vector<error> warnings; ///< Lenient problems (missing subject, odd fields ...).
};

/// A decoded webhook body.
struct decoded_batch {
  content_kind kind = content_kind::event_grid;
  std::optional<std::string> validation_code; ///< set → answer the handshake, ignore events
  std::optional<std::string> validation_url;  ///< The manual-validation URL, when given.
  std::vector<decoded_event> events;
};

/// Decodes a webhook body: JSON (UTF-8 validated, parsed iteratively so nesting depth cannot
/// exhaust the stack), envelope per `kind`, then for every known ACS type its `data` and
/// intents. Envelope errors (not JSON, wrong shape, missing id/type …) fail the whole batch
/// (→ 400), with the event index and field. A known event whose `data` is unusable gets a
/// `fault` and no intents; the rest of the batch is unaffected. Unknown types are `known =
/// false`, without fault. An Event Grid batch holding a
/// `Microsoft.EventGrid.SubscriptionValidationEvent` sets `validation_code` and no events.
/// An empty Event Grid array is `wrong_shape` (Event Grid never sends one); an empty
/// CloudEvents batch is valid (JSON format section 4.3). Body size is the caller's limit.
/// Thread-safe; parses a copy of `body` in situ, made in a per-thread buffer (1 MiB, kept for
/// the thread's life) or, for a larger body, in one allocated for this call.
[[nodiscard]] result<decoded_batch> decode_batch(std::string_view body, content_kind kind);

} // namespace herald::protocol
