// Service Bus ingestion benchmark (docs/BENCHMARKS.md "Service Bus ingestion"). On one
// throwaway RabbitMQ broker (AMQP 1.0 plugin), per round:
//  - baseline: N events published to a queue, then a plain Proton receiver (credit window 500,
//    accepting each message on arrival) drains it; rate = messages / (last − first arrival);
//  - Herald: N events published to another queue while `herald serve` is stopped, then Herald
//    started (credit 500, or the third argument); rate = pushes / (last − first arrival at the mock
//    APNs), i.e. consume → decode → route → push → settle, startup excluded;
//  - no-push: the same with events for an identity without devices (ingestion alone: consume,
//    decode, dedupe, route, accept), rate from Herald's accepted-settlement counter.
// Rounds alternate the two so both see the same machine load.
// Usage: herald-servicebus-bench [--pin] [events] [rounds] [herald credit] (default 20000, 2,
// 500). --pin runs the broker on CPU 0 and everything else (the plain receiver, Herald, the
// mock APNs) on CPU 1, so that in both rounds the broker has the same core to itself, as a
// remote Service Bus would, instead of competing with the consumer it is measured against.
// Each round also reports the CPU time per message (µs, /proc/<pid>/stat sampled every 10 ms,
// over the same first-to-last-message window as the rate) of the broker, the consumer (the
// bench process itself for the plain receiver, Herald otherwise) and the mock APNs.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sched.h>
#include <unistd.h>

#include "bench/cpu_timeline.hpp"
#include "tests/integration/servicebus_fixture.hpp"

namespace {

using namespace herald::test;
using herald::bench::cpu_timeline;

/// One round of one consumer: its rate and CPU µs per message of broker, consumer and mock.
struct round_result {
  double rate = 0;
  double broker_us = 0, consumer_us = 0, mock_us = 0;
  /// Messages settled per batch of settlements Herald sent (its settle-batch counter); 0 for
  /// the plain receiver or a Herald without that counter.
  double per_batch = 0;
};

/// `cpu` (seconds of broker, consumer [, mock]) over `messages` as µs per message.
round_result per_message(double rate, const std::vector<double>& cpu, double messages) {
  auto us = [&](std::size_t i) { return i < cpu.size() ? cpu[i] * 1e6 / messages : 0.0; };
  return {rate, us(0), us(1), us(2)};
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

round_result baseline_round(rabbitmq_server& broker, const servicebus_fixture& f,
                            std::size_t events) {
  amqp_publish(broker.url(), rabbitmq_server::publish_address("baseline"), f.events(0, events),
               std::chrono::minutes(5));
  cpu_timeline cpu({broker.vm_pid(), ::getpid()});
  auto got = amqp_drain(broker.url(), rabbitmq_server::address("baseline"),
                        std::chrono::seconds(10), std::chrono::minutes(5));
  if (got.messages.size() != events) {
    throw std::runtime_error("baseline received " + std::to_string(got.messages.size()) + " of " +
                             std::to_string(events));
  }
  auto seconds = std::chrono::duration<double>(got.last_at - got.first_at).count();
  auto n = static_cast<double>(events - 1);
  return per_message(n / seconds, cpu.cpu_seconds(got.first_at, got.last_at), n);
}

round_result herald_round(servicebus_fixture& f, std::size_t first, std::size_t events) {
  (void)f.node.herald->stop(std::chrono::seconds(30));
  (void)http_request("DELETE", "127.0.0.1", f.node.mock_admin_port, "/notifications");
  amqp_publish(f.broker.url(), rabbitmq_server::publish_address(f.options.queue),
               f.events(first, events), std::chrono::minutes(5));
  f.node.start_herald();
  cpu_timeline cpu({f.broker.vm_pid(), f.node.herald->pid(), f.node.mock->pid()});
  auto until = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  std::size_t lines = 0;
  long long lo = std::numeric_limits<long long>::max();
  long long hi = 0;
  while (lines < events && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::istringstream text(http_get("127.0.0.1", f.node.mock_admin_port, "/arrivals"));
    std::string id, token;
    long long us = 0;
    lines = 0;
    lo = std::numeric_limits<long long>::max();
    hi = 0;
    while (text >> id >> token >> us) {
      ++lines;
      lo = std::min(lo, us);
      hi = std::max(hi, us);
    }
  }
  if (lines < events) {
    throw std::runtime_error("Herald pushed " + std::to_string(lines) + " of " +
                             std::to_string(events) + " in 5 minutes");
  }
  auto at = [](long long us) {
    return std::chrono::system_clock::time_point(std::chrono::microseconds(us));
  };
  auto used = cpu.cpu_seconds(at(lo), at(hi));
  auto batches = f.node.metric(f.series("herald_amqp_settle_batches_total"));
  auto settled = f.node.metric(f.series("herald_amqp_messages_settled_total", "accepted"));
  (void)f.node.herald->stop(std::chrono::seconds(30)); // idle, it would still take CPU
  auto n = static_cast<double>(lines - 1);
  auto out = per_message(n / (static_cast<double>(hi - lo) / 1e6), used, n);
  out.per_batch = batches > 0 ? settled / batches : 0;
  return out;
}

/// The same without pushes (the events' identity has no device): ingestion alone. Rate from
/// Herald's accepted-settlement counter, polled every 20 ms, between 5% and 100% of `events`.
round_result herald_nopush_round(servicebus_fixture& f, std::size_t first, std::size_t events) {
  (void)f.node.herald->stop(std::chrono::seconds(30));
  amqp_publish(f.broker.url(), rabbitmq_server::publish_address(f.options.queue),
               f.events(first, events), std::chrono::minutes(5));
  f.node.start_herald();
  cpu_timeline cpu({f.broker.vm_pid(), f.node.herald->pid()});
  const auto accepted = f.series("herald_amqp_messages_settled_total", "accepted");
  const auto from = static_cast<double>(events / 20);
  auto until = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  std::optional<std::chrono::steady_clock::time_point> t0;
  double n = 0;
  while (n < static_cast<double>(events) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    n = f.node.metric(accepted);
    if (!t0 && n >= from) {
      t0 = std::chrono::steady_clock::now();
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  if (n < static_cast<double>(events) || !t0) {
    throw std::runtime_error("Herald accepted " + std::to_string(n) + " of " +
                             std::to_string(events) + " in 5 minutes");
  }
  auto used = cpu.cpu_seconds(*t0, t1);
  auto batches = f.node.metric(f.series("herald_amqp_settle_batches_total"));
  (void)f.node.herald->stop(std::chrono::seconds(30));
  auto m = static_cast<double>(events) - from;
  auto out = per_message(m / std::chrono::duration<double>(t1 - *t0).count(), used, m);
  out.per_batch = batches > 0 ? n / batches : 0;
  return out;
}

/// Binds the calling thread, and so every process and thread it starts from now on, to `cpu`.
void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    throw std::runtime_error("cannot bind to CPU " + std::to_string(cpu));
  }
}

} // namespace

int main(int argc, char** argv) {
  try {
    bool pin = false;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--pin") {
        pin = true;
      } else {
        args.emplace_back(argv[i]);
      }
    }
    std::size_t events = args.size() > 0 ? std::stoul(args[0]) : 20000;
    int rounds = args.size() > 1 ? std::stoi(args[1]) : 2;
    // Herald holds a message until its push's verdict, the plain receiver not at all, so
    // Herald's credit must cover its outcome latency (rate x latency), not only the link.
    int credit = args.size() > 2 ? std::stoi(args[2]) : 500;
    if (events < 2 || rounds < 1 || credit < 1) {
      std::fprintf(stderr, "usage: herald-servicebus-bench [--pin] [events >= 2] [rounds >= 1] "
                           "[credit >= 1]\n");
      return 2;
    }
    if (pin && std::thread::hardware_concurrency() < 2) {
      std::fprintf(stderr, "herald-servicebus-bench: --pin needs 2 CPUs\n");
      return 2;
    }
    if (pin) {
      pin_to(0); // the broker, started next, inherits CPU 0
    }
    rabbitmq_server broker(rabbitmq_server_options{{"baseline", "herald", "nopush"}});
    if (pin) {
      pin_to(1); // the receivers, Herald and the mock from here on
    }
    servicebus_fixture_options o;
    o.queue = "herald";
    o.servicebus_config = "credit = " + std::to_string(credit) + "\n";
    o.extra_config = "[ingest]\nmax_in_flight_events = 20000\n";
    servicebus_fixture f(broker, o);
    (void)f.node.herald->stop(std::chrono::seconds(30)); // each round starts it
    o.queue = "nopush";
    o.devices = 0;
    servicebus_fixture g(broker, o);
    (void)g.node.herald->stop(std::chrono::seconds(30));
    std::printf("events per round: %zu, rounds: %d, herald credit: %d, %s, load average at "
                "start: %s\n",
                events, rounds, credit, pin ? "broker on CPU 0, the rest on CPU 1" : "not pinned",
                load_average().c_str());
    std::printf("%-6s %-9s %11s  %s  %s  %s\n", "round", "consumer", "messages/s",
                "CPU us/msg: broker consumer mock", "msgs/settle batch", "load (1 5 15 min)");
    double base_sum = 0, herald_sum = 0, nopush_sum = 0;
    auto print = [](int r, const char* who, const round_result& x) {
      std::printf("%-6d %-9s %11.0f  %10.1f %8.1f %4.1f  %17.1f  %s\n", r, who, x.rate, x.broker_us,
                  x.consumer_us, x.mock_us, x.per_batch, load_average().c_str());
      std::fflush(stdout);
    };
    for (int r = 0; r < rounds; ++r) {
      auto b = baseline_round(broker, f, events);
      print(r + 1, "proton", b);
      auto h = herald_round(f, static_cast<std::size_t>(r) * events, events);
      print(r + 1, "herald", h);
      auto i = herald_nopush_round(g, static_cast<std::size_t>(r) * events, events);
      print(r + 1, "no-push", i);
      nopush_sum += i.rate;
      base_sum += b.rate;
      herald_sum += h.rate;
    }
    std::printf("mean: proton %.0f/s, herald %.0f/s, ratio %.2f (target >= 0.8); herald without "
                "pushes %.0f/s, ratio %.2f\n",
                base_sum / rounds, herald_sum / rounds, herald_sum / base_sum, nopush_sum / rounds,
                nopush_sum / base_sum);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald-servicebus-bench: %s\n", e.what());
    return 1;
  }
}
