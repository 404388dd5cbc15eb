#include "actors/wns_sender.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <map>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/oauth_adapter.hpp"
#include "actors/sender.hpp"
#include "protocol/https_target.hpp"
#include "protocol/redact.hpp"
#include "protocol/wns_request.hpp"

namespace herald::actors {

namespace {

/// WNS: an OAuth2 access token from the client-credentials grant; answers read by
/// `classify_wns`.
class wns_adapter final : public oauth_adapter {
public:
  wns_adapter(std::string app, transports::h2_client_options token_connection,
              protocol::wns_credentials credentials, std::string token_path,
              std::shared_ptr<node_metrics> metrics)
      : oauth_adapter(
            "wns", std::move(app), std::move(token_connection),
            [credentials = std::move(credentials), path = std::move(token_path)] {
              auto request = protocol::make_wns_token_request(credentials);
              if (request) {
                request.value().request.path = path;
              }
              return request;
            },
            &protocol::wns_authorization, std::move(metrics)) {}

  protocol::verdict classify(const protocol::provider_response& r) const override {
    return protocol::classify_wns(r);
  }
};

struct wns_router_state {
  boost::asio::io_context* io = nullptr;
  wns_sender_options options;
  std::shared_ptr<node_metrics> metrics;
  shard_map_ptr shards;
  std::map<std::string, caf::actor, std::less<>> pools; ///< By channel host.
  static inline const char* name = "herald.wns_sender";
};

using wns_router = caf::stateful_actor<wns_router_state>;

/// Reports `n` failed before it reached a pool.
void refuse(wns_router* self, const notification_ptr& n, std::string_view outcome,
            const std::string& why) {
  auto& st = self->state;
  st.metrics->notifications("wns", outcome).Increment();
  spdlog::warn("wns sender {}: event {} for channel {} not sent: {}", st.options.sender.app,
               n->event_id, protocol::redact_token(n->target.token), why);
  settle(*n, protocol::delivery_state::failed, why);
}

/// The pool of `host`, spawned (and linked) on first use; null beyond `max_hosts`.
caf::actor pool_of(wns_router* self, const std::string& host) {
  auto& st = self->state;
  if (auto it = st.pools.find(host); it != st.pools.end()) {
    return it->second;
  }
  if (st.pools.size() >= st.options.max_hosts) {
    return {};
  }
  auto opt = st.options.sender;
  if (!st.options.fixed_endpoint) {
    opt.connection.host = host;
    opt.connection.sni.clear();
  }
  auto make = [app = opt.app, token = st.options.token_connection,
               credentials = st.options.credentials, path = st.options.token_path,
               metrics = st.metrics]() -> std::unique_ptr<provider_adapter> {
    return std::make_unique<wns_adapter>(app, token, credentials, path, metrics);
  };
  auto pool = spawn_sender(self->system(), *st.io, std::move(opt), std::move(make), st.metrics);
  self->link_to(pool);
  if (st.shards) {
    self->send(pool, shards_atom::value, st.shards);
  }
  spdlog::info("wns sender {}: pool for channel host {} ({} of at most {})", st.options.sender.app,
               host, st.pools.size() + 1, st.options.max_hosts);
  st.pools.emplace(host, pool);
  return pool;
}

caf::behavior wns_sender(wns_router* self, boost::asio::io_context* io, wns_sender_options options,
                         std::shared_ptr<node_metrics> metrics) {
  auto& st = self->state;
  st.io = io;
  st.options = std::move(options);
  st.metrics = std::move(metrics);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& pools = self->state.pools;
    for (auto it = pools.begin(); it != pools.end(); ++it) {
      if (it->second.address() == msg.source) {
        // A pool ended on its own (its supervisor gave up): the next notification for its
        // host spawns a fresh one.
        spdlog::error("wns sender {}: pool for {} ended: {}", self->state.options.sender.app,
                      it->first, caf::to_string(msg.reason));
        pools.erase(it);
        return;
      }
    }
    self->quit(msg.reason); // linked pools end with it
  });
  return {
      [self](deliver_atom, const notification_ptr& n) {
        auto target = protocol::split_https_url(n->target.token, "token");
        if (!target) {
          refuse(self, n, "invalid", target.error().describe());
          return;
        }
        auto pool = pool_of(self, target.value().host);
        if (!pool) {
          refuse(self, n, "host_limit",
                 "more than " + std::to_string(self->state.options.max_hosts) +
                     " WNS channel hosts");
          return;
        }
        self->send(pool, deliver_atom::value, n);
      },
      [self](shards_atom, const shard_map_ptr& shards) {
        self->state.shards = shards;
        for (const auto& [host, pool] : self->state.pools) {
          self->send(pool, shards_atom::value, shards);
        }
      },
  };
}

} // namespace

caf::actor spawn_wns_sender(caf::actor_system& sys, boost::asio::io_context& io,
                            wns_sender_options options, std::shared_ptr<node_metrics> metrics) {
  if (auto request = protocol::make_wns_token_request(options.credentials); !request) {
    spdlog::critical("wns sender {}: {}", options.sender.app, request.error().describe());
    return {};
  }
  return sys.spawn(wns_sender, &io, std::move(options), std::move(metrics));
}

} // namespace herald::actors
