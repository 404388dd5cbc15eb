#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include <caf/actor.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "actors/delivery_backlog.hpp"
#include "actors/ingest_control.hpp"
#include "transports/amqp_receiver.hpp"

namespace herald::actors {

/// Settings of `servicebus_ingress`.
struct servicebus_ingress_options {
  transports::amqp_receiver_options receiver;
  /// The node's in-flight event budget (`ingest.max_in_flight_events`): link credit never
  /// exceeds what is left of it.
  std::size_t max_in_flight_events = 10000;
};

/// Service Bus (AMQP 1.0) ingestion: every message is one Event Grid event (Event Grid schema
/// or CloudEvents, as Event Grid's Service Bus handler sends it), admitted through
/// `ingest_control` (dedupe by event id, budget; never journaled: the broker keeps it),
/// routed by the ingestion actor, and settled once its outcome is reached:
/// - accepted when every notification reached its final verdict, or none was needed, or it is
///   a duplicate;
/// - rejected (dead-lettered) with a description when it does not decode (poison);
/// - released when the budget was spent between credit and arrival, and on shutdown.
///
/// Credit is what the budget has left, and none while the sender queues are saturated.
/// Lifecycle: made after the ingestion actor; `pause` before draining at shutdown, `stop`
/// before the actors stop. Threading: the receiver's thread decodes and admits; completions
/// settle from whatever thread drops the last event token.
class servicebus_ingress {
public:
  servicebus_ingress(servicebus_ingress_options options, caf::actor ingestion,
                     std::shared_ptr<ingest_control> control,
                     std::shared_ptr<delivery_backlog> backlog, prometheus::Registry& metrics);
  ~servicebus_ingress();
  servicebus_ingress(const servicebus_ingress&) = delete;
  servicebus_ingress& operator=(const servicebus_ingress&) = delete;

  /// Grants no more credit: messages already received still complete and are settled.
  void pause() noexcept;
  /// Releases every unsettled message and closes the links; completions after this do nothing.
  void stop();

private:
  struct state;
  void on_message(transports::amqp_message msg, transports::amqp_settlement settlement);
  [[nodiscard]] std::size_t capacity() const;

  std::shared_ptr<state> state_;
  std::unique_ptr<transports::amqp_receiver> receiver_;
};

} // namespace herald::actors
