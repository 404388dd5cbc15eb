#include "app/node.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "actors/apns_sender.hpp"
#include "actors/app_directory.hpp"
#include "actors/atoms.hpp"
#include "actors/dead_letter_writer.hpp"
#include "actors/fcm_sender.hpp"
#include "actors/http_api.hpp"
#include "actors/ingest_control.hpp"
#include "actors/ingestion.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/registry_sweeper.hpp"
#include "actors/router_shard.hpp"
#include "actors/servicebus_ingress.hpp"
#include "actors/wns_sender.hpp"
#include "app/config.hpp"
#include "app/http_listeners.hpp"
#include "app/registry_store.hpp"
#include "transports/http_server.hpp"
#include "transports/metrics_exposer.hpp"

namespace herald::app {

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Writes the bound ports as JSON next to the data, so tools (and tests that start Herald on
/// port 0) learn them. Written to a temporary name and renamed: readers never see half a file.
void write_ports_file(const std::filesystem::path& dir, std::uint16_t http, std::uint16_t metrics,
                      std::optional<std::uint16_t> admin) {
  auto tmp = dir / "herald.ports.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"http\":" << http << ",\"metrics\":" << metrics;
    if (admin) {
      out << ",\"admin\":" << *admin;
    }
    out << "}\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, dir / "herald.ports.json", ec);
  if (ec) {
    spdlog::warn("cannot write the ports file in {}: {}", dir.string(), ec.message());
  }
}

/// The sender core's options shared by every provider of `app`.
actors::sender_options pool_options(const app_config& app, const endpoint& server,
                                    const std::filesystem::path& ca_file, int connections,
                                    int max_streams) {
  actors::sender_options opt;
  opt.app = app.name;
  opt.connection.host = server.host;
  opt.connection.port = server.port;
  opt.connection.tls = server.tls();
  opt.connection.ca_file = ca_file.string();
  opt.connection.max_streams_cap = static_cast<std::uint32_t>(max_streams);
  opt.connections = static_cast<std::uint32_t>(connections);
  return opt;
}

actors::apns_sender_options sender_options(const app_config& app, const apns_config& apns,
                                           std::string key_pem) {
  actors::apns_sender_options opt;
  opt.sender = pool_options(app, apns.server, apns.ca_file, apns.connections, apns.max_streams);
  opt.team_id = apns.team_id;
  opt.key_id = apns.key_id;
  opt.key_pem = std::move(key_pem);
  return opt;
}

/// The FCM sender's options; the service account file was validated by `check_config_files`,
/// but is read again here (it may have changed): nullopt, logged, when it no longer parses.
std::optional<actors::fcm_sender_options> fcm_sender_options(const app_config& app,
                                                             const fcm_config& fcm) {
  auto text = read_file(fcm.service_account_file);
  if (!text) {
    spdlog::critical("apps.{}.fcm.service_account_file: cannot read {}", app.name,
                     fcm.service_account_file.string());
    return std::nullopt;
  }
  auto account = protocol::parse_google_service_account(*text);
  if (!account) {
    spdlog::critical("apps.{}.fcm.service_account_file: {}", app.name, account.error().describe());
    return std::nullopt;
  }
  actors::fcm_sender_options opt;
  opt.sender = pool_options(app, fcm.server, fcm.ca_file, fcm.connections, fcm.max_streams);
  opt.account = std::move(account).value();
  opt.token_connection.host = fcm.token_server.host;
  opt.token_connection.port = fcm.token_server.port;
  opt.token_connection.tls = fcm.token_server.tls();
  opt.token_connection.ca_file = fcm.ca_file.string();
  opt.token_connection.max_streams_cap = 1;
  return opt;
}

/// The WNS sender's options: one pool template (the channel host fills `host` unless
/// `endpoint` fixes it) and the token endpoint.
actors::wns_sender_options wns_sender_options(const app_config& app, const wns_config& wns) {
  actors::wns_sender_options opt;
  const endpoint channel_host{"https", "", 443, ""};
  opt.sender = pool_options(app, wns.server ? *wns.server : channel_host, wns.ca_file,
                            wns.connections, wns.max_streams);
  opt.fixed_endpoint = wns.server.has_value();
  opt.max_hosts = static_cast<std::uint32_t>(wns.max_hosts);
  opt.credentials = {wns.client_id, wns.client_secret.reveal()};
  opt.token_path = wns.token_server.path.empty() ? "/" : wns.token_server.path;
  opt.token_connection.host = wns.token_server.host;
  opt.token_connection.port = wns.token_server.port;
  opt.token_connection.tls = wns.token_server.tls();
  opt.token_connection.ca_file = wns.ca_file.string();
  opt.token_connection.max_streams_cap = 1;
  return opt;
}

} // namespace

int run_node(const config& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.node.data_dir, ec);
  if (ec) {
    spdlog::critical("node.data_dir: cannot create {}: {}", cfg.node.data_dir.string(),
                     ec.message());
    return 1;
  }

  auto registry = std::make_shared<prometheus::Registry>();
  auto metrics = std::make_shared<actors::node_metrics>(registry);
  // Notifications the senders may hold before the webhook answers 503: a few seconds of
  // provider throughput, far below memory concerns (a notification is ~2 KB).
  constexpr std::int64_t backlog_high_water = 20000;
  auto backlog = std::make_shared<actors::delivery_backlog>(backlog_high_water);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  auto stop_io = [&] {
    work.reset();
    io.stop();
    for (auto& t : io_threads) {
      t.join();
    }
    io_threads.clear();
  };
  // One per core by default: the listener's sessions and the provider connections then do
  // not queue behind each other on one thread (docs/BENCHMARKS.md, "End to end").
  const int io_thread_count =
      cfg.http.threads > 0 ? cfg.http.threads
                           : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < io_thread_count; ++i) {
    io_threads.emplace_back([&io] { io.run(); });
  }
  // SIGINT/SIGTERM are caught from here on, before anything is served or the ports file says
  // so: a signal during start-up is then a shutdown once start-up is done, never the default
  // action (an exit that skips the drain and the journal's last commit).
  std::promise<int> stopped;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stopped](const boost::system::error_code& err, int signo) {
    if (!err) {
      spdlog::info("signal {} received, shutting down", signo);
      stopped.set_value(signo);
    }
  });

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.policy",
              cfg.node.scheduler == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
  if (cfg.node.actor_threads > 0) {
    caf_cfg.set("scheduler.max-threads", static_cast<std::size_t>(cfg.node.actor_threads));
  }
  if (cfg.node.max_throughput > 0) {
    caf_cfg.set("scheduler.max-throughput", static_cast<std::size_t>(cfg.node.max_throughput));
  }
  caf::actor_system system{caf_cfg};

  // Senders first: the app directory that router shards read names them.
  auto apps = std::make_shared<actors::app_directory>();
  auto letters = store::sqlite_dead_letters::open(cfg.node.data_dir / "dead_letters.db");
  if (!letters) {
    spdlog::critical("dead letters: cannot open {}: {}",
                     (cfg.node.data_dir / "dead_letters.db").string(), letters.error().message);
    stop_io();
    return 1;
  }
  auto dead_letters = actors::spawn_dead_letter_writer(system, std::move(letters).value(), metrics);
  // The writer stops last (after the senders that feed it): the same list, at its end.
  std::vector<caf::actor> senders;
  auto stop_senders = [&senders, dead_letters] {
    for (const auto& a : senders) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    caf::anon_send_exit(dead_letters, caf::exit_reason::user_shutdown);
  };
  for (const auto& app : cfg.apps) {
    actors::app_entry entry;
    entry.name = app.name;
    entry.api_keys = app.api_keys;
    for (const auto& [name, text] : app.templates) {
      entry.templates.set(name, text);
    }
    if (app.registration_ttl) {
      entry.registration_ttl =
          std::chrono::duration_cast<std::chrono::seconds>(*app.registration_ttl);
    } else {
      entry.registration_ttl = std::nullopt;
    }
    if (app.apns) {
      auto pem = read_file(app.apns->key_file);
      if (!pem) {
        spdlog::critical("apps.{}.apns.key_file: cannot read {}", app.name,
                         app.apns->key_file.string());
        stop_io();
        return 1;
      }
      protocol::apns_settings settings;
      settings.bundle_id = app.apns->bundle_id;
      settings.ring_ttl = std::chrono::duration_cast<std::chrono::seconds>(app.apns->ring_ttl);
      settings.templates = entry.templates;
      entry.apns = std::move(settings);
      auto apns_options = sender_options(app, *app.apns, std::move(*pem));
      apns_options.sender.backlog = backlog;
      apns_options.sender.dead_letters = dead_letters;
      entry.apns_sender = actors::spawn_apns_sender(system, io, std::move(apns_options), metrics);
      if (!entry.apns_sender) {
        stop_senders();
        stop_io();
        return 1;
      }
      senders.push_back(entry.apns_sender);
    }
    if (app.fcm) {
      auto fcm = fcm_sender_options(app, *app.fcm);
      if (!fcm) {
        stop_io();
        return 1;
      }
      protocol::fcm_settings settings;
      settings.project_id = app.fcm->project_id;
      settings.templates = entry.templates;
      entry.fcm = std::move(settings);
      fcm->sender.backlog = backlog;
      fcm->sender.dead_letters = dead_letters;
      entry.fcm_sender = actors::spawn_fcm_sender(system, io, std::move(*fcm), metrics);
      if (!entry.fcm_sender) {
        stop_senders();
        stop_io();
        return 1;
      }
      senders.push_back(entry.fcm_sender);
    }
    if (app.wns) {
      protocol::wns_settings settings;
      settings.templates = entry.templates;
      entry.wns = std::move(settings);
      auto wns = wns_sender_options(app, *app.wns);
      wns.sender.backlog = backlog;
      wns.sender.dead_letters = dead_letters;
      entry.wns_sender = actors::spawn_wns_sender(system, io, std::move(wns), metrics);
      if (!entry.wns_sender) {
        stop_senders();
        stop_io();
        return 1;
      }
      senders.push_back(entry.wns_sender);
    }
    apps->add(std::move(entry));
  }

  // Open the registry once, before the shards open their own objects: a shard that cannot
  // open it would quit and drop every request routed to it, so a registry that cannot be
  // opened (or reached) stops the start here instead.
  auto engine = open_registry_store(cfg);
  if (!engine) {
    spdlog::critical("registry: cannot open {}: {}",
                     cfg.registry.postgres_url.empty()
                         ? (cfg.node.data_dir / "registry.db").string()
                         : std::string("registry.postgres_url"),
                     engine.error().describe());
    stop_senders();
    stop_io();
    return 1;
  }
  spdlog::info("registry: {}", engine.value().description);
  // The cache is sized node-wide; each shard keeps its share.
  const auto shard_count = static_cast<std::size_t>(cfg.node.shards);
  actors::registry_cache_options cache;
  cache.capacity = (cfg.registry.cache_capacity + shard_count - 1) / shard_count;
  cache.max_age = cfg.registry.cache_max_age;
  std::vector<caf::actor> shard_actors;
  for (std::size_t i = 0; i < shard_count; ++i) {
    shard_actors.push_back(
        actors::spawn_router_shard(system, i, engine.value().open, apps, metrics, cache));
  }
  auto sweeper = actors::spawn_registry_sweeper(system, engine.value().open,
                                                cfg.registry.sweep_interval, metrics);
  auto shards = std::make_shared<const actors::shard_map>(shard_actors);
  for (const auto& s : senders) {
    caf::anon_send(s, actors::shards_atom::value, shards);
  }
  for (const auto& s : shard_actors) {
    caf::anon_send(s, actors::shards_atom::value, shards);
  }
  auto ingestion = actors::spawn_ingestion(system, shards, metrics);

  // Ingest bookkeeping: budget, dedupe, journal; pending events are replayed before listening.
  std::optional<std::filesystem::path> journal_path;
  if (cfg.ingest.durability == durability_mode::journal) {
    journal_path = cfg.node.data_dir / "journal.db";
  }
  auto control = actors::ingest_control::open(
      actors::ingest_control_options{cfg.ingest.max_in_flight_events,
                                     cfg.ingest.journal_commit_delay},
      journal_path, store::dedupe_options{cfg.ingest.dedupe_window, cfg.ingest.dedupe_capacity},
      *registry);
  std::size_t replayed = 0;
  if (control) {
    auto r = control.value()->replay_pending(ingestion);
    replayed = r ? r.value() : 0;
    if (!r) {
      spdlog::error("journal: cannot read pending events: {}", r.error().describe());
    }
  }

  auto stop_actors = [&] {
    if (control) {
      control.value()->begin_shutdown(); // unfinished events stay pending for the next start
    }
    caf::anon_send_exit(ingestion, caf::exit_reason::user_shutdown);
    for (const auto& a : shard_actors) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    caf::anon_send_exit(sweeper, caf::exit_reason::user_shutdown);
    stop_senders();
  };

  if (!control) {
    spdlog::critical("ingest: cannot open the journal: {}", control.error().describe());
    stop_actors();
    stop_io();
    return 1;
  }
  if (replayed > 0) {
    spdlog::info("journal: replayed {} events without an outcome", replayed);
  }
  actors::http_api_options api_opts;
  api_opts.webhook_path = cfg.http.webhook_path;
  api_opts.control = control.value();
  api_opts.backlog = backlog;
  api_opts.registry.dev = cfg.node.dev;
  api_opts.registry.import_body_limit = cfg.http.body_limit;
  api_opts.registry.direct_send.retention =
      std::chrono::duration_cast<std::chrono::seconds>(cfg.notifications.retention);
  api_opts.registry.direct_send.max_tracked = cfg.notifications.max_tracked;
  api_opts.registry.direct_send.backlog = backlog;
  // check_webhook built it once at start already; this fails only if a key file changed since.
  auto auth = make_webhook_authenticator(cfg.webhook);
  if (!auth) {
    spdlog::critical("{}", auth.error().describe());
    stop_actors();
    stop_io();
    return 1;
  }
  api_opts.auth = std::move(auth).value();
  api_opts.subscriptions = cfg.webhook.subscriptions;
  actors::http_api api{ingestion, shards, apps, metrics, std::move(api_opts)};
  auto listeners = http_listeners::start(io, cfg.http, api);
  if (!listeners) {
    spdlog::critical("{}", listeners.error().describe());
    stop_actors();
    stop_io();
    return 1;
  }
  auto& server = *listeners.value();
  auto exposer = transports::metrics_exposer::start(cfg.metrics.listen.host,
                                                    cfg.metrics.listen.port, registry);
  if (!exposer) {
    spdlog::critical("metrics.listen: cannot listen on {}: {}", cfg.metrics.listen.to_string(),
                     exposer.error().message());
    server.stop();
    stop_actors();
    stop_io();
    return 1;
  }
  // Service Bus queues: consumed once everything downstream is up; credit follows the budget.
  std::unique_ptr<actors::servicebus_ingress> servicebus;
  if (!cfg.servicebus.empty()) {
    actors::servicebus_ingress_options sb;
    sb.max_in_flight_events = cfg.ingest.max_in_flight_events;
    for (const auto& q : cfg.servicebus) {
      transports::amqp_source_options source;
      source.url = q.broker_url();
      source.address = q.queue;
      source.user = q.user;
      source.password = q.password.reveal();
      source.servicebus = q.parsed;
      source.durable_source = !q.parsed;
      source.ca_file = q.ca_file.string();
      source.max_credit = static_cast<std::uint32_t>(q.credit);
      source.settle_timeout = q.settle_timeout.value_or(std::chrono::milliseconds(0));
      sb.receiver.sources.push_back(std::move(source));
    }
    servicebus = std::make_unique<actors::servicebus_ingress>(std::move(sb), ingestion,
                                                              control.value(), backlog, *registry);
  }
  auto metrics_port = exposer.value()->port();
  write_ports_file(cfg.node.data_dir, server.port(), metrics_port, server.admin_port());
  spdlog::info("herald serving: webhook {}://{}:{}{}{}, metrics http://{}:{}/metrics, {} shards, "
               "{} apps",
               cfg.http.tls_cert_file.empty() ? "http" : "https", cfg.http.listen.host,
               server.port(), cfg.http.webhook_path, cfg.http.h2 ? " (HTTP/1.1 and HTTP/2)" : "",
               cfg.metrics.listen.host, metrics_port, cfg.node.shards, cfg.apps.size());

  stopped.get_future().wait();

  server.stop();
  if (servicebus) {
    servicebus->pause(); // no new messages; those received still settle as they finish
  }
  // Drain: accepted events finish (and are marked done in the journal) before the actors stop;
  // what is still in flight after node.shutdown_timeout stays pending and is replayed at the
  // next start.
  auto drain_until = std::chrono::steady_clock::now() + cfg.node.shutdown_timeout;
  while (control.value()->in_flight() > 0 && std::chrono::steady_clock::now() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (auto left = control.value()->in_flight(); left > 0) {
    spdlog::warn("shutdown: {} events still in flight after {} ms; they stay in the journal", left,
                 cfg.node.shutdown_timeout.count());
  } else {
    spdlog::info("shutdown: every accepted event reached its outcome");
  }
  if (servicebus) {
    servicebus->stop(); // releases what did not finish: the broker redelivers it
  }
  stop_actors();
  system.await_all_actors_done();
  exposer.value().reset();
  stop_io();
  spdlog::info("herald stopped");
  return 0;
}

} // namespace herald::app
