// One AMQP source of `amqp_receiver`: connect (SASL, TLS, Service Bus CBS), attach a
// peek-lock receiver with manual credit, hand messages over, settle, back off and reconnect.
#include "transports/amqp_link.hpp"

#include <proton/container.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/receiver_options.hpp>
#include <proton/session.hpp>
#include <proton/source_options.hpp>
#include <proton/ssl.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "transports/amqp_message_codec.hpp"

namespace herald::transports {

proton::connection_options amqp_link::connection_options() {
  proton::connection_options o;
  o.handler(*this);
  o.sasl_enabled(true);
  if (!options_.user.empty()) {
    o.sasl_allowed_mechs("PLAIN");
    // PLAIN over a clear connection is what a local broker with guest login needs.
    o.sasl_allow_insecure_mechs(true);
    o.user(options_.user);
    o.password(options_.password);
  } else {
    o.sasl_allowed_mechs("ANONYMOUS");
  }
  if (options_.url.rfind("amqps://", 0) == 0) {
    o.ssl_client_options(
        options_.ca_file.empty()
            ? proton::ssl_client_options()
            : proton::ssl_client_options(options_.ca_file, proton::ssl::VERIFY_PEER_NAME));
  }
  return o;
}

void amqp_link::connect(proton::container& c) {
  if (stopping_ || active_) {
    return;
  }
  // Runs on the container thread at start, later on the ticker thread; the container thread
  // touches this link again only for events of the new connection.
  active_ = true;
  ++generation_;
  metrics_.connecting();
  (void)c.connect(options_.url, connection_options());
}

bool amqp_link::reconnect_due(std::chrono::steady_clock::time_point now) {
  auto at = reconnect_at_.load();
  if (at == std::chrono::steady_clock::time_point{} || now < at) {
    return false;
  }
  return reconnect_at_.compare_exchange_strong(at, std::chrono::steady_clock::time_point{});
}

void amqp_link::on_connection_open(proton::connection& c) {
  connection_ = c;
  owner_.queue()->set_queue(index_, &c.work_queue());
  if (options_.servicebus) {
    cbs_ = std::make_unique<amqp_cbs_client>(
        c, *options_.servicebus, options_.address, options_.token_lifetime,
        [this](bool ok, const std::string& why) {
          if (!ok) {
            spdlog::error("amqp: {}: CBS put-token refused: {}", options_.address, why);
            connection_.close(proton::error_condition("amqp:unauthorized-access", why));
            return;
          }
          if (!receiver_) {
            attach_receiver();
          }
        });
    return;
  }
  attach_receiver();
}

void amqp_link::attach_receiver() {
  // Manual credit (window 0) and manual settlement: peek-lock.
  auto ro = proton::receiver_options().credit_window(0).auto_accept(false);
  if (options_.durable_source) {
    ro.source(proton::source_options().durability_mode(proton::terminus::CONFIGURATION));
  }
  receiver_ = connection_.open_receiver(options_.address, ro);
}

void amqp_link::on_receiver_open(proton::receiver& r) {
  if (cbs_ && cbs_->owns(r)) {
    return;
  }
  attached_ = true;
  delay_ = std::chrono::milliseconds(0);
  owner_.count_attached(1);
  metrics_.attached(true);
  spdlog::info("amqp: consuming {} at {}", options_.address, options_.url);
  top_up();
}

void amqp_link::expire(std::chrono::steady_clock::time_point now) {
  if (options_.settle_timeout.count() == 0) {
    return;
  }
  // Oldest first; the first one not yet due ends the scan (later keys have later deadlines).
  while (!unsettled_.empty() && unsettled_.begin()->second.deadline <= now) {
    auto& p = unsettled_.begin()->second;
    if (p.done) {
      apply(p, p.outcome, p.description);
    } else {
      apply(p, amqp_outcome::released, {});
      metrics_.settle_timeout();
    }
    unsettled_.erase(unsettled_.begin());
  }
}

void amqp_link::top_up() {
  if (!attached_ || stopping_) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  expire(now);
  flush_settled(now);
  auto outstanding = static_cast<std::size_t>(std::max(receiver_.credit(), 0));
  auto room = options_.max_credit > unsettled_.size() ? options_.max_credit - unsettled_.size() : 0;
  auto want = std::min(room, owner_.capacity());
  // Each grant is a flow frame the broker handles: top up in steps of a quarter window (or
  // once the link's credit ran out), not per settled message. Never beyond `want`.
  auto step = std::max<std::size_t>(1, options_.max_credit / 4);
  if (want > outstanding && (outstanding == 0 || want - outstanding >= step)) {
    receiver_.add_credit(static_cast<std::uint32_t>(want - outstanding));
  }
  metrics_.credit(static_cast<double>(std::max(receiver_.credit(), 0)));
}

void amqp_link::on_message(proton::delivery& d, proton::message& m) {
  if (cbs_ && cbs_->owns(d.receiver())) {
    cbs_->on_reply(d, m);
    return;
  }
  auto msg = detail::to_message(options_.address, m);
  metrics_.received(msg.redelivered);
  if (stopping_) {
    d.release();
    metrics_.settled(amqp_outcome::released);
    return;
  }
  auto key = next_key_++;
  auto timeout = options_.settle_timeout;
  pending p;
  p.delivery = d;
  p.deadline = timeout.count() > 0 ? std::chrono::steady_clock::now() + timeout
                                   : std::chrono::steady_clock::time_point::max();
  unsettled_.emplace(key, std::move(p));
  owner_.deliver(std::move(msg), amqp_settlement(owner_.queue(), index_, generation_, key));
  top_up();
}

void amqp_link::settle(const detail::settle_request& r) {
  auto it = r.generation == generation_ ? unsettled_.find(r.key) : unsettled_.end();
  if (it == unsettled_.end() || it->second.done) {
    metrics_.settle_lost();
    return;
  }
  auto& p = it->second;
  const auto hold = owner_.options().settle_hold;
  if (hold.count() == 0) {
    apply(p, r.outcome, r.description);
    unsettled_.erase(it);
    return;
  }
  p.done = true;
  p.outcome = r.outcome;
  p.description = r.description;
  if (it != unsettled_.begin()) {
    held_.emplace_back(std::chrono::steady_clock::now() + hold, r.key);
  }
}

void amqp_link::flush_settled(std::chrono::steady_clock::time_point now) {
  // RabbitMQ finds an acknowledged delivery by walking its unacknowledged ones from the
  // oldest and rebuilds that queue when it was not the first: in arrival order each costs it
  // O(1), out of order O(unacknowledged). Consecutive ones also share a disposition frame.
  while (!unsettled_.empty() && unsettled_.begin()->second.done) {
    auto& p = unsettled_.begin()->second;
    apply(p, p.outcome, p.description);
    unsettled_.erase(unsettled_.begin());
  }
  // Behind an older delivery still in flight for too long: sent out of order after all.
  while (!held_.empty() && held_.front().first <= now) {
    auto it = unsettled_.find(held_.front().second);
    held_.pop_front();
    if (it != unsettled_.end() && it->second.done) {
      apply(it->second, it->second.outcome, it->second.description);
      unsettled_.erase(it);
    }
  }
  if (unsettled_.empty()) {
    held_.clear();
  }
}

void amqp_link::apply(pending& p, amqp_outcome outcome, const std::string& description) {
  switch (outcome) {
  case amqp_outcome::accepted:
    p.delivery.accept();
    break;
  case amqp_outcome::rejected:
    detail::reject_with(p.delivery, description);
    break;
  case amqp_outcome::released:
    p.delivery.release();
    break;
  case amqp_outcome::modified:
    p.delivery.modify();
    break;
  }
  metrics_.settled(outcome);
}

void amqp_link::begin_stop() {
  stopping_ = true;
  // Those with an outcome get it (in arrival order), the rest are released.
  for (auto& [key, p] : unsettled_) {
    apply(p, p.done ? p.outcome : amqp_outcome::released, p.description);
  }
  unsettled_.clear();
  held_.clear();
  if (!active_) {
    return;
  }
  // Link first, connection once the broker confirmed the detach (on_receiver_close):
  // RabbitMQ drops the dispositions above if the connection closes right after them.
  if (attached_) {
    receiver_.close();
  } else {
    connection_.close();
  }
}

void amqp_link::on_receiver_close(proton::receiver& r) {
  if (cbs_ && cbs_->owns(r)) {
    return;
  }
  if (attached_) {
    attached_ = false;
    owner_.count_attached(-1);
    metrics_.attached(false);
  }
  if (stopping_) {
    connection_.close();
  } else {
    spdlog::warn("amqp: {}: the broker detached the receiver; reconnecting", options_.address);
    connection_.close();
  }
}

void amqp_link::on_transport_close(proton::transport&) {
  if (attached_) {
    attached_ = false;
    owner_.count_attached(-1);
    metrics_.attached(false);
  }
  active_ = false;
  owner_.queue()->set_queue(index_, nullptr);
  cbs_.reset();
  receiver_ = proton::receiver();
  // The broker redelivers whatever this connection left unsettled; outcomes not sent yet are
  // lost like settlements made after the loss.
  for (const auto& [key, p] : unsettled_) {
    if (p.done) {
      metrics_.settle_lost();
    }
  }
  unsettled_.clear();
  held_.clear();
  metrics_.disconnected();
  if (stopping_ || owner_.stopping()) {
    owner_.link_closed();
    return;
  }
  metrics_.reconnect();
  auto wait = next_backoff();
  spdlog::info("amqp: {}: reconnecting to {} in {} ms", options_.address, options_.url,
               wait.count());
  reconnect_at_ = std::chrono::steady_clock::now() + wait;
}

std::chrono::milliseconds amqp_link::next_backoff() {
  const auto& o = owner_.options();
  delay_ =
      delay_.count() == 0 ? o.min_reconnect_delay : std::min(delay_ * 2, o.max_reconnect_delay);
  auto half = delay_.count() / 2;
  return std::chrono::milliseconds(
      half + std::uniform_int_distribution<std::int64_t>(0, delay_.count() - half)(jitter_));
}

void amqp_link::on_transport_error(proton::transport& t) {
  spdlog::warn("amqp: {} at {}: connection failed: {}", options_.address, options_.url,
               t.error().what());
}

void amqp_link::on_connection_error(proton::connection& c) {
  spdlog::warn("amqp: {}: connection closed by the broker: {}", options_.address, c.error().what());
}

void amqp_link::on_receiver_error(proton::receiver& r) {
  spdlog::warn("amqp: {}: link closed by the broker: {}", options_.address, r.error().what());
}

void amqp_link::on_session_error(proton::session& s) {
  // The broker ended the session (a refused attach, say): start over on a new connection.
  spdlog::warn("amqp: {}: session ended by the broker: {}", options_.address, s.error().what());
  connection_.close();
}

void amqp_link::on_error(const proton::error_condition& e) {
  spdlog::warn("amqp: {}: {}", options_.address, e.what());
}

void amqp_link::on_sendable(proton::sender& s) {
  if (cbs_) {
    cbs_->on_sendable(s);
  }
}

} // namespace herald::transports
