#include "app/http_listeners.hpp"

#include <utility>

#include "app/config.hpp"
#include "app/config_reader.hpp"

namespace herald::app {

config_result<void> read_http_listener(config_reader& r, http_config& out) {
  HERALD_CONFIG_TRY(r.path("tls_cert_file", out.tls_cert_file));
  HERALD_CONFIG_TRY(r.path("tls_key_file", out.tls_key_file));
  if (out.tls_cert_file.empty() != out.tls_key_file.empty()) {
    auto missing = out.tls_cert_file.empty() ? "tls_cert_file" : "tls_key_file";
    auto given = out.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file";
    return config_failure(r.key_path(missing), std::string("required when ") + r.key_path(given) +
                                                   " is set (TLS needs both, or neither)");
  }
  HERALD_CONFIG_TRY(r.boolean("h2", out.h2));
  std::int64_t streams = out.max_concurrent_streams;
  HERALD_CONFIG_TRY(r.integer("max_concurrent_streams", 1, 10'000, streams));
  out.max_concurrent_streams = static_cast<std::uint32_t>(streams);
  const std::chrono::milliseconds at_least{100};
  HERALD_CONFIG_TRY(r.duration("read_timeout", at_least, out.read_timeout));
  HERALD_CONFIG_TRY(r.duration("idle_timeout", at_least, out.idle_timeout));
  HERALD_CONFIG_TRY(r.duration("write_timeout", at_least, out.write_timeout));
  auto connections = static_cast<std::int64_t>(out.max_connections);
  HERALD_CONFIG_TRY(r.integer("max_connections", 1, 1'000'000, connections));
  out.max_connections = static_cast<std::size_t>(connections);
  std::int64_t resets = out.max_client_resets;
  HERALD_CONFIG_TRY(r.integer("max_client_resets", 0, 1'000'000, resets));
  out.max_client_resets = static_cast<std::uint32_t>(resets);
  HERALD_CONFIG_TRY(r.duration("reset_window", at_least, out.reset_window));
  listen_address admin;
  bool has_admin = false;
  HERALD_CONFIG_TRY(r.parsed("admin_listen", admin, [&](std::string_view text) {
    has_admin = true;
    return parse_listen_address(text);
  }));
  if (has_admin) {
    out.admin_listen = admin;
  }
  return config_ok();
}

config_result<transports::http_server_options> make_http_server_options(const http_config& http) {
  transports::http_server_options o;
  o.body_limit = http.body_limit;
  o.h2 = http.h2;
  o.max_concurrent_streams = http.max_concurrent_streams;
  o.read_timeout = http.read_timeout;
  o.idle_timeout = http.idle_timeout;
  o.write_timeout = http.write_timeout;
  o.max_connections = http.max_connections;
  o.max_client_resets = http.max_client_resets;
  o.reset_window = http.reset_window;
  if (http.tls_cert_file.empty()) {
    return o;
  }
  auto ctx =
      transports::tls_context::make_server({http.tls_cert_file.string(), http.tls_key_file.string(),
                                            transports::http_server_alpn(http.h2)});
  if (!ctx) {
    const auto& e = ctx.error();
    bool key =
        e.code == transports::tls_errc::bad_key ||
        (e.code == transports::tls_errc::file_unreadable && e.detail.starts_with("private key"));
    return config_failure(key ? "http.tls_key_file" : "http.tls_cert_file", e.detail);
  }
  o.tls = std::move(ctx).value();
  return o;
}

transports::http_handler admin_routes(transports::http_handler api) {
  return [api = std::move(api)](transports::http_request&& req,
                                transports::http_responder respond) {
    if (req.path == "/healthz" || req.path == "/readyz") {
      api(std::move(req), std::move(respond));
      return;
    }
    respond(transports::http_response::problem(
        404, "Not Found", "the admin listener serves only /healthz and /readyz, not " + req.path));
  };
}

config_result<std::unique_ptr<http_listeners>> http_listeners::start(boost::asio::io_context& io,
                                                                     const http_config& http,
                                                                     transports::http_handler api) {
  auto options = make_http_server_options(http);
  if (!options) {
    return options.error();
  }
  std::unique_ptr<http_listeners> out(new http_listeners());
  out->main_ = std::make_unique<transports::http_server>(io, std::move(options).value(), api);
  auto bound = out->main_->listen(http.listen.host, http.listen.port);
  if (!bound) {
    return config_failure("http.listen", "cannot listen on " + http.listen.to_string() + ": " +
                                             bound.error().message());
  }
  out->port_ = bound.value();
  if (http.admin_listen) {
    // Probes and operators only: clear text, small bodies, HTTP/1.1 and h2c.
    transports::http_server_options admin;
    admin.body_limit = 65'536;
    admin.h2 = http.h2;
    admin.max_connections = 256;
    out->admin_ = std::make_unique<transports::http_server>(io, admin, admin_routes(api));
    auto admin_bound = out->admin_->listen(http.admin_listen->host, http.admin_listen->port);
    if (!admin_bound) {
      out->main_->stop();
      return config_failure("http.admin_listen", "cannot listen on " +
                                                     http.admin_listen->to_string() + ": " +
                                                     admin_bound.error().message());
    }
    out->admin_port_ = admin_bound.value();
  }
  return out;
}

void http_listeners::stop() {
  if (admin_) {
    admin_->stop();
  }
  main_->stop();
}

} // namespace herald::app
