#include "transports/amqp_metrics.hpp"

namespace herald::transports {

namespace {

prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help,
                             const prometheus::Labels& labels) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add(labels);
}

prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help,
                         const prometheus::Labels& labels) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add(labels);
}

} // namespace

amqp_metrics::amqp_metrics(prometheus::Registry& r, const std::string& queue) {
  const prometheus::Labels q{{"queue", queue}};
  received_ = &counter(r, "herald_amqp_messages_received_total",
                       "AMQP messages received (unsettled) from a queue", q);
  redeliveries_ = &counter(r, "herald_amqp_redeliveries_total",
                           "AMQP messages the broker had delivered before", q);
  const char* outcomes[] = {"accepted", "rejected", "released", "modified"};
  for (int i = 0; i < 4; ++i) {
    settled_[i] =
        &counter(r, "herald_amqp_messages_settled_total", "AMQP messages settled, by outcome",
                 {{"queue", queue}, {"outcome", outcomes[i]}});
  }
  lost_ = &counter(r, "herald_amqp_settlements_lost_total",
                   "Settlements made after their delivery was gone (connection lost or settle "
                   "timeout passed); the broker redelivers those messages",
                   q);
  batches_ = &counter(r, "herald_amqp_settle_batches_total",
                      "Container turns that sent settlements to the broker (settlements made "
                      "close together share one, and contiguous ones one disposition frame)",
                      q);
  timeouts_ = &counter(r, "herald_amqp_settle_timeouts_total",
                       "Deliveries released because their outcome took longer than the settle "
                       "timeout",
                       q);
  reconnects_ = &counter(r, "herald_amqp_reconnects_total",
                         "AMQP connections lost and scheduled for reconnection", q);
  credit_ = &gauge(r, "herald_amqp_credit", "Link credit outstanding at the broker", q);
  attached_ = &gauge(r, "herald_amqp_link_attached", "1 while the receiver link is attached", q);
  state_ = &gauge(r, "herald_amqp_connection_state",
                  "0 disconnected (backing off), 1 connecting, 2 consuming", q);
}

void amqp_metrics::received(bool redelivered) {
  received_->Increment();
  if (redelivered) {
    redeliveries_->Increment();
  }
}

void amqp_metrics::settled(amqp_outcome outcome) {
  settled_[static_cast<int>(outcome)]->Increment();
}

void amqp_metrics::settle_lost() {
  lost_->Increment();
}

void amqp_metrics::settle_batch() {
  batches_->Increment();
}

void amqp_metrics::settle_timeout() {
  timeouts_->Increment();
}

void amqp_metrics::credit(double value) {
  credit_->Set(value);
}

void amqp_metrics::attached(bool yes) {
  attached_->Set(yes ? 1 : 0);
  state_->Set(yes ? 2 : 1);
}

void amqp_metrics::connecting() {
  state_->Set(1);
}

void amqp_metrics::disconnected() {
  state_->Set(0);
  credit_->Set(0);
}

void amqp_metrics::reconnect() {
  reconnects_->Increment();
}

} // namespace herald::transports
