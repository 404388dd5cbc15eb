#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/outcome/result.hpp>

#include "protocol/provider_request.hpp"
#include "transports/tls_context.hpp"

struct nghttp2_session;

namespace herald::transports {

/// Where and how one HTTP/2 client connection connects.
struct h2_client_options {
  std::string host;
  std::uint16_t port = 443;
  bool tls = true;     ///< false: cleartext h2c with prior knowledge (RFC 9113 §3.3).
  std::string ca_file; ///< PEM CA bundle; empty means the system roots.
  std::string sni;     ///< Name sent in SNI and verified; empty means `host`.
  std::string client_cert_file, client_key_file;    ///< Optional TLS client certificate.
  std::uint32_t max_streams_cap = 1000;             ///< Upper bound on the stream budget.
  std::chrono::milliseconds connect_timeout{5000};  ///< Resolve + TCP + TLS + first SETTINGS.
  std::chrono::milliseconds ping_interval{60000};   ///< Keepalive PING period (0 = none).
  std::chrono::milliseconds request_timeout{10000}; ///< Per stream, submit to last byte.
};

/// Why a request (or the whole connection) failed. Provider answers, even errors, are not
/// failures: they arrive as a `provider_response`.
enum class h2_errc {
  connect_failed = 1, ///< Resolve or TCP connect failed, or connect_timeout expired.
  tls_failed,         ///< TLS context or handshake failed (e.g. untrusted certificate).
  alpn_mismatch,      ///< The server did not select `h2`.
  closed,             ///< The connection is closed, closing, or was lost.
  stream_reset,       ///< The peer reset the stream (other than REFUSED_STREAM).
  refused_stream,     ///< RST_STREAM REFUSED_STREAM: not processed, safe to replay.
  goaway_unprocessed, ///< Stream id above GOAWAY's last_stream_id: not processed, replay.
  timeout,            ///< request_timeout expired (stream cancelled) or PING unanswered.
  protocol_error,     ///< nghttp2 reported a framing / protocol violation.
  no_stream_slot,     ///< The stream budget is spent (or not known yet): queue and retry.
};

/// Short stable name of an error code, for logs and metric labels.
[[nodiscard]] const char* to_string(h2_errc code) noexcept;
/// Writes `to_string(code)` (logs, test diagnostics).
std::ostream& operator<<(std::ostream& out, h2_errc code);

/// A failed request or connection: code, human detail, and whether the request can be sent
/// again without risk of duplicate processing (RFC 9113 §8.7), or, for `closed` and
/// `timeout`, without a response having started (the caller decides).
struct h2_failure {
  h2_errc code = h2_errc::closed;
  std::string detail;
  bool replayable = false;
};

/// Outcome of one request: the provider's response, or a transport failure.
using h2_result = boost::outcome_v2::result<protocol::provider_response, h2_failure,
                                            boost::outcome_v2::policy::terminate>;

/// Header fields (lower-case names), in order.
using h2_headers = std::vector<std::pair<std::string, std::string>>;

/// One persistent HTTP/2 client connection (TLS with ALPN h2, or h2c) to a push provider.
///
/// Lifecycle: `create`, `start` (resolve, connect, TLS, preface + SETTINGS); `on_ready` fires
/// once the peer's first SETTINGS arrives. Then `submit` up to `stream_budget()` concurrent
/// requests; extra ones fail at once with `no_stream_slot` so the caller queues them. The
/// connection ends on `close` (GOAWAY, in-flight streams finish), on loss, or on a peer
/// GOAWAY once its remaining streams finish; `on_closed` fires exactly once then. It cannot
/// be restarted: make a new one.
///
/// Threading: every internal step runs on a strand of the given io_context, so any number
/// of io threads is fine. `submit` and `close` are thread-safe; `events` and request
/// handlers run on the strand. Every request handler runs exactly once; if the object or
/// the io_context is destroyed first, the pending handlers run with `closed` from the
/// destroying thread. Async operations keep the object alive via `shared_from_this`.
class h2_client_connection : public std::enable_shared_from_this<h2_client_connection> {
public:
  /// Connection-level notifications; any may be empty.
  struct events {
    std::function<void()> on_ready;                              ///< First peer SETTINGS seen.
    std::function<void(std::uint32_t budget)> on_budget;         ///< Every peer SETTINGS frame.
    std::function<void(std::uint32_t last_stream_id)> on_goaway; ///< Peer sent GOAWAY.
    std::function<void(const h2_failure&)> on_closed;            ///< The connection is over.
  };
  /// Request completion handler.
  using handler = std::function<void(h2_result)>;
  /// One request for `submit_all`. The request is shared read-only with its owner and the
  /// stream keeps it until the stream ends, so a send (or a resend) copies neither headers
  /// nor body; nghttp2 reads header values and the body in place (header names are copied,
  /// and so lower-cased).
  struct job {
    std::shared_ptr<const protocol::provider_request> request; ///< Never null; not mutated.
    std::shared_ptr<const h2_headers> extra; ///< Sent after the request's own (may be null).
    handler done;
  };

  /// Makes a connection object; nothing happens until `start`.
  [[nodiscard]] static std::shared_ptr<h2_client_connection>
  create(boost::asio::io_context& io, h2_client_options options, events callbacks);

  h2_client_connection(const h2_client_connection&) = delete;
  h2_client_connection& operator=(const h2_client_connection&) = delete;
  ~h2_client_connection();

  /// Begins connecting. Thread-safe; call once.
  void start();
  /// Sends one request. Thread-safe (posts to the strand); `done` runs exactly once.
  void submit(protocol::provider_request request, handler done);
  /// Sends several requests with one post to the strand, then one socket flush. Thread-safe;
  /// each job's `done` runs exactly once (in order of `jobs` when they fail at once).
  void submit_all(std::vector<job> jobs);
  /// Gracefully closes: GOAWAY, let in-flight streams finish (bounded by request_timeout),
  /// then close the socket. Thread-safe; idempotent.
  void close();

  /// min(peer SETTINGS_MAX_CONCURRENT_STREAMS, max_streams_cap); 0 before ready and after
  /// GOAWAY or close. Safe to read from any thread (a snapshot).
  [[nodiscard]] std::uint32_t stream_budget() const noexcept { return budget_.load(); }
  /// Streams submitted and not yet closed (snapshot, any thread).
  [[nodiscard]] std::uint32_t in_flight() const noexcept { return in_flight_.load(); }
  /// True between `on_ready` and the connection starting to close (snapshot).
  [[nodiscard]] bool is_ready() const noexcept { return state_.load() == state::ready; }

private:
  friend struct h2_client_callbacks;
  struct stream;
  enum class state { idle, connecting, ready, draining, closed };
  using tcp = boost::asio::ip::tcp;
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  h2_client_connection(boost::asio::io_context& io, h2_client_options options, events callbacks);

  void do_start();
  void on_connected();
  void on_handshaken();
  [[nodiscard]] bool init_session();
  void do_submit(job j);
  void do_close();
  void start_read();
  void flush();
  void fail_connection(h2_failure why);
  void on_settings();
  void on_stream_closed(std::int32_t stream_id, std::uint32_t error_code);
  void on_request_not_sent(std::int32_t stream_id, int lib_error);
  void on_stream_timeout(std::int32_t stream_id);
  void watch(stream& s);
  void unwatch(stream& s) noexcept;
  void unwatch_all() noexcept;
  void arm_deadlines();
  void on_deadlines();
  void arm_ping();
  void update_counters();
  tcp::socket& socket();
  template <class F>
  void with_stream(F&& f);

  strand_type strand_;
  h2_client_options options_;
  events events_;
  std::string scheme_, authority_; ///< `:scheme` and `:authority` of every request.
  std::shared_ptr<tls_context> tls_;
  tcp::resolver resolver_;
  tcp::socket plain_;
  std::optional<boost::asio::ssl::stream<tcp::socket>> tls_stream_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer drain_timer_;
  /// One timer for every stream's request_timeout: it fires at the oldest watched stream's
  /// deadline (no timer, wait and cancel per stream).
  boost::asio::steady_timer deadline_timer_;
  bool deadline_armed_ = false;
  stream* oldest_ = nullptr; ///< The deadline list (see `stream::deadline`).
  stream* newest_ = nullptr;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, std::unique_ptr<stream>> streams_;
  std::array<std::uint8_t, 16384> read_buf_{};
  std::string write_buf_;
  bool writing_ = false;
  bool ping_outstanding_ = false;
  bool goaway_received_ = false;
  std::int32_t goaway_last_id_ = 0;
  std::atomic<state> state_{state::idle};
  std::atomic<std::uint32_t> budget_{0};
  std::atomic<std::uint32_t> in_flight_{0};
};

} // namespace herald::transports
