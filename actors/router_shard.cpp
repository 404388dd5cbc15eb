#include "actors/router_shard.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <unordered_map>

#include "actors/atoms.hpp"
#include "actors/cached_registry.hpp"
#include "actors/device_selection.hpp"
#include "actors/messages.hpp"
#include "protocol/apns_request.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/wns_request.hpp"

namespace herald::actors {

namespace {

using clock = std::chrono::system_clock;
using protocol::intent;
using protocol::intent_kind;
using protocol::platform;
using protocol::registration;

/// How long a shard remembers the devices it rang for a call (a ring lasts well under this).
constexpr auto ring_memory = std::chrono::minutes(5);
/// Upper bound on remembered calls per shard: memory stays bounded under any call rate.
constexpr std::size_t ring_memory_limit = 20000;
/// How long a notification stays worth sending.
constexpr auto call_deadline = std::chrono::seconds(30);
constexpr auto chat_deadline = std::chrono::hours(1);

/// Most upserts written in one transaction.
constexpr std::size_t write_batch_limit = 256;

/// Encodes `what` for `reg` with its provider's settings in `app` (configured: checked by the
/// caller).
protocol::result<protocol::provider_request> encode(const intent& what, const registration& reg,
                                                    const app_entry& app, clock::time_point now) {
  switch (reg.channel) {
  case platform::fcm:
    return protocol::encode_fcm(what, reg, *app.fcm);
  case platform::wns: {
    // The channel host travels in `reg.token`: the WNS sender picks its pool from it.
    auto request = protocol::encode_wns(what, reg, *app.wns);
    if (!request) {
      return request.error();
    }
    return std::move(request).value().request;
  }
  default:
    return protocol::encode_apns(what, reg, *app.apns, now);
  }
}

/// An upsert waiting for the shard's next group commit, with its requester's reply.
struct pending_write {
  registration reg;
  registry_write_reply reply;
};

/// The devices a push goes to: pointers into a shared list of registrations, which they keep
/// alive (a cache hit shares the cached list: nothing is copied per push).
struct chosen_devices {
  registry_cache::shared_registrations source;
  std::vector<const registration*> devices;
};

struct rung_call {
  clock::time_point at;
  chosen_devices chosen;
};

struct router_state {
  std::size_t index = 0;
  std::unique_ptr<cached_registry> registry;
  shard_map_ptr shards;
  std::shared_ptr<const app_directory> apps;
  std::shared_ptr<node_metrics> metrics;
  std::vector<pending_write> pending;
  /// Keyed by views of `ring_order`'s strings (a deque keeps its elements in place when
  /// growing at the back or shrinking at the front): one copy of each call id.
  std::unordered_map<std::string_view, rung_call> rings;
  std::deque<std::string> ring_order;
  static inline const char* name = "herald.router";

  void remember_ring(std::string_view call_id, chosen_devices chosen) {
    if (call_id.empty() || chosen.devices.empty()) {
      return;
    }
    auto now = clock::now();
    while (!ring_order.empty() && (ring_order.size() >= ring_memory_limit ||
                                   now - rings.at(ring_order.front()).at > ring_memory)) {
      rings.erase(ring_order.front());
      ring_order.pop_front();
    }
    if (auto it = rings.find(call_id); it != rings.end()) {
      it->second = rung_call{now, std::move(chosen)};
      return;
    }
    rings.emplace(ring_order.emplace_back(call_id), rung_call{now, std::move(chosen)});
  }

  chosen_devices devices_for(const intent& what) {
    if (what.kind == intent_kind::cancel_ring && what.recipient.empty()) {
      auto it = rings.find(what.call.call_id.view());
      if (it == rings.end()) {
        return {};
      }
      return it->second.chosen;
    }
    auto found = registry->find_shared_by_identity(what.recipient, clock::now());
    if (!found) {
      spdlog::error("router {}: registry lookup failed: {}", index, found.error().message);
      metrics->notifications("none", "store_error").Increment();
      return {};
    }
    chosen_devices out{std::move(found).value(), {}};
    out.devices = select_devices(what.kind, *out.source);
    return out;
  }

  /// Tells the shard owning `identity`, when it is another one, that its registrations changed.
  void forward_change(caf::stateful_actor<router_state>* self, const std::string& identity) {
    if (!shards || shards->all().size() < 2) {
      return;
    }
    auto owner = shard_map::index_of(identity, shards->all().size());
    if (owner != index) {
      self->send(shards->all()[owner], invalidate_atom::value, identity);
    }
  }

  /// Group commit: upserts that arrived together are written in one transaction, so a burst
  /// of registrations costs one disk flush (PostgreSQL) or one write-lock turn (SQLite) per
  /// batch. Every other message flushes first, so reads and later writes see them in order.
  void flush() {
    if (pending.empty()) {
      return;
    }
    auto batch = std::move(pending);
    pending.clear();
    std::vector<registration> regs;
    regs.reserve(batch.size());
    for (const auto& w : batch) {
      regs.push_back(w.reg);
    }
    auto done = registry->upsert_all(regs);
    for (auto& w : batch) {
      // A failed batch is retried one by one: one bad registration must not fail the others.
      written(done || batch.size() == 1 ? done : registry->upsert(w.reg), w);
    }
  }

  /// Counts and answers one upsert.
  void written(const store::result<void>& done, const pending_write& w) {
    if (!done) {
      spdlog::error("router {}: registry upsert failed: {}", index, done.error().message);
      metrics->registry_writes("error").Increment();
      w.reply(registry_write_outcome{false, done.error().message});
      return;
    }
    metrics->registry_writes("ok").Increment();
    metrics->registrations(protocol::to_string(w.reg.channel)).Increment();
    w.reply(registry_write_outcome{true, {}});
  }

  /// Replies to a registry read.
  void answer(store::result<std::vector<registration>> found, const registry_query_reply& reply) {
    if (!found) {
      spdlog::error("router {}: registry read failed: {}", index, found.error().message);
      reply(registry_query_outcome{false, found.error().message, {}, 0});
      return;
    }
    reply(registry_query_outcome{true, {}, std::move(found).value(), 0});
  }

  /// Replies to a registry removal (a write: counted with the upserts).
  void removed(store::result<std::size_t> count, const registry_query_reply& reply) {
    if (!count) {
      spdlog::error("router {}: registry removal failed: {}", index, count.error().message);
      metrics->registry_writes("error").Increment();
      reply(registry_query_outcome{false, count.error().message, {}, 0});
      return;
    }
    metrics->registry_writes("ok").Increment();
    reply(registry_query_outcome{true, {}, {}, count.value()});
  }

  void route(caf::stateful_actor<router_state>* self, const intent& what,
             const event_token& event) {
    auto chosen = devices_for(what);
    if (chosen.devices.empty()) {
      if (!what.recipient.empty()) {
        metrics->unrouted_intents().Increment();
      }
      return;
    }
    auto now = clock::now();
    auto deadline =
        std::chrono::steady_clock::now() +
        (what.kind == intent_kind::chat_alert
             ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(chat_deadline)
             : std::chrono::duration_cast<std::chrono::steady_clock::duration>(call_deadline));
    for (const auto* device : chosen.devices) {
      const auto& reg = *device;
      const auto* app = apps->find(reg.app);
      if (app == nullptr) {
        metrics->notifications(protocol::to_string(reg.channel), "unknown_app").Increment();
        continue;
      }
      const bool fcm = reg.channel == platform::fcm;
      const bool wns = reg.channel == platform::wns;
      if (!fcm && !wns && reg.channel != platform::apns && reg.channel != platform::apns_voip) {
        metrics->notifications(protocol::to_string(reg.channel), "unsupported").Increment();
        continue;
      }
      const std::string_view provider = fcm ? "fcm" : wns ? "wns" : "apns";
      const caf::actor& sender = fcm ? app->fcm_sender : wns ? app->wns_sender : app->apns_sender;
      if ((fcm ? !app->fcm : wns ? !app->wns : !app->apns) || !sender) {
        metrics->notifications(provider, "not_configured").Increment();
        continue;
      }
      auto request = encode(what, reg, *app, now);
      if (!request) {
        spdlog::warn("router {}: event {} not encodable for {}: {}", index, what.event_id.view(),
                     provider, request.error().describe());
        metrics->notifications(provider, "invalid").Increment();
        continue;
      }
      auto n = std::make_shared<notification>();
      n->target = reg;
      n->request = std::move(request).value();
      n->lane = what.lane_of();
      n->event_id = what.event_id;
      n->deadline = deadline;
      n->event = event;
      self->send(sender, deliver_atom::value, notification_ptr{std::move(n)});
    }
    if (what.kind == intent_kind::ring) {
      remember_ring(what.call.call_id, std::move(chosen));
    }
  }
};

caf::behavior router_shard(caf::stateful_actor<router_state>* self, std::size_t index,
                           registry_factory open_registry,
                           std::shared_ptr<const app_directory> apps,
                           std::shared_ptr<node_metrics> metrics, registry_cache_options cache) {
  auto& st = self->state;
  st.index = index;
  st.apps = std::move(apps);
  st.metrics = std::move(metrics);
  auto opened = open_registry();
  if (!opened) {
    spdlog::critical("router {}: cannot open the registry: {}", index, opened.error().message);
    self->quit(caf::sec::runtime_error);
    return {};
  }
  st.registry = std::make_unique<cached_registry>(
      std::move(opened).value(), cache, st.metrics,
      [self](const std::string& identity) { self->state.forward_change(self, identity); });
  return {
      [self](route_atom, const intent& what) {
        self->state.flush();
        self->state.route(self, what, nullptr);
      },
      [self](route_atom, const intent& what, const event_token& event) {
        self->state.flush();
        self->state.route(self, what, event);
      },
      [self](register_atom, const registration& reg, const registry_write_reply& reply) {
        auto& s = self->state;
        if (s.pending.empty()) {
          self->send(self, flush_atom::value); // behind what is queued now
        }
        s.pending.push_back(pending_write{reg, reply});
        if (s.pending.size() >= write_batch_limit) {
          s.flush();
        }
      },
      [self](flush_atom) { self->state.flush(); },
      [self](find_atom, device_atom, const std::string& app, const std::string& device,
             const registry_query_reply& reply) {
        auto& s = self->state;
        s.flush();
        s.answer(s.registry->find_device(app, device, clock::now()), reply);
      },
      [self](find_atom, identity_atom, const std::string& app, const std::string& identity,
             const registry_query_reply& reply) {
        auto& s = self->state;
        s.flush();
        auto found = s.registry->find_by_identity(identity, clock::now());
        if (found) {
          std::erase_if(found.value(), [&app](const registration& r) { return r.app != app; });
        }
        s.answer(std::move(found), reply);
      },
      [self](find_atom, page_atom, const std::string& app, const std::string& after_device,
             const std::string& after_platform, std::uint64_t limit,
             const registry_query_reply& reply) {
        auto& s = self->state;
        s.answer(s.registry->list_app(app, clock::now(), after_device, after_platform,
                                      static_cast<std::size_t>(limit)),
                 reply);
      },
      [self](unregister_atom, device_atom, const std::string& app, const std::string& device,
             platform channel, const registry_query_reply& reply) {
        auto& s = self->state;
        s.flush();
        s.removed(s.registry->remove_device(app, device, channel), reply);
      },
      [self](unregister_atom, identity_atom, const std::string& app, const std::string& identity,
             const registry_query_reply& reply) {
        auto& s = self->state;
        s.flush();
        s.removed(s.registry->remove_identity(app, identity), reply);
      },
      [self](shards_atom, const shard_map_ptr& shards) { self->state.shards = shards; },
      [self](invalidate_atom, const std::string& identity) {
        self->state.registry->forget(identity);
      },
      [self](prune_atom, const registration& reg, std::int64_t dead_since_ms) {
        auto& s = self->state;
        s.flush();
        std::optional<clock::time_point> since;
        if (dead_since_ms >= 0) {
          since = clock::time_point{std::chrono::milliseconds(dead_since_ms)};
        }
        auto pruned = s.registry->prune_token(reg.app, reg.channel, reg.token, since);
        if (!pruned) {
          spdlog::error("router {}: prune failed: {}", s.index, pruned.error().message);
          return;
        }
        if (pruned.value()) {
          s.metrics->pruned_tokens(protocol::to_string(reg.channel)).Increment();
        }
      },
  };
}

} // namespace

caf::actor spawn_router_shard(caf::actor_system& sys, std::size_t index,
                              registry_factory open_registry,
                              std::shared_ptr<const app_directory> apps,
                              std::shared_ptr<node_metrics> metrics, registry_cache_options cache) {
  return sys.spawn<caf::detached>(router_shard, index, std::move(open_registry), std::move(apps),
                                  std::move(metrics), cache);
}

} // namespace herald::actors
