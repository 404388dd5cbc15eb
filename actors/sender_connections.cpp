#include "actors/sender_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/backoff.hpp"
#include "actors/dead_letter_writer.hpp"
#include "protocol/redact.hpp"

namespace herald::actors::detail {

using steady = std::chrono::steady_clock;

void count(sender_actor* self, std::string_view outcome) {
  self->state.metrics->notifications(self->state.provider, outcome).Increment();
}

void give_up(sender_actor* self, const notification_ptr& n, std::string_view outcome,
             std::string detail) {
  auto& st = self->state;
  count(self, outcome);
  st.metrics->dead_letters(st.provider, outcome).Increment();
  spdlog::warn("{} sender {}: gave up on event {} for token {} after {} attempts ({}: {})",
               st.provider, st.options.app, n->event_id, protocol::redact_token(n->target.token),
               n->attempt, outcome, detail);
  settle(*n, protocol::delivery_state::failed, detail);
  if (!st.options.dead_letters) {
    return;
  }
  store::dead_letter letter;
  letter.app = st.options.app;
  letter.provider = std::string(st.provider);
  letter.device_id = n->target.device_id;
  letter.identity = n->target.identity;
  letter.event_id = n->event_id;
  letter.lane = std::string(protocol::to_string(n->lane));
  letter.reason = std::string(outcome);
  letter.detail = std::move(detail);
  letter.attempts = n->attempt;
  letter.recorded_at = std::chrono::system_clock::now();
  self->send(st.options.dead_letters, dead_atom::value, std::move(letter));
}

sender_state::~sender_state() {
  if (streams != nullptr) {
    streams->Decrement(reported_streams); // its streams end with it
  }
  for (auto& slot : slots) {
    if (slot.conn) {
      slot.conn->close();
    }
  }
  if (adapter) {
    adapter->stop();
  }
}

sender_host::poster sender_state::post() {
  return [me = caf::actor_cast<caf::actor>(self)](std::function<void()> fn) {
    caf::anon_send(me, task_atom::value, std::make_shared<sender_task>(sender_task{std::move(fn)}));
  };
}

void sender_state::post_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  self->delayed_send(self, delay, task_atom::value,
                     std::make_shared<sender_task>(sender_task{std::move(fn)}));
}

void connect(sender_actor* self, std::uint32_t i) {
  auto& st = self->state;
  auto& slot = st.slots[i];
  if (slot.connecting || (slot.conn && slot.conn->is_ready())) {
    return;
  }
  slot.connecting = true;
  auto gen = ++st.generation;
  slot.generation = gen;
  slot.in_flight = 0;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  transports::h2_client_connection::events ev;
  ev.on_ready = [me, i, gen] { caf::anon_send(me, ready_atom::value, i, gen); };
  ev.on_budget = [me, i, gen](std::uint32_t) { caf::anon_send(me, budget_atom::value, i, gen); };
  ev.on_goaway = [me, i, gen](std::uint32_t) { caf::anon_send(me, goaway_atom::value, i, gen); };
  ev.on_closed = [me, i, gen](const transports::h2_failure& why) {
    caf::anon_send(me, closed_atom::value, i, gen, why.detail);
  };
  slot.conn =
      transports::h2_client_connection::create(*st.io_ctx, st.options.connection, std::move(ev));
  slot.conn->start();
}

namespace {

void schedule_reconnect(sender_actor* self, std::uint32_t i) {
  auto& st = self->state;
  auto delay = full_jitter(st.options.reconnect_base, st.options.reconnect_cap,
                           st.slots[i].reconnects++, st.rng);
  // Never reconnect in a tight loop: at least half the base delay.
  delay = std::max(delay, st.options.reconnect_base / 2);
  self->delayed_send(self, delay, connect_atom::value, i);
}

} // namespace

caf::message_handler connection_handlers(sender_actor* self) {
  return {
      [self](ready_atom, std::uint32_t i, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.slots[i].generation) {
          return;
        }
        st.slots[i].connecting = false;
        st.slots[i].reconnects = 0;
        st.metrics->connection_events(st.provider, "connected").Increment();
        spdlog::info("{} sender {}: connection {} up to {}:{}", st.provider, st.options.app, i,
                     st.options.connection.host, st.options.connection.port);
        pump(self);
      },
      [self](budget_atom, std::uint32_t i, std::uint64_t gen) {
        if (gen == self->state.slots[i].generation) {
          pump(self);
        }
      },
      [self](goaway_atom, std::uint32_t i, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.slots[i].generation) {
          return;
        }
        // The old connection drains by itself; streams it did not process come back
        // replayable and are sent on the new one.
        st.metrics->connection_events(st.provider, "goaway").Increment();
        spdlog::info("{} sender {}: GOAWAY on connection {}, reconnecting", st.provider,
                     st.options.app, i);
        st.slots[i].connecting = false;
        connect(self, i);
      },
      [self](closed_atom, std::uint32_t i, std::uint64_t gen, const std::string& detail) {
        auto& st = self->state;
        auto& slot = st.slots[i];
        if (gen != slot.generation) {
          return;
        }
        st.metrics->connection_events(st.provider, "lost").Increment();
        spdlog::warn("{} sender {}: connection {} closed: {}", st.provider, st.options.app, i,
                     detail);
        slot.connecting = false;
        slot.conn.reset();
        slot.in_flight = 0;
        schedule_reconnect(self, i);
      },
      [self](connect_atom, std::uint32_t i) { connect(self, i); },
  };
}

} // namespace herald::actors::detail
