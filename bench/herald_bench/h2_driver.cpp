#include "bench/herald_bench/h2_driver.hpp"

#include <charconv>

#include <boost/asio/steady_timer.hpp>

#include "transports/h2_client_connection.hpp"

namespace herald::bench {

/// One HTTP/2 connection and the jobs in flight on it.
class h2_driver::connection : public std::enable_shared_from_this<connection> {
public:
  explicit connection(h2_driver& owner) : owner_(owner), timer_(owner.io_) {}

  void start() { connect(); }

private:
  void connect() {
    transports::h2_client_options o;
    o.host = owner_.host_;
    o.port = owner_.port_;
    o.tls = !owner_.ca_file_.empty();
    o.ca_file = owner_.ca_file_;
    o.max_streams_cap = owner_.streams_;
    o.request_timeout = std::chrono::seconds(60);
    transports::h2_client_connection::events ev;
    std::weak_ptr<connection> weak = shared_from_this();
    ev.on_ready = [weak] {
      if (auto self = weak.lock()) {
        self->failures_ = 0;
        self->fill();
      }
    };
    ev.on_closed = [weak](const transports::h2_failure&) {
      if (auto self = weak.lock()) {
        self->on_closed();
      }
    };
    conn_ = transports::h2_client_connection::create(owner_.io_, o, std::move(ev));
    conn_->start();
  }

  void on_closed() {
    conn_.reset();
    if (finished_) {
      return;
    }
    // Jobs in flight were reported failed by their handlers; try again shortly, or give up
    // after 5 s of failures like the HTTP/1.1 driver.
    if (++failures_ > 50) {
      finished_ = true;
      --owner_.active_;
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->connect(); });
  }

  /// Takes jobs while this connection has a free stream.
  void fill() {
    while (!finished_ && !waiting_ && conn_ && conn_->is_ready() &&
           in_flight_ < std::min(owner_.streams_, conn_->stream_budget())) {
      auto next = owner_.next_();
      if (auto* job = std::get_if<http_job>(&next)) {
        submit(std::move(*job));
      } else if (auto* wait = std::get_if<http_wait>(&next)) {
        waiting_ = true;
        timer_.expires_at(wait->until);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
          self->waiting_ = false;
          self->fill();
        });
      } else {
        finished_ = true;
      }
    }
    if (finished_ && in_flight_ == 0 && conn_) {
      conn_->close();
      --owner_.active_;
      conn_.reset();
    }
  }

  void submit(http_job job) {
    protocol::provider_request request;
    request.method = job.method;
    request.path = job.target;
    request.headers = {{"content-type", "application/json"}};
    for (const auto& [name, value] : job.headers) {
      request.headers.emplace_back(name, value);
    }
    request.body = job.body;
    ++in_flight_;
    auto sent = std::chrono::system_clock::now();
    auto began = std::chrono::steady_clock::now();
    conn_->submit(std::move(request), [self = shared_from_this(), job = std::move(job), sent,
                                       began](transports::h2_result r) {
      http_outcome outcome;
      outcome.sent = sent;
      outcome.ack = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - began);
      if (r) {
        outcome.status = r.value().status;
        const auto& retry_after = r.value().header("retry-after");
        int seconds = 0;
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
        outcome.retry_after_s = seconds;
      }
      --self->in_flight_;
      self->owner_.done_(job, outcome);
      self->fill();
    });
  }

  h2_driver& owner_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<transports::h2_client_connection> conn_;
  std::uint32_t in_flight_ = 0;
  int failures_ = 0;
  bool waiting_ = false, finished_ = false;
};

h2_driver::h2_driver(boost::asio::io_context& io, std::string host, std::uint16_t port,
                     std::uint32_t connections, std::uint32_t streams, http_driver::next_fn next,
                     http_driver::done_fn done, std::string ca_file)
    : io_(io), host_(std::move(host)), port_(port), count_(connections), streams_(streams),
      ca_file_(std::move(ca_file)), next_(std::move(next)), done_(std::move(done)) {}

h2_driver::~h2_driver() = default;

void h2_driver::start() {
  for (std::uint32_t i = 0; i < count_; ++i) {
    connections_.push_back(std::make_shared<connection>(*this));
    ++active_;
    connections_.back()->start();
  }
}

} // namespace herald::bench
