// herald-sender-bench: the delivery engine alone. Herald's APNs sender (sender core + APNs
// adapter, a pool of HTTP/2 connections) pushes N notifications to the C++ mock APNs as fast
// as its stream budget allows; then h2load sends the same request shape to the same mock
// over the same number of connections and streams. docs/BENCHMARKS.md "Delivery engine".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>
#include <prometheus/registry.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "actors/apns_sender.hpp"
#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "bench/herald_bench/admin_client.hpp"
#include "bench/herald_bench/h2load_runner.hpp"
#include "bench/support/ports_file.hpp"
#include "protocol/apns_request.hpp"
#include "protocol/apns_token_cache.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

using namespace herald;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* bundle_id = "com.example.bench";
constexpr const char* team_id = "TEAM123456";
constexpr const char* key_id = "KEY1234567";

struct options {
  std::uint32_t connections = 1, streams = 1000, io_threads = 1, actor_threads = 0;
  std::uint64_t notifications = 200000;
  std::size_t body_bytes = 1600;
  bool tls = false, h2load = false;
  std::string scheduler = "sharing", mock_bin, out;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The APNs VoIP request every notification (and h2load) sends, `apns-id` and the provider
/// token aside (h2load repeats one `apns-id`; Herald sends a new one each time).
protocol::provider_request request_shape(std::size_t body_bytes) {
  protocol::provider_request r;
  r.path = "/3/device/" + std::string(64, 'a');
  r.headers = {{"apns-topic", std::string(bundle_id) + ".voip"},
               {"apns-push-type", "voip"},
               {"apns-priority", "10"},
               {"apns-expiration", "0"}};
  std::string pad = body_bytes > 40 ? std::string(body_bytes - 40, 'x') : std::string();
  r.body = R"({"aps":{},"incomingCallContext":")" + pad + R"("})";
  return r;
}

std::string uuid_of(std::uint64_t i) {
  char id[48];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llu",
                static_cast<unsigned long long>(i));
  return id;
}

/// `text` as a JSON string literal, quotes included.
std::string json_string(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return buffer.GetString();
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) {
    return 0;
  }
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

/// CPU seconds (user + system) this process has used so far, all threads.
double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

/// CPU seconds (user + system) process `pid` has used so far (from /proc), or 0.
double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto end = stat.rfind(')'); // the command name may hold spaces
  if (end == std::string::npos) {
    return 0;
  }
  std::istringstream fields(stat.substr(end + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) { // state .. cmajflt: fields 3-13
    fields >> skip;
  }
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// The 1-minute load average (the machine is shared: record it with every figure).
double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

/// Counts outcomes and latencies of the notifications in flight; shared with the callbacks.
struct tally {
  std::atomic<std::uint64_t> outstanding{0}, accepted{0}, other{0};
  std::uint64_t low_water = 0; ///< The feeder resumes at this many outstanding.
  std::mutex mutex;
  std::condition_variable room; ///< Notified at `low_water` and at 0 outstanding.
  std::vector<double> latency_ms;
  steady::time_point last_outcome;
};

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Herald's APNs sender against the mock APNs, side by side with h2load"};
  options o;
  app.add_option("--connections", o.connections, "HTTP/2 connections in the sender's pool")
      ->capture_default_str();
  app.add_option("--streams", o.streams, "Stream cap per connection (the mock allows as many)")
      ->capture_default_str();
  app.add_option("--notifications", o.notifications, "Notifications to push")
      ->capture_default_str();
  app.add_option("--body-bytes", o.body_bytes, "Request body size")->capture_default_str();
  app.add_option("--io-threads", o.io_threads, "Asio threads for the connections")
      ->capture_default_str();
  app.add_option("--actor-threads", o.actor_threads, "CAF worker threads (0 = CAF's default)")
      ->capture_default_str();
  app.add_option("--scheduler", o.scheduler, "CAF scheduler policy")
      ->check(CLI::IsMember({"stealing", "sharing"}))
      ->capture_default_str();
  app.add_flag("--tls", o.tls, "TLS with ALPN h2 (default: h2c)");
  app.add_flag("--h2load", o.h2load, "Then run h2load with the same shape (the ceiling)");
  app.add_option("--mock-bin", o.mock_bin, "herald-mock-apns binary (default: beside us)");
  app.add_option("--out", o.out, "Write the JSON results here instead of stdout");
  CLI11_PARSE(app, argc, argv);
  // The results go to stdout as JSON: Herald's info lines (connection up, ...) must not.
  spdlog::set_level(spdlog::level::warn);

  test::temp_dir dir;
  auto pki = test::make_test_pki(dir / "pki");
  auto mock_bin = o.mock_bin.empty()
                      ? std::filesystem::path(argv[0]).parent_path() / "herald-mock-apns"
                      : std::filesystem::path(o.mock_bin);
  test::process_options mo;
  mo.program = mock_bin;
  mo.name = "mock-apns";
  mo.log_dir = dir.path();
  const auto ports = dir / "mock.ports.json";
  mo.args = {"--bundle-id",
             bundle_id,
             "--no-bodies",
             "--ports-file",
             ports.string(),
             "--max-concurrent-streams",
             std::to_string(o.streams)};
  if (o.tls) {
    mo.args.insert(mo.args.end(),
                   {"--tls-cert", pki.server_cert.string(), "--tls-key", pki.server_key.string()});
  } else {
    mo.args.emplace_back("--h2c");
  }
  test::child_process mock(mo);
  if (!test::wait_for_file(ports, std::chrono::seconds(20))) {
    std::cerr << "herald-sender-bench: mock did not start: " << mock.stderr_text() << "\n";
    return 1;
  }
  auto port = bench::read_port(ports.string(), "listen").value_or(0);
  auto admin = bench::read_port(ports.string(), "admin").value_or(0);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (std::uint32_t i = 0; i < std::max(1U, o.io_threads); ++i) {
    io_threads.emplace_back([&io] { io.run(); });
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy",
          o.scheduler == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
  if (o.actor_threads > 0) {
    cfg.set("scheduler.max-threads", static_cast<std::size_t>(o.actor_threads));
  }
  caf::actor_system system{cfg};
  auto metrics = std::make_shared<actors::node_metrics>(std::make_shared<prometheus::Registry>());

  actors::apns_sender_options so;
  so.sender.app = "bench";
  so.sender.connection.host = "127.0.0.1";
  so.sender.connection.port = port;
  so.sender.connection.tls = o.tls;
  so.sender.connection.ca_file = pki.ca_cert.string();
  so.sender.connection.max_streams_cap = o.streams;
  so.sender.connection.request_timeout = std::chrono::seconds(60);
  so.sender.connections = o.connections;
  so.sender.connect_stagger = std::chrono::milliseconds(10);
  so.team_id = team_id;
  so.key_id = key_id;
  so.key_pem = slurp(pki.apns_key);
  auto sender = actors::spawn_apns_sender(system, io, std::move(so), metrics);

  // Twice the pool's streams outstanding: every free stream has a notification waiting.
  // The feeder stops at `window` and resumes at half of it (on a condition variable, so a
  // waiting feeder costs the shared cores nothing).
  const std::uint64_t window = 2ULL * o.connections * o.streams;
  auto t = std::make_shared<tally>();
  t->low_water = window / 2;
  t->latency_ms.reserve(o.notifications);
  const auto shape = request_shape(o.body_bytes);
  const double cpu_before = own_cpu_seconds(), mock_cpu_before = cpu_seconds_of(mock.pid());
  const auto start = steady::now();
  for (std::uint64_t i = 0; i < o.notifications; ++i) {
    if (t->outstanding.load() >= window) {
      std::unique_lock lock(t->mutex);
      while (t->outstanding.load() > t->low_water) {
        t->room.wait_for(lock, std::chrono::milliseconds(10));
      }
    }
    auto n = std::make_shared<actors::notification>();
    n->target.token = std::string(64, 'a');
    n->request = shape;
    n->request.headers.emplace_back("apns-id", uuid_of(i));
    n->lane = protocol::lane::call;
    n->event_id = uuid_of(i);
    n->deadline = steady::now() + std::chrono::minutes(5);
    n->on_outcome = [t, sent = steady::now()](protocol::delivery_state state, std::string_view) {
      auto now = steady::now();
      (state == protocol::delivery_state::accepted ? t->accepted : t->other)++;
      std::lock_guard lock(t->mutex);
      t->latency_ms.push_back(std::chrono::duration<double, std::milli>(now - sent).count());
      t->last_outcome = now;
      auto left = --t->outstanding;
      if (left == t->low_water || left == 0) {
        t->room.notify_one();
      }
    };
    ++t->outstanding;
    caf::anon_send(sender, actors::deliver_atom::value, std::move(n));
  }
  const auto drain_until = steady::now() + std::chrono::minutes(2);
  {
    std::unique_lock lock(t->mutex);
    while (t->outstanding.load() > 0 && steady::now() < drain_until) {
      t->room.wait_for(lock, std::chrono::milliseconds(10));
    }
  }
  const double cpu = own_cpu_seconds() - cpu_before;
  const double mock_cpu = cpu_seconds_of(mock.pid()) - mock_cpu_before;
  double seconds;
  std::vector<double> latency;
  {
    std::lock_guard lock(t->mutex);
    seconds = std::chrono::duration<double>(t->last_outcome - start).count();
    latency = t->latency_ms;
  }
  caf::anon_send_exit(sender, caf::exit_reason::user_shutdown);
  system.await_all_actors_done();
  auto stats = bench::admin_get("127.0.0.1", admin, "/stats?brief=1");

  std::optional<bench::h2load_result> ceiling;
  std::string h2load_error;
  double h2load_mock_cpu = 0;
  if (o.h2load) {
    bench::h2load_plan plan;
    plan.url =
        std::string(o.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port) + shape.path;
    for (const auto& [name, value] : shape.headers) {
      plan.headers.push_back(std::string(name).append(": ").append(value));
    }
    plan.headers.push_back("apns-id: " + uuid_of(0));
    // The provider token Herald's requests carry (same key and claims, so the same size).
    auto signer = protocol::es256_signer::from_pem(slurp(pki.apns_key));
    if (signer) {
      protocol::apns_token_cache tokens(std::move(signer).value(), team_id, key_id);
      if (auto token = tokens.token(std::chrono::system_clock::now())) {
        plan.headers.push_back("authorization: " + protocol::apns_authorization(token.value()));
      }
    }
    plan.body_file = (dir / "body.json").string();
    std::ofstream(plan.body_file, std::ios::binary) << shape.body;
    plan.requests = o.notifications;
    plan.clients = o.connections;
    plan.streams = o.streams;
    plan.work_dir = dir.path().string();
    const double before = cpu_seconds_of(mock.pid());
    ceiling = bench::run_h2load(plan, h2load_error);
    h2load_mock_cpu = cpu_seconds_of(mock.pid()) - before;
  }
  work.reset();
  io.stop();
  for (auto& th : io_threads) {
    th.join();
  }
  (void)mock.stop();

  const double rate = seconds > 0 ? static_cast<double>(t->accepted.load()) / seconds : 0;
  std::ostringstream json;
  json << "{\"connections\":" << o.connections << ",\"streams\":" << o.streams
       << ",\"tls\":" << (o.tls ? "true" : "false") << ",\"scheduler\":\"" << o.scheduler
       << "\",\"actor_threads\":" << o.actor_threads << ",\"body_bytes\":" << o.body_bytes
       << ",\"notifications\":" << o.notifications << ",\"accepted\":" << t->accepted.load()
       << ",\"not_accepted\":" << t->other.load() << ",\"unfinished\":" << t->outstanding.load()
       << ",\"seconds\":" << seconds << ",\"per_second\":" << rate
       << ",\"latency_ms\":{\"p50\":" << percentile(latency, 0.5)
       << ",\"p99\":" << percentile(latency, 0.99) << ",\"max\":" << percentile(latency, 1.0)
       << "},\"cpu_us_per_notification\":{\"sender\":"
       << cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(o.notifications, 1))
       << ",\"mock\":"
       << mock_cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(o.notifications, 1))
       << "},\"load_average\":" << load_average() << ",\"mock_stats\":" << stats.value_or("null");
  if (ceiling) {
    json << ",\"h2load\":{\"per_second\":" << ceiling->req_per_s
         << ",\"succeeded\":" << ceiling->succeeded << ",\"mock_cpu_us_per_request\":"
         << h2load_mock_cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(o.notifications, 1))
         << ",\"command\":" << json_string(ceiling->command)
         << "},\"ratio\":" << (ceiling->req_per_s > 0 ? rate / ceiling->req_per_s : 0);
  } else if (o.h2load) {
    json << ",\"h2load_error\":" << json_string(h2load_error);
  }
  json << "}\n";
  if (o.out.empty()) {
    std::cout << json.str();
  } else {
    std::ofstream(o.out) << json.str();
  }
  // Every notification accepted once: anything else is a failed run.
  return t->accepted.load() == o.notifications ? 0 : 1;
}
