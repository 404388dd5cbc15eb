#include "actors/fcm_sender.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <optional>
#include <random>

#include "actors/atoms.hpp"
#include "actors/backoff.hpp"
#include "actors/lane_queue.hpp"
#include "actors/messages.hpp"
#include "actors/oauth_token_state.hpp"
#include "actors/shard_map.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/redact.hpp"

namespace herald::actors {

/// An FCM answer (or transport failure) travelling from the I/O thread to the sender.
struct fcm_answer {
  std::uint64_t generation = 0;
  notification_ptr what;
  std::string access_token; ///< The token the request carried (to drop it on 401).
  std::optional<transports::h2_result> result;
  std::chrono::steady_clock::time_point sent_at;
};
using fcm_answer_ptr = std::shared_ptr<fcm_answer>;

/// The token endpoint's answer (or transport failure) to one token request.
struct oauth_answer {
  std::optional<transports::h2_result> result;
};
using oauth_answer_ptr = std::shared_ptr<oauth_answer>;

} // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::fcm_answer_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::oauth_answer_ptr)

namespace herald::actors {

namespace {

using steady = std::chrono::steady_clock;
using protocol::verdict_kind;

// Messages of the token connection (local: nobody else sends them).
using token_ready_atom = caf::atom_constant<caf::atom("tkready")>;
using token_closed_atom = caf::atom_constant<caf::atom("tkclosed")>;
using token_answer_atom = caf::atom_constant<caf::atom("tkanswer")>;
using token_tick_atom = caf::atom_constant<caf::atom("tktick")>;

constexpr std::string_view provider = "fcm";

struct sender_state {
  boost::asio::io_context* io = nullptr;
  fcm_sender_options options;
  std::shared_ptr<node_metrics> metrics;
  std::optional<protocol::rs256_signer> signer;
  std::shared_ptr<transports::h2_client_connection> conn;
  std::uint64_t generation = 0;
  std::uint32_t in_flight = 0;
  std::uint32_t reconnects = 0;
  bool connecting = false;
  // OAuth: the token, its connection, and whether the current fetch got as far as a request.
  oauth_token_state tokens;
  std::shared_ptr<transports::h2_client_connection> token_conn;
  std::uint64_t token_generation = 0;
  bool token_submitted = false;
  lane_queue queue;
  shard_map_ptr shards;
  std::mt19937_64 rng{std::random_device{}()};
  prometheus::Counter* accepted = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Gauge* queued = nullptr;
  static inline const char* name = "herald.fcm_sender";
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
  st.in_flight = 0;
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
  delay = std::max(delay, st.options.reconnect_base / 2);
  self->delayed_send(self, delay, connect_atom::value);
}

/// Wakes the actor when the token state may want a fetch (refresh due or backoff over).
void schedule_token_tick(sender_actor* self, steady::time_point at) {
  auto delay = std::max(at - steady::now(), steady::duration{std::chrono::milliseconds(10)});
  self->delayed_send(self, std::chrono::ceil<std::chrono::milliseconds>(delay),
                     token_tick_atom::value);
}

void token_fetch_failed(sender_actor* self, const std::string& why) {
  auto& st = self->state;
  st.token_submitted = false;
  st.tokens.fetch_failed(steady::now());
  count(self, "credential_error");
  spdlog::warn("fcm sender {}: access token fetch failed ({} in a row): {}", st.options.app,
               st.tokens.failures(), why);
  schedule_token_tick(self, st.tokens.retry_at());
}

/// Sends the token request on the (ready) token connection.
void submit_token_request(sender_actor* self) {
  auto& st = self->state;
  auto request = protocol::make_google_token_request(st.options.account, *st.signer,
                                                     std::chrono::system_clock::now());
  if (!request) {
    token_fetch_failed(self, "cannot sign the assertion: " + request.error().describe());
    return;
  }
  st.token_submitted = true;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.token_conn->submit(std::move(request).value().request, [me](transports::h2_result r) {
    auto answer = std::make_shared<oauth_answer>();
    answer->result.emplace(std::move(r));
    caf::anon_send(me, token_answer_atom::value, oauth_answer_ptr{std::move(answer)});
  });
}

/// Starts a token fetch when one is due: on the open token connection, or after opening it.
void ensure_token(sender_actor* self) {
  auto& st = self->state;
  if (!st.tokens.should_fetch(steady::now())) {
    return;
  }
  st.tokens.fetch_started();
  if (st.token_conn && st.token_conn->is_ready()) {
    submit_token_request(self);
    return;
  }
  auto gen = ++st.token_generation;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  transports::h2_client_connection::events ev;
  ev.on_ready = [me, gen] { caf::anon_send(me, token_ready_atom::value, gen); };
  ev.on_closed = [me, gen](const transports::h2_failure& why) {
    caf::anon_send(me, token_closed_atom::value, gen, why.detail);
  };
  if (st.token_conn) {
    st.token_conn->close();
  }
  st.token_conn =
      transports::h2_client_connection::create(*st.io, st.options.token_connection, std::move(ev));
  st.token_conn->start();
}

void on_token_answer(sender_actor* self, const oauth_answer& answer) {
  auto& st = self->state;
  st.token_submitted = false;
  const auto& result = *answer.result;
  if (!result) {
    token_fetch_failed(self, std::string(transports::to_string(result.error().code)) + ": " +
                                 result.error().detail);
    return;
  }
  if (result.value().status != 200) {
    // 400 invalid_grant / 401: the service account is wrong or revoked; 429/5xx: transient.
    // Either way retry with backoff: requests keep waiting until their deadline.
    auto parsed = protocol::parse_oauth_token_response(result.value());
    token_fetch_failed(self, "HTTP " + std::to_string(result.value().status) +
                                 (parsed ? std::string{} : ": " + parsed.error().describe()));
    return;
  }
  auto token = protocol::parse_oauth_token_response(result.value());
  if (!token) {
    token_fetch_failed(self, token.error().describe());
    return;
  }
  st.tokens.fetch_succeeded(std::move(token.value().access_token), token.value().expires_in,
                            steady::now());
  spdlog::info("fcm sender {}: access token obtained, valid {} s", st.options.app,
               token.value().expires_in.count());
  schedule_token_tick(self, st.tokens.refresh_at());
}

void pump(sender_actor* self) {
  auto& st = self->state;
  ensure_token(self);
  while (st.conn && st.conn->is_ready() && st.in_flight < st.conn->stream_budget()) {
    auto access_token = st.tokens.usable(steady::now());
    if (access_token.empty()) {
      break; // Queued until the token arrives (token_answer pumps again).
    }
    auto next = st.queue.pop();
    if (!next) {
      break;
    }
    auto n = std::move(*next);
    if (steady::now() > n->deadline) {
      count(self, "expired");
      continue;
    }
    auto request = n->request;
    request.headers.emplace_back("authorization", protocol::fcm_authorization(access_token));
    caf::actor me = caf::actor_cast<caf::actor>(self);
    auto answer = std::make_shared<fcm_answer>();
    answer->generation = st.generation;
    answer->what = n;
    answer->access_token = std::string(access_token);
    answer->sent_at = steady::now();
    ++st.in_flight;
    st.conn->submit(std::move(request), [me, answer](transports::h2_result r) mutable {
      answer->result.emplace(std::move(r));
      caf::anon_send(me, response_atom::value, fcm_answer_ptr{std::move(answer)});
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
    spdlog::warn("fcm sender {}: giving up on event {} after {} attempts", st.options.app,
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

void on_answer(sender_actor* self, const fcm_answer& answer) {
  auto& st = self->state;
  if (answer.generation == st.generation && st.in_flight > 0) {
    --st.in_flight;
  }
  const auto& n = answer.what;
  const auto& result = *answer.result;
  if (!result) {
    const auto& failure = result.error();
    if (failure.replayable || failure.code == transports::h2_errc::no_stream_slot) {
      // Not processed by FCM (RFC 9113 §8.7): send again as soon as a slot is free.
      st.queue.push_front(n);
    } else {
      spdlog::warn("fcm sender {}: transport failure for event {}: {} ({})", st.options.app,
                   n->event_id, transports::to_string(failure.code), failure.detail);
      retry_later(self, n, std::nullopt);
    }
    return;
  }
  st.latency->Observe(std::chrono::duration<double>(steady::now() - answer.sent_at).count());
  auto v = protocol::classify_fcm(result.value());
  switch (v.kind) {
  case verdict_kind::accepted:
    st.accepted->Increment();
    break;
  case verdict_kind::rejected:
    count(self, "rejected");
    spdlog::info("fcm sender {}: rejected {} for token {}: {}", st.options.app, n->event_id,
                 protocol::redact_token(n->target.token), v.reason);
    if (v.token_dead && st.shards) {
      self->send(st.shards->of(n->target.identity), prune_atom::value, n->target, std::int64_t{-1});
    }
    break;
  case verdict_kind::unauthorized:
    count(self, "unauthorized");
    spdlog::warn("fcm sender {}: access token refused: {}", st.options.app, v.reason);
    // Drop the token once (other in-flight 401s carry the same one), fetch a new one and
    // send again without backoff: the request waits in the queue for the new token.
    st.tokens.refused(answer.access_token);
    if (++n->attempt >= st.options.max_attempts) {
      count(self, "failed");
      break;
    }
    st.queue.push_front(n);
    break;
  case verdict_kind::failed:
    retry_later(self, n, v.retry_after);
    break;
  }
}

caf::behavior fcm_sender(sender_actor* self, boost::asio::io_context* io,
                         fcm_sender_options options, std::shared_ptr<node_metrics> metrics) {
  auto& st = self->state;
  st.io = io;
  st.metrics = std::move(metrics);
  st.queue = lane_queue{options.backlog};
  st.accepted = &st.metrics->notifications(provider, "accepted");
  st.latency = &st.metrics->provider_latency(provider);
  st.queued = &st.metrics->queued(provider);
  auto signer = protocol::rs256_signer::from_pem(options.account.private_key);
  if (!signer) {
    spdlog::critical("fcm sender {}: bad service account key: {}", options.app,
                     signer.error().describe());
    self->quit(caf::sec::runtime_error);
    return {};
  }
  st.signer.emplace(std::move(signer).value());
  st.options = std::move(options);
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    if (self->state.conn) {
      self->state.conn->close();
    }
    if (self->state.token_conn) {
      self->state.token_conn->close();
    }
    self->quit(msg.reason);
  });
  connect(self);
  ensure_token(self);
  return {
      [self](deliver_atom, const notification_ptr& n) {
        self->state.queue.push(n);
        pump(self);
      },
      [self](retry_atom, const notification_ptr& n) {
        self->state.queue.push_front(n);
        pump(self);
      },
      [self](response_atom, const fcm_answer_ptr& answer) {
        on_answer(self, *answer);
        pump(self);
      },
      [self](token_answer_atom, const oauth_answer_ptr& answer) {
        on_token_answer(self, *answer);
        pump(self);
      },
      [self](token_tick_atom) {
        pump(self);
        // A timer may fire a little early: wait again rather than lose the refresh.
        auto& s = self->state;
        auto now = steady::now();
        if (!s.tokens.fetching()) {
          if (now < s.tokens.retry_at()) {
            schedule_token_tick(self, s.tokens.retry_at());
          } else if (!s.tokens.usable(now).empty() && now < s.tokens.refresh_at()) {
            schedule_token_tick(self, s.tokens.refresh_at());
          }
        }
      },
      [self](token_ready_atom, std::uint64_t gen) {
        auto& s = self->state;
        if (gen == s.token_generation && s.tokens.fetching() && !s.token_submitted) {
          submit_token_request(self);
        }
      },
      [self](token_closed_atom, std::uint64_t gen, const std::string& detail) {
        auto& s = self->state;
        if (gen != s.token_generation) {
          return;
        }
        s.token_conn.reset();
        // A submitted request reports its own failure; a fetch that never got a request
        // (connect or TLS failed) fails here.
        if (s.tokens.fetching() && !s.token_submitted) {
          token_fetch_failed(self, "token endpoint connection: " + detail);
        }
      },
      [self](shards_atom, const shard_map_ptr& shards) { self->state.shards = shards; },
      [self](ready_atom, std::uint64_t gen) {
        if (gen != self->state.generation) {
          return;
        }
        self->state.connecting = false;
        self->state.reconnects = 0;
        spdlog::info("fcm sender {}: connected to {}:{}", self->state.options.app,
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
          spdlog::info("fcm sender {}: GOAWAY received, reconnecting", self->state.options.app);
          self->state.connecting = false;
          connect(self);
        }
      },
      [self](closed_atom, std::uint64_t gen, const std::string& detail) {
        auto& s = self->state;
        if (gen != s.generation) {
          return;
        }
        spdlog::warn("fcm sender {}: connection closed: {}", s.options.app, detail);
        s.connecting = false;
        s.conn.reset();
        s.in_flight = 0;
        schedule_reconnect(self);
      },
      [self](connect_atom) { connect(self); },
  };
}

} // namespace

caf::actor spawn_fcm_sender(caf::actor_system& sys, boost::asio::io_context& io,
                            fcm_sender_options options, std::shared_ptr<node_metrics> metrics) {
  return sys.spawn(fcm_sender, &io, std::move(options), std::move(metrics));
}

} // namespace herald::actors
