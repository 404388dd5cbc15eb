#include "tests/support/amqp_client.hpp"

#include <proton/annotation_key.hpp>
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/session.hpp>
#include <proton/source_options.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace herald::test {

namespace {

proton::connection_options anonymous() {
  proton::connection_options o;
  o.sasl_enabled(true).sasl_allowed_mechs("ANONYMOUS");
  return o;
}

/// Sends with a bounded window of unsettled messages; done when all are settled accepted.
class publisher : public proton::messaging_handler {
public:
  publisher(std::string url, std::string address, const std::vector<amqp_test_message>& messages,
            std::chrono::milliseconds timeout)
      : url_(std::move(url)), address_(std::move(address)), messages_(messages), timeout_(timeout) {
  }

  void on_container_start(proton::container& c) override {
    container_ = &c;
    // A durable target: RabbitMQ declares `/queue/<q>` durable then, as the broker's queues are.
    c.open_sender(url_ + "/" + address_,
                  proton::sender_options().target(
                      proton::target_options().durability_mode(proton::terminus::CONFIGURATION)),
                  anonymous());
  }

  void on_sendable(proton::sender& s) override {
    while (s.credit() > 0 && sent_ < messages_.size()) {
      const auto& t = messages_[sent_++];
      proton::message m;
      m.body(proton::binary(t.body));
      m.durable(true);
      if (!t.message_id.empty()) {
        m.id(proton::message_id(t.message_id));
      }
      m.content_type(t.content_type);
      for (const auto& [k, v] : t.properties) {
        m.properties().put(k, v);
      }
      s.send(m);
    }
  }

  void on_tracker_accept(proton::tracker& t) override {
    if (++accepted_ == messages_.size()) {
      t.sender().close();
      t.connection().close();
    }
  }
  void on_tracker_reject(proton::tracker& t) override {
    error_ = "the broker rejected a message";
    t.connection().close();
  }
  // Pending timers must not keep run() going once the connection is gone.
  void on_connection_close(proton::connection&) override { container_->stop(); }
  void on_transport_close(proton::transport&) override { container_->stop(); }
  void on_transport_error(proton::transport& t) override {
    if (accepted_ < messages_.size() && error_.empty()) {
      error_ = t.error().what();
    }
  }
  void on_error(const proton::error_condition& e) override {
    if (error_.empty()) {
      error_ = e.what();
    }
  }
  void on_session_error(proton::session& s) override {
    on_error(s.error());
    s.connection().close();
  }
  void on_sender_error(proton::sender& l) override {
    on_error(l.error());
    l.connection().close();
  }

  /// From the watchdog thread, before it stops the container.
  void time_out() { timed_out_ = true; }

  [[nodiscard]] std::string result() const {
    if (timed_out_ && accepted_ < messages_.size()) {
      return "timed out after " + std::to_string(accepted_) + " accepted";
    }
    if (!error_.empty()) {
      return error_;
    }
    return accepted_ == messages_.size() ? "" : "connection closed early";
  }

private:
  std::string url_, address_;
  const std::vector<amqp_test_message>& messages_;
  std::chrono::milliseconds timeout_;
  proton::container* container_ = nullptr;
  std::atomic<bool> timed_out_{false};
  std::size_t sent_ = 0, accepted_ = 0;
  std::string error_;
};

std::string text_of(const proton::value& v) {
  if (v.type() == proton::BINARY) {
    auto b = proton::get<proton::binary>(v);
    return std::string(b.begin(), b.end());
  }
  if (v.type() == proton::STRING) {
    return proton::get<std::string>(v);
  }
  return proton::to_string(v);
}

/// Accepts everything until `quiet` passes without a message.
class drainer : public proton::messaging_handler {
public:
  drainer(std::string url, std::string address, std::chrono::milliseconds quiet,
          std::chrono::milliseconds timeout)
      : url_(std::move(url)), address_(std::move(address)), quiet_(quiet), timeout_(timeout) {}

  void on_container_start(proton::container& c) override {
    container_ = &c;
    // A durable source: RabbitMQ re-declares `/queue/<q>` on attach (its queues are durable).
    receiver_ = c.open_receiver(
        url_ + "/" + address_,
        proton::receiver_options().credit_window(500).source(
            proton::source_options().durability_mode(proton::terminus::CONFIGURATION)),
        anonymous());
  }

  void on_connection_open(proton::connection& c) override { queue_ = &c.work_queue(); }

  /// From the watchdog thread: true once quiet (or timed out) and the close was injected.
  bool finish_if_quiet() {
    auto now = std::chrono::steady_clock::now();
    auto last = std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_tick_.load()));
    if (now - last < quiet_ && now - start_ < timeout_) {
      return false;
    }
    auto* q = queue_.load();
    // Link first: RabbitMQ drops dispositions that race a connection close.
    return q != nullptr && q->add([this] { receiver_.close(); });
  }

  void on_receiver_close(proton::receiver& r) override { r.connection().close(); }
  // RabbitMQ 3.10 answers a closing detach without `closed`.
  void on_receiver_detach(proton::receiver& r) override { r.connection().close(); }
  void on_connection_close(proton::connection&) override { container_->stop(); }
  void on_transport_close(proton::transport&) override { container_->stop(); }

  void on_message(proton::delivery&, proton::message& m) override {
    auto now = std::chrono::steady_clock::now();
    last_tick_ = now.time_since_epoch().count();
    if (out_.messages.empty()) {
      out_.first_at = now;
    }
    out_.last_at = now;
    amqp_test_message t;
    t.body = text_of(m.body());
    if (!m.id().empty()) {
      t.message_id = m.id().type() == proton::STRING ? proton::get<std::string>(m.id())
                                                     : proton::to_string(m.id());
    }
    t.content_type = m.content_type();
    out_.messages.push_back(std::move(t));
    // RabbitMQ records why a message was dead-lettered (x-first-death-reason) as a header,
    // which its AMQP 1.0 plugin maps to a message annotation or an application property.
    proton::annotation_key key;
    key = proton::symbol("x-first-death-reason");
    if (m.message_annotations().exists(key)) {
      out_.rejection_reasons.push_back(proton::to_string(m.message_annotations().get(key)));
    } else if (m.properties().exists("x-first-death-reason")) {
      out_.rejection_reasons.push_back(
          proton::to_string(m.properties().get("x-first-death-reason")));
    }
  }
  void on_transport_error(proton::transport& t) override { error_ = t.error().what(); }
  void on_error(const proton::error_condition& e) override { error_ = e.what(); }
  void on_session_error(proton::session& s) override {
    on_error(s.error());
    s.connection().close();
  }
  void on_receiver_error(proton::receiver& l) override {
    on_error(l.error());
    l.connection().close();
  }

  amqp_drained out_;
  std::string error_;

private:
  std::string url_, address_;
  std::chrono::milliseconds quiet_, timeout_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<std::chrono::steady_clock::rep> last_tick_{start_.time_since_epoch().count()};
  std::atomic<proton::work_queue*> queue_{nullptr};
  proton::receiver receiver_;
  proton::container* container_ = nullptr;
};

} // namespace

void amqp_publish(const std::string& url, const std::string& address,
                  const std::vector<amqp_test_message>& messages,
                  std::chrono::milliseconds timeout) {
  if (messages.empty()) {
    return;
  }
  publisher h(url, address, messages, timeout);
  proton::container c(h);
  // A watchdog thread (container::stop is thread-safe) bounds the run.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, timeout, [&] { return done; })) {
      h.time_out();
      c.stop();
    }
  });
  c.run();
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  if (auto why = h.result(); !why.empty()) {
    throw std::runtime_error("amqp_publish to " + address + ": " + why);
  }
}

amqp_drained amqp_drain(const std::string& url, const std::string& address,
                        std::chrono::milliseconds quiet, std::chrono::milliseconds timeout) {
  drainer h(url, address, quiet, timeout);
  proton::container c(h);
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    while (!done && !h.finish_if_quiet()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Bound the run even if the broker never answers the detach.
    for (int i = 0; i < 100 && !done; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!done) {
      c.stop();
    }
  });
  c.run();
  done = true;
  watchdog.join();
  if (!h.error_.empty()) {
    throw std::runtime_error("amqp_drain from " + address + ": " + h.error_);
  }
  return std::move(h.out_);
}

} // namespace herald::test
