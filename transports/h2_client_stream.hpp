#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "protocol/provider_request.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::transports {

/// Owns a request handler and guarantees it runs exactly once: explicitly, or with `closed`
/// when the owner is destroyed unrun (io_context torn down, connection destroyed).
class handler_once {
public:
  handler_once() = default;
  explicit handler_once(h2_client_connection::handler fn) : fn_(std::move(fn)) {}
  handler_once(handler_once&& other) noexcept : fn_(std::exchange(other.fn_, nullptr)) {}
  handler_once& operator=(handler_once&&) = delete;
  handler_once(const handler_once&) = delete;
  handler_once& operator=(const handler_once&) = delete;
  ~handler_once() {
    if (fn_) {
      fail(h2_failure{h2_errc::closed, "dropped before completion", true});
    }
  }

  /// Runs the handler if it has not run yet.
  void operator()(h2_result result) {
    if (auto fn = std::exchange(fn_, nullptr)) {
      fn(std::move(result));
    }
  }
  /// Runs the handler with a failure if it has not run yet.
  void fail(h2_failure failure) {
    if (fn_) {
      (*this)(h2_result(std::move(failure)));
    }
  }
  /// Runs the handler with a failure whose replayability is given explicitly.
  void fail(h2_failure failure, bool replayable) {
    failure.replayable = replayable;
    fail(std::move(failure));
  }
  /// Takes the handler out without running it.
  [[nodiscard]] h2_client_connection::handler release() { return std::exchange(fn_, nullptr); }
  /// True while the handler has not run.
  [[nodiscard]] bool pending() const noexcept { return static_cast<bool>(fn_); }

private:
  h2_client_connection::handler fn_;
};

/// State of one client stream, owned by the connection's stream map (keyed by stream id).
struct h2_client_connection::stream {
  template <class Executor>
  stream(const Executor& ex, std::string request_body, handler fn)
      : body(std::move(request_body)), done(std::move(fn)), timer(ex) {}

  std::string body;           ///< Request body, sent by the data provider.
  std::size_t body_sent = 0;  ///< Bytes of `body` handed to nghttp2 so far.
  bool got_status = false;    ///< A final `:status` arrived: no longer blindly replayable.
  bool headers_sent = false;  ///< The request HEADERS frame left (nghttp2 sent it).
  bool request_ended = false; ///< A frame with END_STREAM left: the request is complete.
  protocol::provider_response response;
  handler_once done;
  boost::asio::steady_timer timer; ///< request_timeout.
};

} // namespace herald::transports
