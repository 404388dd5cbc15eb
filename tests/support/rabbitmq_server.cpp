#include "tests/support/rabbitmq_server.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace herald::test {

namespace {

const std::filesystem::path broker_script = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const std::filesystem::path epmd_program = "/usr/bin/epmd";

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

} // namespace

bool rabbitmq_server::available(std::string* why) {
  if (std::filesystem::exists(broker_script) && std::filesystem::exists(epmd_program)) {
    return true;
  }
  if (why != nullptr) {
    *why = "RabbitMQ not installed (install Debian's rabbitmq-server package, see scripts/deps)";
  }
  return false;
}

rabbitmq_server::rabbitmq_server(rabbitmq_server_options options) : options_(std::move(options)) {
  std::string why;
  if (!available(&why)) {
    throw std::runtime_error(why);
  }
  port_ = pick_free_port();
  dist_port_ = pick_free_port();
  epmd_port_ = pick_free_port();
  write_files();
  process_options epmd;
  epmd.program = epmd_program;
  epmd.args = {"-port", std::to_string(epmd_port_), "-address", "127.0.0.1"};
  epmd.log_dir = dir_ / "log";
  epmd.name = "epmd";
  epmd_ = std::make_unique<child_process>(epmd);
  if (!wait_for_port("127.0.0.1", epmd_port_, std::chrono::seconds(10))) {
    throw std::runtime_error("epmd did not listen: " + epmd_->stderr_text());
  }
  start();
}

rabbitmq_server::~rabbitmq_server() {
  try {
    stop();
  } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
  }
  if (epmd_) {
    (void)epmd_->stop(std::chrono::seconds(2));
  }
}

void rabbitmq_server::write_files() {
  std::filesystem::create_directories(dir_ / "home");
  std::filesystem::create_directories(dir_ / "log");
  std::filesystem::create_directories(dir_ / "mnesia");
  write_file(dir_ / "enabled_plugins", "[rabbitmq_amqp1_0].\n");
  std::ostringstream conf;
  conf << "listeners.tcp.1 = 127.0.0.1:" << port_ << "\n"
       << "loopback_users = none\n"
       << "amqp1_0.default_user = guest\n"
       << "load_definitions = " << (dir_ / "definitions.json").string() << "\n";
  write_file(dir_ / "rabbitmq.conf", conf.str());
  std::ostringstream defs;
  // Definitions replace the default user and vhost, so both are declared here.
  defs << R"({"users":[{"name":"guest","password":"guest","tags":["administrator"]}],)"
       << R"("permissions":[{"user":"guest","vhost":"/","configure":".*","write":".*",)"
       << R"("read":".*"}],"vhosts":[{"name":"/"}],"queues":[)";
  // Dead-lettering by policy, not queue arguments: the AMQP 1.0 plugin declares `/queue/<q>`
  // without arguments, which must stay equivalent to the declared queue.
  std::ostringstream policies;
  bool first = true;
  for (const auto& q : options_.queues) {
    for (const auto& name : {q, q + ".dlq"}) {
      defs << (first && name == q ? "" : ",") << R"({"name":")" << name
           << R"(","vhost":"/","durable":true,"auto_delete":false,"arguments":{}})";
    }
    policies << (first ? "" : ",") << R"({"vhost":"/","name":"dlx-)" << q << R"(","pattern":"^)"
             << q << R"($","apply-to":"queues","priority":0,"definition":)"
             << R"({"dead-letter-exchange":"","dead-letter-routing-key":")" << q << R"(.dlq"}})";
    first = false;
  }
  defs << R"(],"exchanges":[],"bindings":[],"policies":[)" << policies.str() << "]}";
  write_file(dir_ / "definitions.json", defs.str());
}

void rabbitmq_server::start() {
  if (broker_ && broker_->running()) {
    return;
  }
  const auto root = dir_.path().string();
  process_options o;
  o.program = broker_script;
  o.log_dir = dir_ / "log";
  o.name = "rabbitmq-" + std::to_string(++starts_);
  o.env = {
      {"HOME", root + "/home"},
      {"RABBITMQ_MNESIA_BASE", root + "/mnesia"},
      {"RABBITMQ_LOG_BASE", root + "/log"},
      {"RABBITMQ_LOGS", "-"},
      {"RABBITMQ_ENABLED_PLUGINS_FILE", root + "/enabled_plugins"},
      {"RABBITMQ_CONFIG_FILE", root + "/rabbitmq.conf"},
      {"RABBITMQ_NODENAME", "herald" + std::to_string(port_) + "@localhost"},
      {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
      {"RABBITMQ_NODE_PORT", std::to_string(port_)},
      {"RABBITMQ_DIST_PORT", std::to_string(dist_port_)},
      {"ERL_EPMD_PORT", std::to_string(epmd_port_)},
      {"ERL_EPMD_ADDRESS", "127.0.0.1"},
      // Erlang distribution on loopback only.
      {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"},
  };
  broker_ = std::make_unique<child_process>(o);
  // Generous: on a loaded 2-core machine the Erlang VM alone can take over a minute to boot.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (broker_->stdout_text().find("Server startup complete") == std::string::npos) {
    if (!broker_->running() || std::chrono::steady_clock::now() > deadline) {
      auto out = broker_->stdout_text();
      throw std::runtime_error("RabbitMQ did not start: " + broker_->stderr_text() +
                               out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

pid_t rabbitmq_server::vm_pid() const {
  // The script runs the Erlang VM as its child (and forwards SIGTERM to it).
  if (!broker_) {
    return -1;
  }
  auto pid = std::to_string(broker_->pid());
  std::ifstream in("/proc/" + pid + "/task/" + pid + "/children");
  pid_t child = -1;
  in >> child;
  return child;
}

void rabbitmq_server::stop() {
  if (!broker_ || !broker_->running()) {
    return;
  }
  auto vm = vm_pid();
  (void)broker_->stop(std::chrono::seconds(30));
  if (vm > 0) {
    ::kill(vm, SIGKILL); // gone already after a clean stop; a stuck VM must not outlive us
  }
}

void rabbitmq_server::kill9() {
  if (!broker_ || !broker_->running()) {
    return;
  }
  auto vm = vm_pid();
  if (vm > 0) {
    ::kill(vm, SIGKILL);
  }
  (void)broker_->wait_for_exit(std::chrono::seconds(10));
  (void)broker_->kill9();
}

std::string rabbitmq_server::url() const {
  return "amqp://127.0.0.1:" + std::to_string(port_);
}

std::string rabbitmq_server::address(const std::string& queue) {
  return "/queue/" + queue;
}

std::string rabbitmq_server::publish_address(const std::string& queue) {
  return "/queue/" + queue;
}

} // namespace herald::test
