#include "bench/herald_bench/http_driver.hpp"

#include <charconv>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace herald::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

/// One keep-alive connection: connect, then job after job until the caller is finished.
class http_driver::connection : public std::enable_shared_from_this<connection> {
public:
  explicit connection(http_driver& owner) : owner_(owner), stream_(owner.io_), timer_(owner.io_) {}

  void start() { connect(); }

private:
  void connect() {
    connected_ = false;
    beast::error_code ignored;
    stream_.socket().close(ignored);
    auto address = asio::ip::make_address(owner_.host_, ignored);
    stream_.expires_after(std::chrono::seconds(10));
    stream_.async_connect(tcp::endpoint(address, owner_.port_),
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) {
                              // A server that stays away for 5 s ends this connection (and
                              // with the others, the run) instead of hanging it.
                              if (++self->connect_failures_ <= 50) {
                                self->retry_later();
                              } else {
                                --self->owner_.active_;
                              }
                              return;
                            }
                            self->connect_failures_ = 0;
                            self->connected_ = true;
                            self->stream_.socket().set_option(tcp::no_delay(true));
                            self->ask();
                          });
  }

  void retry_later() {
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  void ask() {
    auto next = owner_.next_();
    if (auto* wait = std::get_if<http_wait>(&next)) {
      timer_.expires_at(wait->until);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->ask(); });
      return;
    }
    if (std::holds_alternative<http_finished>(next)) {
      --owner_.active_;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
      return;
    }
    job_ = std::move(std::get<http_job>(next));
    send();
  }

  void send() {
    if (!connected_) {
      connect_then_send();
      return;
    }
    request_ = {};
    request_.method_string(job_->method);
    request_.target(job_->target);
    request_.version(11);
    request_.set(http::field::host, owner_.host_);
    request_.set(http::field::content_type, "application/json");
    request_.keep_alive(true);
    request_.body() = job_->body;
    request_.prepare_payload();
    outcome_ = {};
    outcome_.sent = std::chrono::system_clock::now();
    started_ = std::chrono::steady_clock::now();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, request_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) {
                          self->fail();
                          return;
                        }
                        self->read();
                      });
  }

  void connect_then_send() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    auto address = asio::ip::make_address(owner_.host_, ignored);
    stream_.expires_after(std::chrono::seconds(10));
    stream_.async_connect(tcp::endpoint(address, owner_.port_),
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) {
                              self->fail();
                              return;
                            }
                            self->connected_ = true;
                            self->stream_.socket().set_option(tcp::no_delay(true));
                            self->send();
                          });
  }

  void read() {
    response_ = {};
    buffer_.clear();
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         self->fail();
                         return;
                       }
                       self->finish();
                     });
  }

  void finish() {
    outcome_.status = static_cast<int>(response_.result_int());
    outcome_.ack = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    auto retry_after = response_[http::field::retry_after];
    int seconds = 0;
    std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    outcome_.retry_after_s = seconds;
    const bool keep = response_.keep_alive();
    auto job = std::move(*job_);
    job_.reset();
    owner_.done_(job, outcome_);
    if (!keep) {
      connected_ = false;
    }
    ask();
  }

  void fail() {
    // The job's fate is unknown (the server may have taken it); the caller decides whether
    // to resend, as Event Grid would after a timeout.
    connected_ = false;
    outcome_.status = 0;
    auto job = std::move(*job_);
    job_.reset();
    owner_.done_(job, outcome_);
    retry_later();
  }

  http_driver& owner_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::optional<http_job> job_;
  http_outcome outcome_;
  std::chrono::steady_clock::time_point started_;
  bool connected_ = false;
  int connect_failures_ = 0;
};

http_driver::http_driver(asio::io_context& io, std::string host, std::uint16_t port,
                         std::uint32_t connections, next_fn next, done_fn done)
    : io_(io), host_(std::move(host)), port_(port), count_(connections), next_(std::move(next)),
      done_(std::move(done)) {}

http_driver::~http_driver() = default;

void http_driver::start() {
  for (std::uint32_t i = 0; i < count_; ++i) {
    ++active_;
    connections_.push_back(std::make_shared<connection>(*this));
    connections_.back()->start();
  }
}

} // namespace herald::bench
