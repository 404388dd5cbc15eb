#include "tests/integration/mock_fcm_fixture.hpp"

#include <sstream>

namespace herald::test {

mock_fcm_fixture::mock_fcm_fixture(const std::vector<std::string>& extra_args)
    : pki(make_test_pki(dir / "pki")), account_key(make_test_rsa_key(dir / "pki", "account")),
      service_account(dir / "service-account.json") {
  auto ports_file = dir / "mock-fcm.ports.json";
  process_options mo;
  mo.program = HERALD_MOCK_FCM_BIN;
  mo.name = "mock-fcm";
  mo.log_dir = dir.path();
  mo.args = {"--listen",
             "127.0.0.1:0",
             "--admin",
             "127.0.0.1:0",
             "--tls-cert",
             pki.server_cert.string(),
             "--tls-key",
             pki.server_key.string(),
             "--service-account-public-key",
             account_key.public_key.string(),
             "--client-email",
             test_fcm_client_email,
             "--project",
             test_fcm_project,
             "--ports-file",
             ports_file.string()};
  mo.args.insert(mo.args.end(), extra_args.begin(), extra_args.end());
  start(mo, ports_file);
  write_service_account_json(service_account, account_key.private_key, test_fcm_project,
                             test_fcm_client_email,
                             "https://127.0.0.1:" + std::to_string(port) + "/token");
}

mock_fcm_fixture::~mock_fcm_fixture() {
  process.reset();
}

std::string mock_fcm_fixture::herald_config(const std::string& app) const {
  std::ostringstream out;
  out << "[[apps]]\nname = \"" << app << "\"\n"
      << "[apps.fcm]\nservice_account_file = \"" << service_account.string() << "\"\n"
      << "endpoint = \"https://127.0.0.1:" << port << "\"\n"
      << "token_endpoint = \"https://127.0.0.1:" << port << "/token\"\n"
      << "ca_file = \"" << pki.ca_cert.string() << "\"\n";
  return out.str();
}

std::string mock_fcm_fixture::notifications(const std::string& token) {
  return http_get("127.0.0.1", admin_port, "/notifications?token=" + token);
}

} // namespace herald::test
