#include "tests/integration/herald_fixture.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "protocol/base64url.hpp"

namespace herald::test {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + p.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

rapidjson::Document parse(const std::string& text, const std::string& what) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  if (doc.HasParseError()) {
    throw std::runtime_error("not JSON: " + what + ": " + text);
  }
  return doc;
}

std::uint16_t port_of(const rapidjson::Document& doc, const char* key) {
  auto it = doc.FindMember(key);
  if (it == doc.MemberEnd() || !it->value.IsUint()) {
    throw std::runtime_error(std::string("ports file lacks ") + key);
  }
  return static_cast<std::uint16_t>(it->value.GetUint());
}

} // namespace

std::string read_sample(const std::string& name) {
  return slurp(std::filesystem::path(HERALD_SAMPLES_DIR) / name);
}

std::string valid_call_context() {
  auto b64 = [](std::string_view s) { return protocol::base64url_encode(s); };
  return b64(R"({"alg":"none","typ":"JWT"})") + "." +
         b64(R"({"cc":"SGVyYWxkIHRlc3QgY2FsbCBjb250ZXh0"})") + ".";
}

std::string incoming_call_for(const std::string& identity, bool keep_context) {
  auto doc = parse(read_sample("eventgrid-IncomingCall-1.json"), "sample");
  auto& alloc = doc.GetAllocator();
  auto& data = doc[0]["data"];
  data["to"]["rawId"].SetString(identity.c_str(), alloc);
  data["to"]["communicationUser"]["id"].SetString(identity.c_str(), alloc);
  if (!keep_context) {
    auto ctx = valid_call_context();
    data["incomingCallContext"].SetString(ctx.c_str(), alloc);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

std::string numbered_incoming_call(int n) {
  auto doc = parse(incoming_call_for(test_identity, false), "incoming call");
  auto& alloc = doc.GetAllocator();
  auto suffix = std::to_string(100000000000 + n);
  doc[0]["id"].SetString(("d5546be8-227a-4db8-b2c3-" + suffix).c_str(), alloc);
  doc[0]["data"]["correlationId"].SetString(("d732db64-4803-462d-be9c-" + suffix).c_str(), alloc);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

herald_fixture::herald_fixture(herald_fixture_options opts)
    : pki(make_test_pki(dir / "pki")), options(std::move(opts)) {
  start_mock(options.mock_latency_ms);
  start_herald();
}

void herald_fixture::start_mock(std::uint32_t latency_ms) {
  mock.reset();
  auto ports_file = dir / "mock.ports.json";
  std::error_code ec;
  std::filesystem::remove(ports_file, ec);
  process_options mo;
  mo.program = HERALD_MOCK_APNS_BIN;
  mo.name = "mock-apns";
  mo.log_dir = dir.path();
  mo.args = {"--listen",     "127.0.0.1:0",
             "--admin",      "127.0.0.1:0",
             "--tls-cert",   pki.server_cert.string(),
             "--tls-key",    pki.server_key.string(),
             "--bundle-id",  test_bundle,
             "--team-id",    "TEAM123456",
             "--key-id",     "KEY1234567",
             "--public-key", pki.apns_public_key.string(),
             "--latency-ms", std::to_string(latency_ms),
             "--ports-file", ports_file.string()};
  mo.args.insert(mo.args.end(), options.mock_args.begin(), options.mock_args.end());
  mock = std::make_unique<child_process>(mo);
  if (!wait_for_file(ports_file, std::chrono::seconds(20))) {
    throw std::runtime_error("mock APNs did not start: " + mock->stderr_text());
  }
  auto ports = parse(slurp(ports_file), "mock ports");
  apns_port = port_of(ports, "listen");
  mock_admin_port = port_of(ports, "admin");

  std::ofstream cfg(dir / "herald.toml");
  cfg << "[node]\ndata_dir = \"" << (dir / "data").string() << "\"\nshards = 3\n"
      << "shutdown_timeout = \"3s\"\n"
      // Development mode: webhook and REST credentials are optional (auth tests turn it off).
      << "dev = " << (options.dev ? "true" : "false") << "\n"
      << "[http]\nlisten = \"127.0.0.1:0\"\n"
      << (options.http_tls ? "tls_cert_file = \"" + pki.server_cert.string() +
                                 "\"\ntls_key_file = \"" + pki.server_key.string() + "\"\n"
                           : std::string{})
      << (options.admin_listener ? "admin_listen = \"127.0.0.1:0\"\n" : "")
      << "[metrics]\nlisten = \"127.0.0.1:0\"\n"
      << "[log]\nlevel = \"" << options.log_level << "\"\n"
      << options.extra_config << "\n"
      << "[[apps]]\nname = \"demo\"\n"
      << "[apps.apns]\nteam_id = \"TEAM123456\"\nkey_id = \"KEY1234567\"\n"
      << "key_file = \"" << pki.apns_key.string() << "\"\n"
      << "bundle_id = \"" << test_bundle << "\"\n"
      << "endpoint = \"https://127.0.0.1:" << apns_port << "\"\n"
      << "ca_file = \"" << pki.ca_cert.string() << "\"\n";
}

herald_fixture::~herald_fixture() {
  herald.reset();
  mock.reset();
}

void herald_fixture::start_herald() {
  herald.reset();
  auto ports_file = dir / "data" / "herald.ports.json";
  std::error_code ec;
  std::filesystem::remove(ports_file, ec);
  process_options ho;
  ho.program = HERALD_BIN;
  ho.name = "herald";
  ho.log_dir = dir.path();
  ho.args = {"serve", "--config", (dir / "herald.toml").string()};
  ho.env = options.env;
  herald = std::make_unique<child_process>(ho);
  if (!wait_for_file(ports_file, std::chrono::seconds(30))) {
    throw std::runtime_error("herald did not start: " + herald->stderr_text());
  }
  auto ports = parse(slurp(ports_file), "herald ports");
  http_port = port_of(ports, "http");
  metrics_port = port_of(ports, "metrics");
  if (options.admin_listener) {
    admin_port = port_of(ports, "admin");
  }
}

http_reply herald_fixture::post_events(const std::string& body, const std::string& content_type) {
  return http_request("POST", "127.0.0.1", http_port, "/api/events",
                      {{"content-type", content_type}}, body);
}

http_reply herald_fixture::register_device(const std::string& device, const std::string& body) {
  return http_request("PUT", "127.0.0.1", http_port, "/v1/apps/demo/devices/" + device,
                      {{"content-type", "application/json"}}, body);
}

long herald_fixture::accepted_at_mock(const std::string& token) {
  auto text = http_get("127.0.0.1", mock_admin_port, "/stats");
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("by_token")) {
    return -1;
  }
  const auto& by_token = doc["by_token"];
  auto it = by_token.FindMember(token.c_str());
  return it == by_token.MemberEnd() ? 0 : it->value.GetInt64();
}

bool herald_fixture::wait_accepted(const std::string& token, long n,
                                   std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (accepted_at_mock(token) >= n) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

double herald_fixture::metric(const std::string& series) {
  return metric_at(metrics_port, series);
}

bool herald_fixture::wait_metric(const std::string& series, double at_least,
                                 std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (metric(series) >= at_least) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

double metric_at(std::uint16_t metrics_port, const std::string& series) {
  auto text = http_get("127.0.0.1", metrics_port, "/metrics");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

} // namespace herald::test
