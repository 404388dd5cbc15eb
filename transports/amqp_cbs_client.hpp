#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <proton/connection.hpp>
#include <proton/delivery.hpp>
#include <proton/message.hpp>
#include <proton/receiver.hpp>
#include <proton/sender.hpp>

#include "protocol/servicebus.hpp"

namespace herald::transports {

/// Claims-based security for Azure Service Bus: puts a SAS token for one entity on the `$cbs`
/// node of a connection (AMQP CBS draft: a `put-token` request on a `$cbs` sender, the answer
/// on a receiver whose address is the request's `reply-to`), and renews it after 80% of its
/// lifetime.
///
/// Lifecycle: made on `on_connection_open`, destroyed with the connection. Threading: the
/// connection's (container) thread only; the owner forwards `on_sendable` and the `$cbs`
/// receiver's `on_message`.
class amqp_cbs_client {
public:
  /// `done(true, "")` after the first accepted token, `done(false, why)` on a refusal.
  using done_function = std::function<void(bool ok, const std::string& why)>;

  amqp_cbs_client(proton::connection& connection, protocol::servicebus_connection servicebus,
                  std::string entity, std::chrono::seconds lifetime, done_function done);

  /// True for the `$cbs` reply receiver (its events belong here, not to the queue).
  [[nodiscard]] bool owns(const proton::receiver& r) const { return r == replies_; }
  void on_sendable(proton::sender& s);
  void on_reply(proton::delivery& d, proton::message& m);

private:
  void send_token();

  protocol::servicebus_connection servicebus_;
  std::string entity_;
  std::chrono::seconds lifetime_;
  done_function done_;
  proton::sender requests_;
  proton::receiver replies_;
  std::string reply_to_;
  bool want_send_ = true;
  bool authorized_ = false;
  std::uint64_t request_id_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0); ///< Guards scheduled renewals.
};

} // namespace herald::transports
