#include "actors/servicebus_ingress.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "protocol/envelope.hpp"

namespace herald::actors {

using transports::amqp_outcome;

struct servicebus_ingress::state {
  caf::actor ingestion;
  std::shared_ptr<ingest_control> control;
  std::shared_ptr<delivery_backlog> backlog;
  std::size_t max_in_flight = 0;
  std::atomic<bool> paused{false};
  std::atomic<bool> stopping{false};
  prometheus::Counter* poison = nullptr;
  prometheus::Counter* duplicates = nullptr;
  prometheus::Counter* retried = nullptr;
};

namespace {

/// How a message body is framed: its content type when it names one, else by a look at the
/// body (a CloudEvent has `specversion`; Event Grid's Service Bus handler sets
/// `application/json` for both schemas, or nothing).
protocol::content_kind kind_of(const transports::amqp_message& msg) {
  if (auto k = protocol::content_kind_from(msg.content_type);
      k && *k != protocol::content_kind::event_grid) {
    return *k;
  }
  return msg.body.find("\"specversion\"") != std::string::npos ? protocol::content_kind::cloud_event
                                                               : protocol::content_kind::event_grid;
}

std::string property(const transports::amqp_message& msg, std::string_view name) {
  for (const auto& [k, v] : msg.event_grid_properties) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

/// Reads Event Grid's `aeg-*` application properties: logged at debug (tracing a delivery),
/// and a message Event Grid had to retry into the queue (`aeg-delivery-count` > 0) is counted.
void note_event_grid_properties(const transports::amqp_message& msg, prometheus::Counter& retried) {
  auto count = property(msg, "aeg-delivery-count");
  if (!count.empty() && count != "0") {
    retried.Increment();
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    auto or_dash = [](std::string v) { return v.empty() ? std::string("-") : v; };
    spdlog::debug("servicebus: {}: message {} (delivery count {}{}): subscription={} "
                  "aeg_delivery_count={} event_type={}",
                  msg.queue, or_dash(msg.message_id), msg.delivery_count,
                  msg.redelivered ? ", redelivered" : "",
                  or_dash(property(msg, "aeg-subscription-name")), or_dash(count),
                  or_dash(property(msg, "aeg-event-type")));
  }
}

} // namespace

servicebus_ingress::servicebus_ingress(servicebus_ingress_options options, caf::actor ingestion,
                                       std::shared_ptr<ingest_control> control,
                                       std::shared_ptr<delivery_backlog> backlog,
                                       prometheus::Registry& metrics)
    : state_(std::make_shared<state>()) {
  state_->ingestion = std::move(ingestion);
  state_->control = std::move(control);
  state_->backlog = std::move(backlog);
  state_->max_in_flight = options.max_in_flight_events;
  state_->poison = &prometheus::BuildCounter()
                        .Name("herald_servicebus_poison_messages_total")
                        .Help("Service Bus messages rejected (dead-lettered) as undecodable")
                        .Register(metrics)
                        .Add({});
  state_->duplicates = &prometheus::BuildCounter()
                            .Name("herald_servicebus_duplicate_messages_total")
                            .Help("Service Bus messages accepted without routing: every event "
                                  "was a duplicate")
                            .Register(metrics)
                            .Add({});
  state_->retried = &prometheus::BuildCounter()
                         .Name("herald_servicebus_eventgrid_retried_total")
                         .Help("Service Bus messages Event Grid delivered to the queue after "
                               "earlier failed attempts (aeg-delivery-count > 0)")
                         .Register(metrics)
                         .Add({});
  receiver_ = std::make_unique<transports::amqp_receiver>(
      std::move(options.receiver),
      [this](transports::amqp_message m, transports::amqp_settlement s) {
        on_message(std::move(m), std::move(s));
      },
      [this] { return capacity(); }, metrics);
}

servicebus_ingress::~servicebus_ingress() {
  stop();
}

void servicebus_ingress::pause() noexcept {
  state_->paused = true;
}

void servicebus_ingress::stop() {
  state_->paused = true;
  state_->stopping = true;
  if (receiver_) {
    receiver_->stop();
  }
}

std::size_t servicebus_ingress::capacity() const {
  const auto& st = *state_;
  if (st.paused || (st.backlog && st.backlog->saturated())) {
    return 0;
  }
  auto used = st.control->in_flight();
  return used < st.max_in_flight ? st.max_in_flight - used : 0;
}

void servicebus_ingress::on_message(transports::amqp_message msg,
                                    transports::amqp_settlement settlement) {
  auto reject = [&](const std::string& why) {
    state_->poison->Increment();
    spdlog::warn("servicebus: {}: message {} rejected (dead-lettered): {}", msg.queue,
                 msg.message_id, why);
    settlement.settle(amqp_outcome::rejected, why);
  };
  note_event_grid_properties(msg, *state_->retried);
  if (!msg.body_is_data) {
    reject("the body is not a data section or a string (expected one Event Grid event as JSON)");
    return;
  }
  auto decoded = protocol::decode_batch(msg.body, kind_of(msg));
  if (!decoded) {
    reject(decoded.error().describe());
    return;
  }
  auto& batch = decoded.value();
  if (batch.validation_code || batch.events.empty() ||
      property(msg, "aeg-event-type") == "SubscriptionValidation") {
    // Nothing to push: a handshake never reaches a queue in practice; done either way.
    settlement.settle(amqp_outcome::accepted);
    return;
  }
  if (std::all_of(batch.events.begin(), batch.events.end(),
                  [](const auto& ev) { return ev.fault.has_value(); })) {
    reject(batch.events.front().fault->describe());
    return;
  }
  auto st = state_;
  auto settle = std::make_shared<transports::amqp_settlement>(std::move(settlement));
  st->control->admit(std::move(batch), std::nullopt, [st, settle](admission a) {
    if (a.what != admission::verdict::accepted) {
      // Credit raced the budget (or another ingress took it): the broker redelivers.
      settle->settle(amqp_outcome::released);
      return;
    }
    if (!a.batch || a.batch->events.empty()) {
      st->duplicates->Increment();
      settle->settle(amqp_outcome::accepted);
      return;
    }
    // One completion for the message, shared by its events' tokens: when the last event is
    // done the message is accepted, unless the node is stopping (then the receiver has
    // released it already and the broker redelivers).
    auto message_done = std::make_shared<event_completion>([st, settle] {
      settle->settle(st->stopping ? amqp_outcome::released : amqp_outcome::accepted);
    });
    event_tokens tokens;
    tokens.reserve(a.tokens.size());
    for (auto& t : a.tokens) {
      tokens.push_back(std::make_shared<event_completion>(
          [message_done, budget = std::move(t)]() mutable { budget.reset(); }));
    }
    caf::anon_send(st->ingestion, ingest_atom::value, std::move(a.batch), std::move(tokens),
                   ingest_reply{[](const ingest_outcome&) {}});
  });
}

} // namespace herald::actors
