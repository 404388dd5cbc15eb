#include "actors/sender.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "actors/backoff.hpp"
#include "actors/sender_state.hpp"
#include "actors/shard_map.hpp"
#include "protocol/redact.hpp"

namespace herald::actors {

using namespace detail;

namespace {

using steady = std::chrono::steady_clock;
using protocol::verdict_kind;

/// Queues a stream on connection `i` for `n`; `pump` hands the batch to the connection. The
/// stream reads `n`'s request in place (shared, not copied).
void send_on(sender_actor* self, std::uint32_t i, const notification_ptr& n) {
  auto& st = self->state;
  auto& slot = st.slots[i];
  sender_answer answer;
  answer.slot = i;
  answer.generation = slot.generation;
  answer.out_id = st.ledger->out.add(n);
  answer.what = n;
  answer.extra = st.credential_headers;
  answer.sent_at = steady::now();
  if (n->attempt == 0 && n->event && n->event->admitted != steady::time_point{}) {
    st.dispatch->Observe(
        std::chrono::duration<double>(answer.sent_at - n->event->admitted).count());
  }
  ++slot.in_flight;
  ++st.loads[i].in_flight;
  transports::h2_client_connection::job job;
  job.request = std::shared_ptr<const protocol::provider_request>(n, &n->request);
  job.extra = st.credential_headers;
  job.done = [inbox = st.inbox, answer = std::move(answer)](transports::h2_result r) mutable {
    answer.result.emplace(std::move(r));
    inbox->put(std::move(answer));
  };
  st.outgoing[i].push_back(std::move(job));
}

/// The shared per-send headers for credential `header`, made once per credential.
void use_credential(sender_state& st, const std::string& header) {
  if (!st.credential_headers || st.credential_headers->front().second != header) {
    st.credential_headers = std::make_shared<const transports::h2_headers>(
        transports::h2_headers{{"authorization", header}});
  }
}

/// Hands each connection the streams `pump` queued for it, one post per connection.
void hand_over(sender_state& st) {
  for (std::size_t i = 0; i < st.outgoing.size(); ++i) {
    auto& jobs = st.outgoing[i];
    if (jobs.empty()) {
      continue;
    }
    auto batch = std::move(jobs);
    jobs.clear();
    jobs.reserve(batch.size());
    st.slots[i].conn->submit_all(std::move(batch));
  }
}

/// Moves the provider's gauges by this sender's change since its last report: several apps
/// share one series per provider, so no sender may `Set` it.
void update_gauges(sender_actor* self) {
  auto& st = self->state;
  std::uint32_t open = 0;
  for (const auto& slot : st.slots) {
    open += slot.in_flight;
  }
  st.streams->Increment(open - std::exchange(st.reported_streams, open));
  auto& reported = st.ledger->reported_queued;
  for (std::size_t l = 0; l < st.queued.size(); ++l) {
    auto now = static_cast<double>(st.queue().size(static_cast<protocol::lane>(l)));
    st.queued[l]->Increment(now - std::exchange(reported[l], now));
  }
}

} // namespace

/// Sends queued notifications while some connection has a free stream for their lane: calls
/// first and on any free stream, chat and bulk only outside the call reserve.
void detail::pump(sender_actor* self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    const auto& slot = st.slots[i];
    bool ready = slot.conn && slot.conn->is_ready();
    st.loads[i] = {ready, ready ? slot.conn->stream_budget() : 0, slot.in_flight};
  }
  std::optional<credential> cred;
  while (!st.queue().empty()) {
    auto lane =
        st.queue().size(protocol::lane::call) > 0 ? protocol::lane::call : protocol::lane::chat;
    auto slot = pick_connection(st.loads, lane, st.options.call_reserve_percent);
    if (!slot) {
      break;
    }
    if (!cred) {
      cred = st.adapter->authorize();
      if (cred->what == credential::state::ready) {
        use_credential(st, cred->header);
      }
    }
    if (cred->what == credential::state::pending) {
      break; // The adapter posts a task when the credential arrives; that pumps again.
    }
    auto n = std::move(*st.queue().pop());
    if (steady::now() > n->deadline) {
      give_up(self, n, "expired", "deadline passed in the queue");
      continue;
    }
    if (cred->what == credential::state::failed) {
      spdlog::error("{} sender {}: no credential: {}", st.provider, st.options.app, cred->error);
      give_up(self, n, "credential_error", cred->error);
      continue;
    }
    send_on(self, static_cast<std::uint32_t>(*slot), n);
  }
  hand_over(st);
  update_gauges(self);
}

namespace {

void retry_later(sender_actor* self, const notification_ptr& n,
                 std::optional<std::chrono::seconds> retry_after, std::string why) {
  auto& st = self->state;
  auto plan = plan_retry(++n->attempt, st.options.max_attempts, st.options.retry_base,
                         st.options.retry_cap, retry_after, steady::now(), n->deadline, st.rng);
  switch (plan.what) {
  case retry_plan::action::give_up:
    give_up(self, n, "failed", std::move(why));
    return;
  case retry_plan::action::expired:
    give_up(self, n, "expired", std::move(why));
    return;
  case retry_plan::action::retry:
    st.metrics->retries(st.provider).Increment();
    // Held in the ledger: a restart before the timer fires re-queues it.
    self->delayed_send(self, plan.delay, retry_atom::value, st.ledger->out.add(n));
    return;
  }
}

/// `HTTP 503 ServiceUnavailable`: what a dead letter says about the last answer.
std::string verdict_detail(const protocol::verdict& v) {
  return "HTTP " + std::to_string(v.status) + (v.reason.empty() ? "" : " " + v.reason);
}

void on_rejected(sender_actor* self, const notification_ptr& n, const protocol::verdict& v) {
  auto& st = self->state;
  count(self, "rejected");
  settle(*n, protocol::delivery_state::rejected,
         v.reason.empty() ? "HTTP " + std::to_string(v.status) : v.reason);
  spdlog::info("{} sender {}: rejected {} for token {}: {}", st.provider, st.options.app,
               n->event_id, protocol::redact_token(n->target.token), v.reason);
  if (!v.token_dead || !st.shards) {
    return;
  }
  std::int64_t since = -1;
  if (v.token_dead_since) {
    since = std::chrono::duration_cast<std::chrono::milliseconds>(
                v.token_dead_since->time_since_epoch())
                .count();
  }
  self->send(st.shards->of(n->target.identity), prune_atom::value, n->target, since);
}

void on_answer(sender_actor* self, const sender_answer& answer) {
  auto& st = self->state;
  auto& slot = st.slots[answer.slot];
  if (answer.generation == slot.generation && slot.in_flight > 0) {
    --slot.in_flight;
  }
  const auto& n = answer.what;
  if (!st.ledger->out.take(answer.out_id)) {
    return; // Not ours any more (cannot happen while the ledger outlives the core).
  }
  const auto& result = *answer.result;
  if (!result) {
    const auto& failure = result.error();
    using transports::h2_errc;
    // Sent again at once only when the provider provably did not process it (RFC 9113 §8.7:
    // REFUSED_STREAM, a stream above GOAWAY's last_stream_id) or it never left (no slot). A
    // timeout or a lost connection without an answer may have reached the provider: that is
    // a retry (counted, backed off, bounded by the attempt cap) and a possible duplicate.
    if (failure.code == h2_errc::refused_stream || failure.code == h2_errc::goaway_unprocessed ||
        failure.code == h2_errc::no_stream_slot) {
      st.queue().push_front(n);
    } else {
      spdlog::warn("{} sender {}: transport failure for event {}: {} ({})", st.provider,
                   st.options.app, n->event_id, transports::to_string(failure.code),
                   failure.detail);
      retry_later(self, n, std::nullopt,
                  std::string(transports::to_string(failure.code)) + ": " + failure.detail);
    }
    return;
  }
  st.latency->Observe(std::chrono::duration<double>(steady::now() - answer.sent_at).count());
  auto v = st.adapter->classify(result.value());
  switch (v.kind) {
  case verdict_kind::accepted:
    st.accepted->Increment();
    settle(*n, protocol::delivery_state::accepted, v.provider_id);
    break;
  case verdict_kind::rejected:
    on_rejected(self, n, v);
    break;
  case verdict_kind::unauthorized:
    spdlog::warn("{} sender {}: credential refused: {}", st.provider, st.options.app, v.reason);
    // Drop the credential (once: other in-flight refusals carry the same one) and send again
    // without backoff: the request waits in the queue for the new credential.
    st.adapter->refused(answer.credential());
    if (++n->attempt >= st.options.max_attempts) {
      give_up(self, n, "failed", verdict_detail(v));
    } else {
      st.queue().push_front(n);
    }
    break;
  case verdict_kind::failed:
    retry_later(self, n, v.retry_after, verdict_detail(v));
    break;
  }
}

} // namespace

caf::behavior detail::sender_worker(sender_actor* self, boost::asio::io_context* io,
                                    sender_options options,
                                    std::shared_ptr<provider_adapter> adapter,
                                    std::shared_ptr<node_metrics> metrics,
                                    std::shared_ptr<sender_ledger> ledger) {
  auto& st = self->state;
  st.self = self;
  st.io_ctx = io;
  st.metrics = std::move(metrics);
  st.provider = adapter->provider();
  st.ledger = std::move(ledger);
  st.accepted = &st.metrics->notifications(st.provider, "accepted");
  st.latency = &st.metrics->provider_latency(st.provider);
  st.dispatch = &st.metrics->event_dispatch();
  st.streams = &st.metrics->active_streams(st.provider);
  for (std::size_t l = 0; l < st.queued.size(); ++l) {
    st.queued[l] = &st.metrics->queued(st.provider, static_cast<protocol::lane>(l));
  }
  options.connections = std::max(options.connections, 1U);
  st.slots.resize(options.connections);
  st.loads.resize(options.connections);
  st.outgoing.resize(options.connections);
  st.inbox = std::make_shared<sender_inbox>(*io, caf::actor_cast<caf::actor>(self));
  st.options = std::move(options);
  st.adapter = std::move(adapter);
  st.adapter->start(st);
  // Open the pool's connections one after the other, not all at once.
  connect(self, 0);
  for (std::uint32_t i = 1; i < st.slots.size(); ++i) {
    self->delayed_send(self, st.options.connect_stagger * i, connect_atom::value, i);
  }
  return caf::message_handler{
      [self](deliver_atom, const notification_ptr& n) {
        self->state.queue().push(n);
        pump(self);
      },
      [self](retry_atom, std::uint32_t out_id) {
        if (auto n = self->state.ledger->out.take(out_id)) {
          self->state.queue().push_front(std::move(n));
        }
        pump(self);
      },
      [self](response_atom, const sender_answers_ptr& answers) {
        for (const auto& answer : *answers) {
          on_answer(self, answer);
        }
        pump(self);
      },
      [self](task_atom, const sender_task_ptr& task) {
        task->run();
        pump(self);
      },
      [self](shards_atom, const shard_map_ptr& shards) { self->state.shards = shards; },
  }
      .or_else(connection_handlers(self));
}

} // namespace herald::actors
