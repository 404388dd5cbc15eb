#include "bench/herald_bench/spawned_stack.hpp"

#include <fstream>

#include "bench/support/ports_file.hpp"

namespace herald::bench {

spawned_stack::spawned_stack(const bench_options& options, const std::filesystem::path& self)
    : options_(options) {
  const auto here = self.parent_path();
  herald_bin_ = options.herald_bin.empty() ? here.parent_path() / "app" / "herald"
                                           : std::filesystem::path(options.herald_bin);
  mock_bin_ = options.mock_bin.empty() ? here / "herald-mock-apns"
                                       : std::filesystem::path(options.mock_bin);
  fcm_bin_ =
      options.fcm_bin.empty() ? here / "herald-mock-fcm" : std::filesystem::path(options.fcm_bin);
}

void spawned_stack::add_fault_args(std::vector<std::string>& args) const {
  const auto& o = options_;
  if (o.mock_fail_rate > 0) {
    args.insert(args.end(), {"--fail-rate", std::to_string(o.mock_fail_rate), "--fail-status",
                             std::to_string(o.mock_fail_status)});
    if (o.mock_retry_after > 0) {
      args.insert(args.end(), {"--retry-after", std::to_string(o.mock_retry_after)});
    }
  }
  if (o.mock_goaway_after > 0) {
    args.insert(args.end(), {"--goaway-after", std::to_string(o.mock_goaway_after)});
  }
  if (o.mock_latency_ms > 0) {
    args.insert(args.end(), {"--latency-ms", std::to_string(o.mock_latency_ms)});
  }
  if (o.mock_spike_every_ms > 0) {
    args.insert(args.end(), {"--spike-every-ms", std::to_string(o.mock_spike_every_ms),
                             "--spike-ms", std::to_string(o.mock_spike_ms)});
  }
}

spawned_stack::~spawned_stack() {
  stop();
}

std::optional<std::string> spawned_stack::start_fcm() {
  account_ = test::make_test_rsa_key(dir_ / "pki", "fcm-account");
  test::process_options fo;
  fo.program = fcm_bin_;
  fo.name = "mock-fcm";
  fo.log_dir = dir_.path();
  const auto ports = dir_ / "mock-fcm.ports.json";
  fo.args = {"--tls-cert",
             pki_.server_cert.string(),
             "--tls-key",
             pki_.server_key.string(),
             "--service-account-public-key",
             account_.public_key.string(),
             "--client-email",
             bench_fcm_client_email,
             "--project",
             bench_fcm_project,
             "--max-concurrent-streams",
             "1000",
             "--no-bodies",
             "--ports-file",
             ports.string()};
  add_fault_args(fo.args);
  fcm_ = std::make_unique<test::child_process>(fo);
  if (!test::wait_for_file(ports, std::chrono::seconds(20))) {
    return "mock FCM did not start: " + fcm_->stderr_text();
  }
  fcm_port_ = read_port(ports.string(), "listen").value_or(0);
  fcm_admin_port_ = read_port(ports.string(), "admin").value_or(0);
  test::write_service_account_json(dir_ / "service-account.json", account_.private_key,
                                   bench_fcm_project, bench_fcm_client_email,
                                   "https://127.0.0.1:" + std::to_string(fcm_port_) + "/token");
  return std::nullopt;
}

std::optional<std::string> spawned_stack::start() {
  try {
    pki_ = test::make_test_pki(dir_ / "pki");
    test::process_options mo;
    mo.program = mock_bin_;
    mo.name = "mock-apns";
    mo.log_dir = dir_.path();
    const auto mock_ports = dir_ / "mock.ports.json";
    mo.args = {"--tls-cert",       pki_.server_cert.string(),
               "--tls-key",        pki_.server_key.string(),
               "--bundle-id",      bench_bundle_id,
               "--team-id",        bench_team_id,
               "--key-id",         bench_key_id,
               "--public-key",     pki_.apns_public_key.string(),
               "--no-bodies",      "--ports-file",
               mock_ports.string()};
    add_fault_args(mo.args);
    mo.args.insert(mo.args.end(),
                   {"--connection-window", std::to_string(options_.mock_connection_window)});
    mock_ = std::make_unique<test::child_process>(mo);
    if (!test::wait_for_file(mock_ports, std::chrono::seconds(20))) {
      return "mock APNs did not start: " + mock_->stderr_text();
    }
    apns_port_ = read_port(mock_ports.string(), "listen").value_or(0);
    mock_admin_port_ = read_port(mock_ports.string(), "admin").value_or(0);

    if (options_.via == "amqp") {
      broker_ = std::make_unique<test::rabbitmq_server>(test::rabbitmq_server_options{{"bench"}});
    }
    if (options_.platforms != "apns") {
      if (auto problem = start_fcm()) {
        return problem;
      }
    }
    const auto config = dir_ / "herald.toml";
    std::ofstream cfg(config);
    // Log level warn: per-event debug lines would measure the logger, not the pipeline.
    cfg << "[node]\ndata_dir = \"" << (dir_ / "data").string() << "\"\nshards = " << options_.shards
        << "\ndev = true\n"
        << "[http]\nlisten = \"127.0.0.1:0\"\n"
        << "[ingest]\ndurability = \"" << options_.durability
        << "\"\nmax_in_flight_events = " << options_.max_in_flight << "\n"
        << "[metrics]\nlisten = \"127.0.0.1:0\"\n"
        << "[log]\nlevel = \"warn\"\n"
        << (options_.postgres_url.empty()
                ? std::string()
                : "[registry]\npostgres_url = \"" + options_.postgres_url + "\"\n")
        << "[[apps]]\nname = \"" << options_.app << "\"\n"
        << "[apps.apns]\nteam_id = \"" << bench_team_id << "\"\nkey_id = \"" << bench_key_id
        << "\"\nkey_file = \"" << pki_.apns_key.string() << "\"\nbundle_id = \"" << bench_bundle_id
        << "\"\nendpoint = \"https://127.0.0.1:" << apns_port_ << "\"\nca_file = \""
        << pki_.ca_cert.string() << "\"\nconnections = " << options_.apns_connections << "\n";
    if (fcm_) {
      cfg << "[apps.fcm]\nservice_account_file = \"" << (dir_ / "service-account.json").string()
          << "\"\nendpoint = \"https://127.0.0.1:" << fcm_port_
          << "\"\ntoken_endpoint = \"https://127.0.0.1:" << fcm_port_ << "/token\"\nca_file = \""
          << pki_.ca_cert.string() << "\"\n";
    }
    if (broker_) {
      cfg << "[[servicebus]]\nurl = \"" << broker_->url() << "\"\nqueue = \""
          << test::rabbitmq_server::address("bench") << "\"\ncredit = " << options_.amqp_credit
          << "\n";
    }
    cfg.close();

    test::process_options ho;
    ho.program = herald_bin_;
    ho.name = "herald";
    ho.log_dir = dir_.path();
    ho.args = {"serve", "--config", config.string()};
    herald_ = std::make_unique<test::child_process>(ho);
    const auto herald_ports = dir_ / "data" / "herald.ports.json";
    if (!test::wait_for_file(herald_ports, std::chrono::seconds(30))) {
      return "herald did not start: " + herald_->stderr_text();
    }
    http_port_ = read_port(herald_ports.string(), "http").value_or(0);
    metrics_port_ = read_port(herald_ports.string(), "metrics").value_or(0);
    if (http_port_ == 0 || apns_port_ == 0 || mock_admin_port_ == 0) {
      return "unreadable ports files in " + dir_.path().string();
    }
    return std::nullopt;
  } catch (const std::exception& e) {
    // The launcher and PKI maker are test support code that throws on set-up failures.
    return std::string("cannot start the stack: ") + e.what();
  }
}

int spawned_stack::stop() {
  int status = 0;
  if (herald_) {
    status = herald_->stop(std::chrono::seconds(15));
    herald_.reset();
  }
  if (mock_) {
    (void)mock_->stop();
    mock_.reset();
  }
  if (fcm_) {
    (void)fcm_->stop();
    fcm_.reset();
  }
  broker_.reset();
  return status;
}

} // namespace herald::bench
