#include "actors/ingestion.hpp"

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"

namespace herald::actors {

namespace {

struct ingestion_state {
  std::shared_ptr<const shard_map> shards;
  std::shared_ptr<node_metrics> metrics;
  static inline const char* name = "herald.ingestion";
};

/// Routes every intent of `batch`; each carries its event's token (when tracked), so the event
/// is done once the routers and senders dropped every share of it.
void ingest(caf::stateful_actor<ingestion_state>* self, const protocol::decoded_batch& batch,
            const event_tokens& tokens, const ingest_reply& reply) {
  auto& st = self->state;
  ingest_outcome out;
  out.events = batch.events.size();
  st.metrics->events_received().Increment(static_cast<double>(out.events));
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const auto& ev = batch.events[i];
    event_token token = i < tokens.size() ? tokens[i] : nullptr;
    if (ev.fault) {
      ++out.faults;
      st.metrics->event_faults().Increment();
      continue;
    }
    for (const auto& what : ev.intents) {
      ++out.intents;
      if (what.recipient.empty()) {
        for (const auto& shard : st.shards->all()) {
          self->send(shard, route_atom::value, what, token);
        }
      } else {
        self->send(st.shards->of(what.recipient), route_atom::value, what, token);
      }
    }
  }
  reply(out);
}

caf::behavior ingestion(caf::stateful_actor<ingestion_state>* self,
                        std::shared_ptr<const shard_map> shards,
                        std::shared_ptr<node_metrics> metrics) {
  self->state.shards = std::move(shards);
  self->state.metrics = std::move(metrics);
  return {
      [self](ingest_atom, const batch_ptr& batch, const event_tokens& tokens,
             const ingest_reply& reply) { ingest(self, *batch, tokens, reply); },
      [self](ingest_atom, const batch_ptr& batch, const ingest_reply& reply) {
        ingest(self, *batch, {}, reply);
      },
  };
}

} // namespace

caf::actor spawn_ingestion(caf::actor_system& sys, std::shared_ptr<const shard_map> shards,
                           std::shared_ptr<node_metrics> metrics) {
  return sys.spawn(ingestion, std::move(shards), std::move(metrics));
}

} // namespace herald::actors
