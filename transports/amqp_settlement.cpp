#include "transports/amqp_settle_queue.hpp"

namespace herald::transports {

amqp_settlement::~amqp_settlement() {
  if (queue_) {
    settle(amqp_outcome::released);
  }
}

amqp_settlement::amqp_settlement(amqp_settlement&& other) noexcept
    : queue_(std::move(other.queue_)), link_(other.link_), generation_(other.generation_),
      key_(other.key_) {}

amqp_settlement& amqp_settlement::operator=(amqp_settlement&& other) noexcept {
  if (this != &other) {
    if (queue_) {
      settle(amqp_outcome::released);
    }
    queue_ = std::move(other.queue_);
    link_ = other.link_;
    generation_ = other.generation_;
    key_ = other.key_;
  }
  return *this;
}

void amqp_settlement::settle(amqp_outcome outcome, std::string description) {
  if (!queue_) {
    return;
  }
  auto queue = std::move(queue_);
  queue_.reset();
  queue->push({link_, generation_, key_, outcome, std::move(description)});
}

} // namespace herald::transports
