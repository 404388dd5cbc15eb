#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/provider_request.hpp"
#include "protocol/verdict.hpp"

namespace boost::asio {
class io_context;
}

namespace herald::actors {

/// What a provider adapter may ask of the sender that owns it. Implemented by the sender core.
class sender_host {
public:
  virtual ~sender_host() = default;
  /// Runs work on the sender's thread, then sends what it can.
  using poster = std::function<void(std::function<void()>)>;
  /// A `poster` callable from any thread, also after the sender ended (the work is then
  /// dropped): I/O callbacks capture it, never the adapter itself.
  [[nodiscard]] virtual poster post() = 0;
  /// Runs `fn` on the sender's thread after `delay`, then sends what it can.
  virtual void post_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  /// The node's I/O context (for the adapter's own connections).
  [[nodiscard]] virtual boost::asio::io_context& io() = 0;
};

/// The credential to put on a request sent now.
struct credential {
  enum class state {
    ready,   ///< `header` is the `authorization` value.
    pending, ///< Not available yet (being fetched): keep the request queued.
    failed,  ///< Cannot be made (bad key): the request fails for good; `error` says why.
  };
  state what = state::pending;
  std::string header;
  std::string error;
};

/// The provider-specific part of a sender: authentication and the reading of answers. The
/// sender core (`spawn_sender`) does everything else: connections, stream budget, lanes,
/// retries, pruning, metrics.
///
/// Lifecycle: `start` once before the first request, `stop` once when the sender ends.
/// Threading: every call is made on the sender's thread; callbacks from I/O threads go
/// through `sender_host::post`.
class provider_adapter {
public:
  virtual ~provider_adapter() = default;
  /// Metric label and log name of the provider (`apns`, `fcm`).
  [[nodiscard]] virtual std::string_view provider() const noexcept = 0;
  /// Starts background work (a token fetch); `host` outlives the adapter.
  virtual void start(sender_host& host) = 0;
  /// Stops background work (closes the adapter's own connections).
  virtual void stop() = 0;
  /// The credential for a request sent now; may start a fetch.
  [[nodiscard]] virtual credential authorize() = 0;
  /// Classifies a provider answer.
  [[nodiscard]] virtual protocol::verdict classify(const protocol::provider_response& r) const = 0;
  /// The provider refused `header` (an `unauthorized` verdict): drop or reissue it.
  virtual void refused(const std::string& header) = 0;
};

} // namespace herald::actors
