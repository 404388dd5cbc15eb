#pragma once

// A sender under test (the APNs sender: sender core + APNs adapter) pointed at an in-process
// HTTP/2 provider (h2c on 127.0.0.1, ephemeral port) whose answers the test controls.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>

#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/apns_sender.hpp"
#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "transports/h2_server.hpp"

namespace herald::test {

/// What the provider saw, guarded by one mutex (sessions run on their own strands).
struct provider_log {
  std::mutex mutex;
  std::vector<std::string> arrivals;        ///< `apns-id` of every request, in order.
  std::map<std::string, int> by_connection; ///< Requests per client `ip:port`.
  std::map<std::string, int> accepted;      ///< 200s per `apns-id`.
  std::vector<std::pair<std::string, transports::h2_responder>> held; ///< While `hold`.
  bool hold = false;    ///< Keep answers back until `release`.
  double fail_rate = 0; ///< Share answered 503 (a transient failure).
  std::mt19937_64 rng{42};
  /// Answer 403 ExpiredProviderToken to every request carrying the first `authorization`.
  bool expire_first_token = false;
  std::string expired_token;
  std::set<std::string> tokens_seen; ///< Distinct `authorization` values.
};

struct provider_fixture {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  std::shared_ptr<provider_log> log = std::make_shared<provider_log>();
  std::shared_ptr<transports::h2_server> server;
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  std::shared_ptr<actors::node_metrics> metrics =
      std::make_shared<actors::node_metrics>(std::make_shared<prometheus::Registry>());
  caf::actor uut;
  caf::actor dead_letters; ///< Given to the sender when set before `start_sender`.
  /// Each request's answer deadline (the connection's `request_timeout`).
  std::chrono::milliseconds request_timeout{10000};
  std::uint16_t port = 0;
  /// Seconds the APNs sender's token clock runs ahead of the system clock.
  std::shared_ptr<std::atomic<std::int64_t>> clock_shift =
      std::make_shared<std::atomic<std::int64_t>>(0);

  provider_fixture() {
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([this] { io.run(); });
    }
  }

  ~provider_fixture() {
    for (const auto& a : {uut, dead_letters}) {
      if (a) {
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      }
    }
    system.await_all_actors_done();
    if (server) {
      server->abort();
    }
    work.reset();
    io.stop();
    for (auto& t : threads) {
      t.join();
    }
  }

  /// Starts (or restarts, on the same port once known) the provider.
  void start_provider(transports::h2_server_options options) {
    options.host = "127.0.0.1";
    options.port = port;
    auto handler = [log = log](transports::h2_server_request request, transports::h2_responder r) {
      const auto& id = request.header("apns-id");
      std::lock_guard lock(log->mutex);
      log->arrivals.push_back(id);
      ++log->by_connection[request.remote];
      const auto& auth = request.header("authorization");
      log->tokens_seen.insert(auth);
      if (log->expire_first_token && (log->expired_token.empty() || log->expired_token == auth)) {
        log->expired_token = auth;
        r.respond(403, {}, R"({"reason":"ExpiredProviderToken"})");
        return;
      }
      if (log->hold) {
        log->held.emplace_back(id, r);
        return;
      }
      if (std::uniform_real_distribution<>(0, 1)(log->rng) < log->fail_rate) {
        r.respond(503, {}, R"({"reason":"ServiceUnavailable"})");
        return;
      }
      ++log->accepted[id];
      r.respond(200, {{"apns-id", id}});
    };
    server = transports::h2_server::create(io, options, handler);
    auto bound = server->listen();
    // A restart may race the old acceptor's close (posted to its strand): try again briefly,
    // each time with a fresh server (a failed listen leaves its acceptor unusable).
    for (int i = 0; i < 100 && !bound.has_value(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      server = transports::h2_server::create(io, options, handler);
      bound = server->listen();
    }
    BOOST_TEST_REQUIRE(bound.has_value());
    port = bound.value();
  }

  /// The sender core's options for the provider: `connections` capped at `cap` streams, fast
  /// retries and reconnects.
  actors::sender_options core_options(std::uint32_t connections, std::uint32_t cap) const {
    actors::sender_options o;
    o.app = "demo";
    o.connection.host = "127.0.0.1";
    o.connection.port = port;
    o.connection.tls = false;
    o.connection.max_streams_cap = cap;
    o.connections = connections;
    o.connect_stagger = std::chrono::milliseconds(10);
    o.retry_base = std::chrono::milliseconds(5);
    o.retry_cap = std::chrono::milliseconds(50);
    o.reconnect_base = std::chrono::milliseconds(50);
    o.reconnect_cap = std::chrono::milliseconds(200);
    o.max_attempts = 10;
    o.connection.request_timeout = request_timeout;
    o.dead_letters = dead_letters;
    return o;
  }

  /// Spawns the APNs sender (sender core + APNs adapter).
  void start_sender(std::uint32_t connections, std::uint32_t cap) {
    actors::apns_sender_options o;
    o.sender = core_options(connections, cap);
    o.team_id = "TEAM123456";
    o.key_id = "KEY1234567";
    std::ifstream in(std::string(HERALD_TEST_DATA_DIR) + "/apns-test-key.p8");
    std::ostringstream pem;
    pem << in.rdbuf();
    o.key_pem = pem.str();
    o.clock = [shift = clock_shift] {
      return std::chrono::system_clock::now() + std::chrono::seconds(shift->load());
    };
    uut = actors::spawn_apns_sender(system, io, std::move(o), metrics);
    BOOST_TEST_REQUIRE(static_cast<bool>(uut));
  }

  /// Hands the sender one notification with `apns-id` = `id`.
  void deliver(const std::string& id, protocol::lane lane = protocol::lane::chat,
               std::chrono::steady_clock::duration ttl = std::chrono::seconds(60)) {
    auto n = std::make_shared<actors::notification>();
    n->target.token = std::string(64, 'a');
    n->request.path = "/3/device/" + n->target.token;
    n->request.headers = {{"apns-id", id}, {"apns-topic", "com.example.herald"}};
    n->request.body = R"({"aps":{"alert":"hi"}})";
    n->lane = lane;
    n->event_id = id;
    n->deadline = std::chrono::steady_clock::now() + ttl;
    caf::anon_send(uut, actors::deliver_atom::value, n);
  }

  /// Polls `done` (under the log's lock) every 5 ms for up to `timeout`.
  template <class Pred>
  bool wait_for(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock(log->mutex);
        if (done(*log)) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  /// Answers every held request with 200 and stops holding.
  void release() {
    std::lock_guard lock(log->mutex);
    log->hold = false;
    for (const auto& [id, r] : log->held) {
      ++log->accepted[id];
      r.respond(200, {{"apns-id", id}});
    }
    log->held.clear();
  }

  /// Notifications accepted exactly once; the rest (missing or duplicated) count against.
  std::size_t accepted_once() {
    std::lock_guard lock(log->mutex);
    std::size_t once = 0;
    for (const auto& [id, n] : log->accepted) {
      once += n == 1 ? 1 : 0;
    }
    return once;
  }
};

} // namespace herald::test
