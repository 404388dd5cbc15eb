#include "bench/herald_bench/amqp_driver.hpp"

#include <cstring>

#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/delivery.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/sender_options.hpp>
#include <proton/target_options.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

namespace herald::bench {

namespace {

proton::binary tag_bytes(std::uint64_t tag) {
  proton::binary out(sizeof tag, '\0');
  std::memcpy(out.data(), &tag, sizeof tag);
  return out;
}

std::uint64_t tag_value(const proton::binary& bytes) {
  std::uint64_t tag = 0;
  if (bytes.size() == sizeof tag) {
    std::memcpy(&tag, bytes.data(), sizeof tag);
  }
  return tag;
}

} // namespace

amqp_driver::amqp_driver(std::string url, std::string address, std::uint32_t window, next_fn next,
                         done_fn done, std::function<void()> tick)
    : url_(std::move(url)), address_(std::move(address)), window_(window == 0 ? 1 : window),
      next_(std::move(next)), done_(std::move(done)), tick_(std::move(tick)) {}

std::string amqp_driver::run() {
  proton::container c(*this);
  c.run();
  return error_;
}

void amqp_driver::on_container_start(proton::container& c) {
  container_ = &c;
  proton::connection_options co;
  co.sasl_enabled(true).sasl_allowed_mechs("ANONYMOUS");
  // A durable target: RabbitMQ declares `/queue/<q>` durable, as its queues are.
  sender_ = c.open_sender(url_ + "/" + address_,
                          proton::sender_options().target(proton::target_options().durability_mode(
                              proton::terminus::CONFIGURATION)),
                          co);
}

void amqp_driver::on_connection_open(proton::connection&) {
  if (!ticking_) {
    ticking_ = true;
    schedule_tick();
  }
}

void amqp_driver::schedule_tick() {
  // On the connection's work queue, not the container's: Proton writes what a callback sent
  // only after work that ran in the connection's context (a container timer's sends would
  // sit in the buffer until the next frame arrives).
  sender_.connection().work_queue().schedule(proton::duration(1000), [this] {
    if (closing_) {
      return;
    }
    tick_();
    schedule_tick();
  });
}

void amqp_driver::on_sendable(proton::sender&) {
  pump();
}

void amqp_driver::pump() {
  if (closing_ || !sender_.active()) {
    return;
  }
  while (!finished_ && sender_.credit() > 0 && in_flight_.size() < window_) {
    auto next = next_();
    if (auto* wait = std::get_if<http_wait>(&next)) {
      if (!wake_pending_) {
        wake_pending_ = true;
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(
                            wait->until - std::chrono::steady_clock::now())
                            .count();
        sender_.connection().work_queue().schedule(proton::duration(ms > 0 ? ms : 0), [this] {
          wake_pending_ = false;
          pump();
        });
      }
      return;
    }
    if (std::holds_alternative<http_finished>(next)) {
      // A message still in flight may be released and come back as a retry.
      if (in_flight_.empty()) {
        finished_ = true;
      }
      break;
    }
    auto job = std::move(std::get<http_job>(next));
    proton::message m;
    m.body(proton::binary(job.body));
    m.durable(true);
    m.id(proton::message_id(job.target));
    m.content_type("application/json");
    // What Event Grid's Service Bus handler adds to each message (the same set as the
    // integration tests' servicebus_fixture).
    m.properties().put("aeg-subscription-name", "HERALD-BENCH");
    m.properties().put("aeg-delivery-count", "0");
    m.properties().put("aeg-event-type", "Notification");
    m.properties().put("aeg-metadata-version", "1");
    m.properties().put("aeg-data-version", "1.0");
    const auto tag = next_tag_++;
    pending p{std::move(job), {}, std::chrono::steady_clock::now()};
    p.outcome.sent = std::chrono::system_clock::now();
    sender_.send(m, tag_bytes(tag));
    in_flight_.emplace(tag, std::move(p));
  }
  if (finished_ && in_flight_.empty() && !closing_) {
    closing_ = true;
    sender_.connection().close();
  }
}

void amqp_driver::settle(proton::tracker& t, int status) {
  auto it = in_flight_.find(tag_value(t.tag()));
  if (it == in_flight_.end()) {
    return;
  }
  auto p = std::move(it->second);
  in_flight_.erase(it);
  p.outcome.status = status;
  p.outcome.ack = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - p.started);
  done_(p.job, p.outcome);
  pump();
}

void amqp_driver::on_tracker_accept(proton::tracker& t) {
  settle(t, 200);
}

void amqp_driver::on_tracker_reject(proton::tracker& t) {
  settle(t, 400);
}

void amqp_driver::on_tracker_release(proton::tracker& t) {
  settle(t, 503);
}

void amqp_driver::fail_all() {
  auto lost = std::move(in_flight_);
  in_flight_.clear();
  for (auto& [tag, p] : lost) {
    p.outcome.status = 0;
    done_(p.job, p.outcome);
  }
}

void amqp_driver::on_connection_close(proton::connection&) {
  closing_ = true;
  fail_all();
  container_->stop(); // pending timers must not keep run() going
}

void amqp_driver::on_transport_close(proton::transport&) {
  closing_ = true;
  fail_all();
  container_->stop();
}

void amqp_driver::on_transport_error(proton::transport& t) {
  if (!finished_ && error_.empty()) {
    error_ = t.error().what();
  }
}

void amqp_driver::on_error(const proton::error_condition& e) {
  if (error_.empty()) {
    error_ = e.what();
  }
}

} // namespace herald::bench
