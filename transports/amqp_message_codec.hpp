#pragma once

// Internal to transports/amqp_*: Proton messages and deliveries to and from Herald's types.
#include <proton/delivery.hpp>
#include <proton/message.hpp>

#include <string>

#include "transports/amqp_receiver.hpp"

namespace herald::transports::detail {

/// The body and the properties Herald reads of `m`, received from `queue`.
[[nodiscard]] amqp_message to_message(const std::string& queue, proton::message& m);

/// Settles `d` as rejected with an `amqp:decode-error` condition carrying `description` (the
/// dead-letter reason); Proton C++ has no rejected outcome with a condition.
void reject_with(proton::delivery& d, const std::string& description);

} // namespace herald::transports::detail
