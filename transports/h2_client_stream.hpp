#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

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
  explicit stream(job&& j)
      : request(std::move(j.request)), extra(std::move(j.extra)), done(std::move(j.done)) {}

  /// The request body, sent by the data provider.
  [[nodiscard]] const std::string& body() const noexcept { return request->body; }

  /// The request and the per-send headers: nghttp2 reads them in place until the stream ends.
  std::shared_ptr<const protocol::provider_request> request;
  std::shared_ptr<const h2_headers> extra;
  std::string content_length; ///< The `content-length` value nghttp2 reads in place.
  std::size_t body_sent = 0;  ///< Bytes of `body` handed to nghttp2 so far.
  bool got_status = false;    ///< A final `:status` arrived: no longer blindly replayable.
  bool headers_sent = false;  ///< The request HEADERS frame left (nghttp2 sent it).
  bool request_ended = false; ///< A frame with END_STREAM left: the request is complete.
  protocol::provider_response response;
  handler_once done;
  std::int32_t id = 0; ///< The HTTP/2 stream id.
  /// Submission + request_timeout; while the stream may still time out it is in the
  /// connection's deadline list (submission order, so deadline order), between these two.
  std::chrono::steady_clock::time_point deadline;
  stream* older = nullptr;
  stream* newer = nullptr;
  bool watched = false;
};

} // namespace herald::transports
