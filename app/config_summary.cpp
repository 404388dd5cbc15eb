#include "app/config.hpp"

#include "app/config_duration.hpp"

// summarize: the human view of a loaded configuration (see config.hpp).
namespace herald::app {
namespace {

std::string ttl_text(const std::optional<std::chrono::milliseconds>& ttl) {
  return ttl ? format_duration(*ttl) : "never";
}

std::string or_text(const std::filesystem::path& p, std::string_view fallback) {
  return p.empty() ? std::string(fallback) : p.string();
}

} // namespace

std::string summarize(const config& cfg) {
  std::string out;
  out += "node: data_dir=" + cfg.node.data_dir.string() +
         " shards=" + std::to_string(cfg.node.shards) +
         " shutdown_timeout=" + format_duration(cfg.node.shutdown_timeout) +
         " scheduler=" + cfg.node.scheduler + (cfg.node.dev ? " dev" : "") + "\n";
  out += "http: listen=" + cfg.http.listen.to_string() + " webhook=" + cfg.http.webhook_path +
         " body_limit=" + std::to_string(cfg.http.body_limit) +
         " threads=" + std::to_string(cfg.http.threads) + "\n";
  out += summarize(cfg.webhook);
  out += summarize(cfg.registry);
  out += "metrics: listen=" + cfg.metrics.listen.to_string() + "\n";
  out += "log: level=" + std::string(to_string(cfg.log.level)) +
         " format=" + std::string(to_string(cfg.log.format)) + "\n";
  out += "apps: " + std::to_string(cfg.apps.size()) + "\n";
  for (const auto& app : cfg.apps) {
    out += "  " + app.name + ": registration_ttl=" + ttl_text(app.registration_ttl) + "\n";
    if (const auto& a = app.apns) {
      out += "    apns: team_id=" + a->team_id + " key_id=" + a->key_id +
             " bundle_id=" + a->bundle_id +
             " environment=" + std::string(protocol::to_string(a->environment)) +
             " endpoint=" + a->server.to_string() + " ca=" + or_text(a->ca_file, "system") +
             " connections=" + std::to_string(a->connections) +
             " max_streams=" + std::to_string(a->max_streams) +
             " ring_ttl=" + format_duration(a->ring_ttl) + "\n";
    }
    if (const auto& f = app.fcm) {
      out += "    fcm: project_id=" + or_text(f->project_id, "(from service account)") +
             " endpoint=" + f->server.to_string() +
             " token_endpoint=" + f->token_server.to_string() +
             " ca=" + or_text(f->ca_file, "system") +
             " connections=" + std::to_string(f->connections) +
             " max_streams=" + std::to_string(f->max_streams) + "\n";
    }
    if (const auto& w = app.wns) {
      // The client secret is a credential: never shown, not even its length.
      out += "    wns: client_id=" + w->client_id + " client_secret=***" +
             " endpoint=" + (w->server ? w->server->to_string() : "(channel URI host)") +
             " token_endpoint=" + w->token_server.to_string() +
             " ca=" + or_text(w->ca_file, "system") +
             " connections=" + std::to_string(w->connections) +
             " max_streams=" + std::to_string(w->max_streams) +
             " max_hosts=" + std::to_string(w->max_hosts) + "\n";
    }
  }
  return out;
}

} // namespace herald::app
