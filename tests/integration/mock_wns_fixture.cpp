#include "tests/integration/mock_wns_fixture.hpp"

#include <sstream>

namespace herald::test {

mock_wns_fixture::mock_wns_fixture(const std::vector<std::string>& extra_args)
    : pki(make_test_pki(dir / "pki")) {
  auto ports_file = dir / "mock-wns.ports.json";
  process_options mo;
  mo.program = HERALD_MOCK_WNS_BIN;
  mo.name = "mock-wns";
  mo.log_dir = dir.path();
  mo.args = {"--listen",        "127.0.0.1:0",
             "--admin",         "127.0.0.1:0",
             "--tls-cert",      pki.server_cert.string(),
             "--tls-key",       pki.server_key.string(),
             "--client-id",     test_wns_client_id,
             "--client-secret", test_wns_client_secret,
             "--ports-file",    ports_file.string()};
  mo.args.insert(mo.args.end(), extra_args.begin(), extra_args.end());
  start(mo, ports_file);
}

mock_wns_fixture::~mock_wns_fixture() {
  process.reset();
}

std::string mock_wns_fixture::herald_config(const std::string& app) const {
  std::ostringstream out;
  out << "[[apps]]\nname = \"" << app << "\"\n"
      << "[apps.wns]\nclient_id = \"" << test_wns_client_id << "\"\n"
      << "client_secret = \"" << test_wns_client_secret << "\"\n"
      << "endpoint = \"https://127.0.0.1:" << port << "\"\n"
      << "token_endpoint = \"https://127.0.0.1:" << port << "/accesstoken.srf\"\n"
      << "ca_file = \"" << pki.ca_cert.string() << "\"\n";
  return out.str();
}

std::string mock_wns_fixture::notifications(const std::string& channel) {
  return http_get("127.0.0.1", admin_port, "/notifications?channel=" + channel);
}

} // namespace herald::test
