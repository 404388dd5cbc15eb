#pragma once

// Internal to the sender core: how answers travel from the I/O threads to the sender. Not
// part of the actors/ interface.
#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "transports/h2_client_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors::detail {

/// A provider's answer (or a transport failure) travelling from the I/O thread to the sender.
struct sender_answer {
  std::uint32_t slot = 0;
  std::uint64_t generation = 0;
  std::uint32_t out_id = 0; ///< The notification's number in the sender's ledger.
  notification_ptr what;
  /// The headers added to the request for this send; the first is `authorization`.
  std::shared_ptr<const transports::h2_headers> extra;
  std::optional<transports::h2_result> result; ///< Set by the I/O thread.
  std::chrono::steady_clock::time_point sent_at;

  /// The `authorization` value the request carried.
  [[nodiscard]] const std::string& credential() const { return extra->front().second; }
};

/// Answers delivered to the sender in one message.
using sender_answers = std::vector<sender_answer>;
using sender_answers_ptr = std::shared_ptr<sender_answers>;

/// Collects answers completed on the I/O threads and hands them to the sender in batches:
/// one CAF message per I/O turn instead of one per answer. The first answer put into an
/// empty inbox posts a delivery to the I/O context; it runs after the handler that produced
/// the answer (and the rest of that read) and sends everything collected by then as
/// `(response_atom, sender_answers_ptr)`. Thread-safe. A delivery the I/O context drops
/// unrun (it is destroyed first) still sends: no answer is lost.
class sender_inbox : public std::enable_shared_from_this<sender_inbox> {
public:
  sender_inbox(boost::asio::io_context& io, caf::actor sender)
      : io_(io), sender_(std::move(sender)) {}

  /// Adds one answer; any thread.
  void put(sender_answer answer);
  /// Sends the answers collected so far as one message (nothing when there are none).
  void deliver();

private:
  boost::asio::io_context& io_;
  caf::actor sender_;
  std::mutex mutex_;
  sender_answers answers_;
  bool posted_ = false; ///< A delivery is queued on the I/O context.
};

} // namespace herald::actors::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::detail::sender_answers_ptr)
