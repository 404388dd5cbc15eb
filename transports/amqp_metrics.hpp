#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "transports/amqp_receiver.hpp"

namespace herald::transports {

/// The `herald_amqp_*` metrics of one AMQP source (label `queue`: a configured address, so
/// the label set stays bounded). Prometheus metrics are thread-safe; the receiver updates
/// them on its container thread.
class amqp_metrics {
public:
  amqp_metrics(prometheus::Registry& registry, const std::string& queue);

  void received(bool redelivered);
  void settled(amqp_outcome outcome);
  void settle_lost();
  /// One container turn sent this link's settlements made since the previous one.
  void settle_batch();
  void settle_timeout();
  void credit(double value);
  void attached(bool yes);
  void connecting();
  void disconnected();
  void reconnect();

private:
  prometheus::Counter* received_;
  prometheus::Counter* redeliveries_;
  prometheus::Counter* settled_[4];
  prometheus::Counter* lost_;
  prometheus::Counter* batches_;
  prometheus::Counter* timeouts_;
  prometheus::Counter* reconnects_;
  prometheus::Gauge* credit_;
  prometheus::Gauge* attached_;
  prometheus::Gauge* state_;
};

} // namespace herald::transports
