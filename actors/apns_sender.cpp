#include "actors/apns_sender.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <optional>
#include <random>

#include "actors/atoms.hpp"
#include "actors/backoff.hpp"
#include "actors/lane_queue.hpp"
#include "actors/messages.hpp"
#include "actors/shard_map.hpp"
#include "protocol/apns_request.hpp"
#include "protocol/apns_token_cache.hpp"
#include "protocol/redact.hpp"

namespace herald::actors {

/// A provider's answer (or a transport failure) travelling from the I/O thread to the sender.
struct apns_answer {
  std::uint64_t generation = 0;
  notification_ptr what;
  std::optional<transports::h2_result> result; ///< Set by the I/O thread before sending.
  std::chrono::steady_clock::time_point sent_at;
};
using apns_answer_ptr = std::shared_ptr<apns_answer>;

} // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::apns_answer_ptr)

namespace herald::actors {

namespace {

using steady = std::chrono::steady_clock;
using protocol::verdict_kind;

constexpr std::string_view provider = "apns";

struct sender_state {
  boost::asio::io_context* io = nullptr;
  apns_sender_options options;
  std::shared_ptr<node_metrics> metrics;
  std::optional<protocol::apns_token_cache> tokens;
  std::shared_ptr<transports::h2_client_connection> conn;
  std::uint64_t generation = 0;
  std::uint32_t in_flight = 0;
  std::uint32_t reconnects = 0;
  bool connecting = false;
  lane_queue queue;
  shard_map_ptr shards;
  std::mt19937_64 rng{std::random_device{}()};
  prometheus::Counter* accepted = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Gauge* queued = nullptr;
  static inline const char* name = "herald.apns_sender";
};

using sender_actor = caf::stateful_actor<sender_state>;

void count(sender_actor* self, std::string_view outcome) {
  self->state.metrics->notifications(provider, outcome).Increment();
}

void connect(sender_actor* self) {
  auto& st = self->state;
  if (st.connecting || (st.conn && st.conn->is_ready())) {
    return;
  }
  st.connecting = true;
  auto gen = ++st.generation;
  st.in_flight = 0; // counts streams of the current connection only
  caf::actor me = caf::actor_cast<caf::actor>(self);
  transports::h2_client_connection::events ev;
  ev.on_ready = [me, gen] { caf::anon_send(me, ready_atom::value, gen); };
  ev.on_budget = [me, gen](std::uint32_t) { caf::anon_send(me, budget_atom::value, gen); };
  ev.on_goaway = [me, gen](std::uint32_t) { caf::anon_send(me, goaway_atom::value, gen); };
  ev.on_closed = [me, gen](const transports::h2_failure& why) {
    caf::anon_send(me, closed_atom::value, gen, why.detail);
  };
  st.conn = transports::h2_client_connection::create(*st.io, st.options.connection, std::move(ev));
  st.conn->start();
}

void schedule_reconnect(sender_actor* self) {
  auto& st = self->state;
  auto delay =
      full_jitter(st.options.reconnect_base, st.options.reconnect_cap, st.reconnects++, st.rng);
  // Never reconnect in a tight loop: at least half the base delay.
  delay = std::max(delay, st.options.reconnect_base / 2);
  self->delayed_send(self, delay, connect_atom::value);
}

void pump(sender_actor* self) {
  auto& st = self->state;
  while (st.conn && st.conn->is_ready() && st.in_flight < st.conn->stream_budget()) {
    auto next = st.queue.pop();
    if (!next) {
      break;
    }
    auto n = std::move(*next);
    if (steady::now() > n->deadline) {
      count(self, "expired");
      continue;
    }
    auto token = st.tokens->token(std::chrono::system_clock::now());
    if (!token) {
      spdlog::error("apns sender {}: cannot sign provider token: {}", st.options.app,
                    token.error().describe());
      count(self, "credential_error");
      continue;
    }
    auto request = n->request;
    request.headers.emplace_back("authorization", protocol::apns_authorization(token.value()));
    caf::actor me = caf::actor_cast<caf::actor>(self);
    auto answer = std::make_shared<apns_answer>();
    answer->generation = st.generation;
    answer->what = n;
    answer->sent_at = steady::now();
    ++st.in_flight;
    st.conn->submit(std::move(request), [me, answer](transports::h2_result r) mutable {
      answer->result.emplace(std::move(r));
      caf::anon_send(me, response_atom::value, apns_answer_ptr{std::move(answer)});
    });
  }
  st.queued->Set(static_cast<double>(st.queue.size()));
}

void retry_later(sender_actor* self, const notification_ptr& n,
                 std::optional<std::chrono::seconds> retry_after) {
  auto& st = self->state;
  auto plan = plan_retry(++n->attempt, st.options.max_attempts, st.options.retry_base,
                         st.options.retry_cap, retry_after, steady::now(), n->deadline, st.rng);
  switch (plan.what) {
  case retry_plan::action::give_up:
    count(self, "failed");
    spdlog::warn("apns sender {}: giving up on event {} after {} attempts", st.options.app,
                 n->event_id, n->attempt);
    return;
  case retry_plan::action::expired:
    count(self, "expired");
    return;
  case retry_plan::action::retry:
    st.metrics->retries(provider).Increment();
    self->delayed_send(self, plan.delay, retry_atom::value, n);
    return;
  }
}

void on_answer(sender_actor* self, const apns_answer& answer) {
  auto& st = self->state;
  if (answer.generation == st.generation && st.in_flight > 0) {
    --st.in_flight;
  }
  const auto& n = answer.what;
  const auto& result = *answer.result;
  if (!result) {
    const auto& failure = result.error();
    if (failure.replayable || failure.code == transports::h2_errc::no_stream_slot) {
      // Not processed by APNs (RFC 9113 §8.7): send again as soon as a slot is free.
      st.queue.push_front(n);
    } else {
      spdlog::warn("apns sender {}: transport failure for event {}: {} ({})", st.options.app,
                   n->event_id, transports::to_string(failure.code), failure.detail);
      retry_later(self, n, std::nullopt);
    }
    return;
  }
  st.latency->Observe(std::chrono::duration<double>(steady::now() - answer.sent_at).count());
  auto v = protocol::classify_apns(result.value());
  switch (v.kind) {
  case verdict_kind::accepted:
    st.accepted->Increment();
    break;
  case verdict_kind::rejected:
    count(self, "rejected");
    spdlog::info("apns sender {}: rejected {} for token {}: {}", st.options.app, n->event_id,
                 protocol::redact_token(n->target.token), v.reason);
    if (v.token_dead && st.shards) {
      std::int64_t since = -1;
      if (v.token_dead_since) {
        since = std::chrono::duration_cast<std::chrono::milliseconds>(
                    v.token_dead_since->time_since_epoch())
                    .count();
      }
      self->send(st.shards->of(n->target.identity), prune_atom::value, n->target, since);
    }
    break;
  case verdict_kind::unauthorized:
    count(self, "unauthorized");
    spdlog::warn("apns sender {}: provider token refused: {}", st.options.app, v.reason);
    st.tokens->invalidate();
    retry_later(self, n, std::nullopt);
    break;
  case verdict_kind::failed:
    retry_later(self, n, v.retry_after);
    break;
  }
}

caf::behavior apns_sender(sender_actor* self, boost::asio::io_context* io,
                          apns_sender_options options, std::shared_ptr<node_metrics> metrics) {
  auto& st = self->state;
  st.io = io;
  st.metrics = std::move(metrics);
  st.queue = lane_queue{options.backlog};
  st.accepted = &st.metrics->notifications(provider, "accepted");
  st.latency = &st.metrics->provider_latency(provider);
  st.queued = &st.metrics->queued(provider);
  auto signer = protocol::es256_signer::from_pem(options.key_pem);
  if (!signer) {
    spdlog::critical("apns sender {}: bad APNs key: {}", options.app, signer.error().describe());
    self->quit(caf::sec::runtime_error);
    return {};
  }
  st.tokens.emplace(std::move(signer).value(), options.team_id, options.key_id);
  st.options = std::move(options);
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    if (self->state.conn) {
      self->state.conn->close();
    }
    self->quit(msg.reason);
  });
  connect(self);
  return {
      [self](deliver_atom, const notification_ptr& n) {
        self->state.queue.push(n);
        pump(self);
      },
      [self](retry_atom, const notification_ptr& n) {
        self->state.queue.push_front(n);
        pump(self);
      },
      [self](response_atom, const apns_answer_ptr& answer) {
        on_answer(self, *answer);
        pump(self);
      },
      [self](shards_atom, const shard_map_ptr& shards) { self->state.shards = shards; },
      [self](ready_atom, std::uint64_t gen) {
        if (gen != self->state.generation) {
          return;
        }
        self->state.connecting = false;
        self->state.reconnects = 0;
        spdlog::info("apns sender {}: connected to {}:{}", self->state.options.app,
                     self->state.options.connection.host, self->state.options.connection.port);
        pump(self);
      },
      [self](budget_atom, std::uint64_t gen) {
        if (gen == self->state.generation) {
          pump(self);
        }
      },
      [self](goaway_atom, std::uint64_t gen) {
        if (gen == self->state.generation) {
          spdlog::info("apns sender {}: GOAWAY received, reconnecting", self->state.options.app);
          self->state.connecting = false;
          connect(self);
        }
      },
      [self](closed_atom, std::uint64_t gen, const std::string& detail) {
        auto& s = self->state;
        if (gen != s.generation) {
          return;
        }
        spdlog::warn("apns sender {}: connection closed: {}", s.options.app, detail);
        s.connecting = false;
        s.conn.reset();
        s.in_flight = 0;
        schedule_reconnect(self);
      },
      [self](connect_atom) { connect(self); },
  };
}

} // namespace

caf::actor spawn_apns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                             apns_sender_options options, std::shared_ptr<node_metrics> metrics) {
  return sys.spawn(apns_sender, &io, std::move(options), std::move(metrics));
}

} // namespace herald::actors
