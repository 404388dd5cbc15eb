#include "tests/integration/mock_provider_fixture.hpp"

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

std::uint16_t port_of(const rapidjson::Document& doc, const char* key, const std::string& name) {
  if (!doc.IsObject() || !doc.HasMember(key) || !doc[key].IsUint()) {
    throw std::runtime_error(name + " ports file lacks " + key);
  }
  return static_cast<std::uint16_t>(doc[key].GetUint());
}

} // namespace

void mock_provider_fixture::start(const process_options& options,
                                  const std::filesystem::path& ports_file) {
  process = std::make_unique<child_process>(options);
  if (!wait_for_file(ports_file, std::chrono::seconds(20))) {
    throw std::runtime_error(options.name + " did not start: " + process->stderr_text());
  }
  std::ifstream in(ports_file);
  std::ostringstream text;
  text << in.rdbuf();
  auto ports = parse_json(text.str());
  port = port_of(ports, "listen", options.name);
  admin_port = port_of(ports, "admin", options.name);
}

long mock_provider_fixture::stat(const std::string& key) {
  auto doc = parse_json(http_get("127.0.0.1", admin_port, "/stats"));
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(key.c_str()) ||
      !doc[key.c_str()].IsInt64()) {
    return -1;
  }
  return static_cast<long>(doc[key.c_str()].GetInt64());
}

long mock_provider_fixture::accepted_for(const std::string& key) {
  auto doc = parse_json(http_get("127.0.0.1", admin_port, "/stats"));
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("by_token")) {
    return -1;
  }
  const auto& by_token = doc["by_token"];
  auto it = by_token.FindMember(key.c_str());
  return it == by_token.MemberEnd() ? 0 : static_cast<long>(it->value.GetInt64());
}

bool mock_provider_fixture::wait_accepted(const std::string& key, long n,
                                          std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (accepted_for(key) >= n) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

} // namespace herald::test
