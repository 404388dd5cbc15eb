#include "tests/integration/mock_fcm_fixture.hpp"

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace herald::test {

namespace {

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

std::uint16_t port_of(const rapidjson::Document& doc, const char* key) {
  if (!doc.IsObject() || !doc.HasMember(key) || !doc[key].IsUint()) {
    throw std::runtime_error(std::string("mock FCM ports file lacks ") + key);
  }
  return static_cast<std::uint16_t>(doc[key].GetUint());
}

} // namespace

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
  process = std::make_unique<child_process>(mo);
  if (!wait_for_file(ports_file, std::chrono::seconds(20))) {
    throw std::runtime_error("mock FCM did not start: " + process->stderr_text());
  }
  std::ifstream in(ports_file);
  std::ostringstream text;
  text << in.rdbuf();
  auto ports = parse_json(text.str());
  port = port_of(ports, "listen");
  admin_port = port_of(ports, "admin");
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

long mock_fcm_fixture::stat(const std::string& key) {
  auto doc = parse_json(http_get("127.0.0.1", admin_port, "/stats"));
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(key.c_str()) ||
      !doc[key.c_str()].IsInt64()) {
    return -1;
  }
  return static_cast<long>(doc[key.c_str()].GetInt64());
}

long mock_fcm_fixture::accepted_for(const std::string& token) {
  auto doc = parse_json(http_get("127.0.0.1", admin_port, "/stats"));
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("by_token")) {
    return -1;
  }
  const auto& by_token = doc["by_token"];
  auto it = by_token.FindMember(token.c_str());
  return it == by_token.MemberEnd() ? 0 : static_cast<long>(it->value.GetInt64());
}

bool mock_fcm_fixture::wait_accepted(const std::string& token, long n,
                                     std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (accepted_for(token) >= n) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string mock_fcm_fixture::notifications(const std::string& token) {
  return http_get("127.0.0.1", admin_port, "/notifications?token=" + token);
}

} // namespace herald::test
