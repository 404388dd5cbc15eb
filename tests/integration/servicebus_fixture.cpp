#include "tests/integration/servicebus_fixture.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace herald::test {

namespace {

herald_fixture_options node_options(const rabbitmq_server& broker,
                                    const servicebus_fixture_options& o) {
  herald_fixture_options out;
  out.mock_latency_ms = o.mock_latency_ms;
  out.mock_args = o.mock_args;
  out.log_level = "info";
  out.extra_config = "[[servicebus]]\nurl = \"" + broker.url() + "\"\nqueue = \"" +
                     rabbitmq_server::address(o.queue) + "\"\n" + o.servicebus_config + "\n" +
                     o.extra_config;
  return out;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::uint16_t port_in(const std::string& json, const char* key) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(key) || !doc[key].IsUint()) {
    throw std::runtime_error(std::string("ports file lacks ") + key + ": " + json);
  }
  return static_cast<std::uint16_t>(doc[key].GetUint());
}

} // namespace

servicebus_fixture_options consuming(const std::string& queue,
                                     const std::string& servicebus_config) {
  servicebus_fixture_options o;
  o.queue = queue;
  o.servicebus_config = servicebus_config;
  return o;
}

servicebus_fixture::servicebus_fixture(rabbitmq_server& b, servicebus_fixture_options o)
    : broker(b), options(std::move(o)), node(node_options(broker, options)) {
  register_devices(node.http_port);
}

std::string servicebus_fixture::address() const {
  return rabbitmq_server::address(options.queue);
}

std::string servicebus_fixture::identity(std::size_t k) {
  char tail[8];
  std::snprintf(tail, sizeof tail, "%04zx", k);
  return test_identity.substr(0, test_identity.size() - 4) + tail;
}

std::string servicebus_fixture::token(std::size_t k) {
  char tail[8];
  std::snprintf(tail, sizeof tail, "%04zx", k);
  return std::string(60, 'b') + tail;
}

std::string servicebus_fixture::event_id(std::size_t i) {
  char id[48];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", i);
  return id;
}

void servicebus_fixture::register_devices(std::uint16_t http_port) {
  for (std::size_t k = 0; k < options.devices; ++k) {
    auto body = R"({"identity":")" + identity(k) + R"(","platform":"apns-voip","token":")" +
                token(k) + R"("})";
    auto reply = http_request("PUT", "127.0.0.1", http_port,
                              "/v1/apps/demo/devices/sb-device-" + std::to_string(k),
                              {{"content-type", "application/json"}}, body);
    if (reply.status != 200) {
      throw std::runtime_error("device registration failed: " + std::to_string(reply.status) + " " +
                               reply.body);
    }
  }
}

std::vector<amqp_test_message> servicebus_fixture::events(std::size_t first,
                                                          std::size_t count) const {
  // Event Grid's Service Bus handler sends one event per message, not an array.
  rapidjson::Document doc;
  doc.Parse(incoming_call_for(identity(0), false).c_str());
  rapidjson::Value event(doc[0], doc.GetAllocator());
  std::vector<amqp_test_message> out;
  out.reserve(count);
  for (std::size_t i = first; i < first + count; ++i) {
    auto& alloc = doc.GetAllocator();
    auto id = event_id(i);
    auto who = identity(options.devices == 0 ? 0 : i % options.devices);
    event["id"].SetString(id.c_str(), alloc);
    event["data"]["correlationId"].SetString(id.c_str(), alloc);
    event["data"]["to"]["rawId"].SetString(who.c_str(), alloc);
    event["data"]["to"]["communicationUser"]["id"].SetString(who.c_str(), alloc);
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    event.Accept(w);
    out.push_back({buf.GetString(),
                   id,
                   "application/json",
                   {{"aeg-subscription-name", "HERALD-QUEUE"},
                    {"aeg-delivery-count", "0"},
                    {"aeg-event-type", "Notification"},
                    {"aeg-metadata-version", "1"},
                    {"aeg-data-version", "1.0"}}});
  }
  return out;
}

void servicebus_fixture::publish(std::size_t first, std::size_t count) {
  amqp_publish(broker.url(), rabbitmq_server::publish_address(options.queue), events(first, count));
}

std::vector<std::size_t> servicebus_fixture::pushed(std::size_t count) {
  return tally(count).first;
}

arrival_tally servicebus_fixture::arrivals(std::size_t count) {
  auto [times, foreign] = tally(count);
  arrival_tally out;
  out.foreign = foreign;
  for (auto k : times) {
    out.distinct += k > 0 ? 1 : 0;
    out.repeats += k > 1 ? k - 1 : 0;
  }
  return out;
}

std::pair<std::vector<std::size_t>, std::size_t> servicebus_fixture::tally(std::size_t count) {
  std::vector<std::size_t> times(count, 0);
  std::size_t foreign = 0;
  std::istringstream lines(http_get("127.0.0.1", node.mock_admin_port, "/arrivals"));
  std::string line;
  while (std::getline(lines, line)) {
    auto id = line.substr(0, line.find(' '));
    // Ids of events 0 … count-1 only: "00000000-0000-4000-8000-" then 12 digits.
    std::size_t n = count;
    if (id.size() == 36 && id.compare(0, 24, event_id(0), 0, 24) == 0) {
      n = std::stoul(id.substr(24));
    }
    if (n < count) {
      ++times[n];
    } else {
      ++foreign;
    }
  }
  return {std::move(times), foreign};
}

bool servicebus_fixture::wait_all_pushed(std::size_t count, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (arrivals(count).distinct >= count) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

void servicebus_fixture::start_second_herald() {
  auto dir = node.dir.path();
  auto config = slurp(dir / "herald.toml");
  const auto data = (dir / "data").string();
  auto at = config.find(data);
  if (at == std::string::npos) {
    throw std::runtime_error("herald.toml has no data_dir to change");
  }
  config.replace(at, data.size(), (dir / "data2").string());
  std::ofstream(dir / "herald2.toml") << config;
  auto ports_file = dir / "data2" / "herald.ports.json";
  process_options po;
  po.program = HERALD_BIN;
  po.name = "herald2";
  po.log_dir = dir;
  po.args = {"serve", "--config", (dir / "herald2.toml").string()};
  second = std::make_unique<child_process>(po);
  if (!wait_for_file(ports_file, std::chrono::seconds(30))) {
    throw std::runtime_error("the second herald did not start: " + second->stderr_text());
  }
  auto ports = slurp(ports_file);
  second_http_port = port_in(ports, "http");
  second_metrics_port = port_in(ports, "metrics");
  register_devices(second_http_port);
}

double servicebus_fixture::second_metric(const std::string& s) {
  return metric_at(second_metrics_port, s);
}

std::string servicebus_fixture::series(const std::string& name, const std::string& outcome) const {
  return name + "{" + (outcome.empty() ? "" : "outcome=\"" + outcome + "\",") + "queue=\"" +
         address() + "\"}";
}

} // namespace herald::test
