#include "transports/h2_client_connection.hpp"

#include <ostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <nghttp2/nghttp2.h>

#include "transports/h2_client_stream.hpp"

namespace herald::transports {

namespace {

constexpr std::size_t write_batch_bytes = 64 * 1024;

h2_failure closed_failure(std::string detail) {
  return h2_failure{h2_errc::closed, std::move(detail), true};
}

} // namespace

const char* to_string(h2_errc code) noexcept {
  switch (code) {
  case h2_errc::connect_failed:
    return "connect_failed";
  case h2_errc::tls_failed:
    return "tls_failed";
  case h2_errc::alpn_mismatch:
    return "alpn_mismatch";
  case h2_errc::closed:
    return "closed";
  case h2_errc::stream_reset:
    return "stream_reset";
  case h2_errc::refused_stream:
    return "refused_stream";
  case h2_errc::goaway_unprocessed:
    return "goaway_unprocessed";
  case h2_errc::timeout:
    return "timeout";
  case h2_errc::protocol_error:
    return "protocol_error";
  case h2_errc::no_stream_slot:
    return "no_stream_slot";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, h2_errc code) {
  return out << to_string(code);
}

std::shared_ptr<h2_client_connection> h2_client_connection::create(boost::asio::io_context& io,
                                                                   h2_client_options options,
                                                                   events callbacks) {
  return std::shared_ptr<h2_client_connection>(
      new h2_client_connection(io, std::move(options), std::move(callbacks)));
}

h2_client_connection::h2_client_connection(boost::asio::io_context& io, h2_client_options options,
                                           events callbacks)
    : strand_(boost::asio::make_strand(io)), options_(std::move(options)),
      events_(std::move(callbacks)), resolver_(strand_), plain_(strand_), connect_timer_(strand_),
      ping_timer_(strand_), drain_timer_(strand_), deadline_timer_(strand_) {
  scheme_ = options_.tls ? "https" : "http";
  authority_ = options_.host;
  if (options_.port != (options_.tls ? 443 : 80)) {
    authority_ += ":" + std::to_string(options_.port);
  }
}

h2_client_connection::~h2_client_connection() {
  unwatch_all();
  if (session_ != nullptr) {
    nghttp2_session_del(session_);
  }
  // Each stream's handler guard runs its handler with `closed` as the map is destroyed.
  for (auto& [id, s] : streams_) {
    s->done.fail(closed_failure("connection destroyed"), !s->got_status);
  }
}

boost::asio::ip::tcp::socket& h2_client_connection::socket() {
  return tls_stream_ ? tls_stream_->next_layer() : plain_;
}

template <class F>
void h2_client_connection::with_stream(F&& f) {
  if (tls_stream_) {
    f(*tls_stream_);
  } else {
    f(plain_);
  }
}

void h2_client_connection::start() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->do_start(); });
}

void h2_client_connection::submit(protocol::provider_request request, handler done) {
  std::vector<job> jobs(1);
  jobs[0].request = std::make_shared<const protocol::provider_request>(std::move(request));
  jobs[0].done = std::move(done);
  submit_all(std::move(jobs));
}

namespace {

/// Jobs on their way to the strand: runs their handlers with `closed` if the io_context
/// drops the post unrun.
struct posted_jobs {
  explicit posted_jobs(std::vector<h2_client_connection::job> j) : jobs(std::move(j)) {}
  posted_jobs(posted_jobs&&) noexcept = default;
  posted_jobs& operator=(posted_jobs&&) = delete;
  posted_jobs(const posted_jobs&) = delete;
  posted_jobs& operator=(const posted_jobs&) = delete;
  ~posted_jobs() {
    for (auto& j : jobs) {
      if (j.done) {
        j.done(h2_result(closed_failure("dropped before submission")));
      }
    }
  }
  std::vector<h2_client_connection::job> jobs;
};

} // namespace

void h2_client_connection::submit_all(std::vector<job> jobs) {
  if (jobs.empty()) {
    return;
  }
  boost::asio::post(strand_,
                    [self = shared_from_this(), pending = posted_jobs(std::move(jobs))]() mutable {
                      auto taken = std::move(pending.jobs);
                      pending.jobs.clear();
                      for (auto& j : taken) {
                        self->do_submit(std::move(j));
                      }
                      self->flush();
                    });
}

void h2_client_connection::close() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->do_close(); });
}

void h2_client_connection::do_start() {
  if (state_ != state::idle) {
    return;
  }
  state_ = state::connecting;
  if (options_.tls) {
    tls_client_config config;
    config.ca_file = options_.ca_file;
    config.client_cert_file = options_.client_cert_file;
    config.client_key_file = options_.client_key_file;
    auto made = tls_context::make_client(config);
    if (!made) {
      fail_connection({h2_errc::tls_failed, made.error().detail, true});
      return;
    }
    tls_ = made.value();
    tls_stream_.emplace(strand_, tls_->native());
  }
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && self->state_ == state::connecting) {
      self->fail_connection({h2_errc::connect_failed, "connect timeout", true});
    }
  });
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type r) {
        if (self->state_ != state::connecting) {
          return;
        }
        if (ec) {
          self->fail_connection({h2_errc::connect_failed, "resolve: " + ec.message(), true});
          return;
        }
        boost::asio::async_connect(
            self->socket(), r, [self](boost::system::error_code ec2, const tcp::endpoint&) {
              if (self->state_ != state::connecting) {
                return;
              }
              if (ec2) {
                self->fail_connection({h2_errc::connect_failed, "connect: " + ec2.message(), true});
                return;
              }
              self->on_connected();
            });
      });
}

void h2_client_connection::on_connected() {
  boost::system::error_code ignored;
  socket().set_option(tcp::no_delay(true), ignored);
  if (!tls_stream_) {
    on_handshaken();
    return;
  }
  const std::string& name = options_.sni.empty() ? options_.host : options_.sni;
  if (auto prepared = tls_context::prepare_client_stream(tls_stream_->native_handle(), name);
      !prepared) {
    fail_connection({h2_errc::tls_failed, prepared.error().detail, true});
    return;
  }
  tls_stream_->async_handshake(
      boost::asio::ssl::stream_base::client,
      [self = shared_from_this()](boost::system::error_code ec) {
        if (self->state_ != state::connecting) {
          return;
        }
        if (ec) {
          self->fail_connection({h2_errc::tls_failed, "TLS handshake: " + ec.message(), true});
          return;
        }
        self->on_handshaken();
      });
}

void h2_client_connection::on_handshaken() {
  if (tls_stream_) {
    // RFC 9113 §3.2: HTTP/2 over TLS is only spoken once ALPN selected "h2".
    auto selected = tls_context::negotiated_alpn(tls_stream_->native_handle());
    if (selected != "h2") {
      fail_connection({h2_errc::alpn_mismatch,
                       "server selected ALPN '" + selected + "' instead of 'h2'", true});
      return;
    }
  }
  if (!init_session()) {
    return;
  }
  start_read();
  flush();
}

void h2_client_connection::start_read() {
  with_stream([this](auto& s) {
    s.async_read_some(boost::asio::buffer(read_buf_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                        if (self->state_ == state::closed) {
                          return;
                        }
                        if (ec) {
                          self->fail_connection(closed_failure("connection lost: " + ec.message()));
                          return;
                        }
                        auto rv =
                            nghttp2_session_mem_recv(self->session_, self->read_buf_.data(), n);
                        if (rv < 0) {
                          self->fail_connection({h2_errc::protocol_error,
                                                 nghttp2_strerror(static_cast<int>(rv)), true});
                          return;
                        }
                        self->flush();
                        if (self->state_ != state::closed) {
                          self->start_read();
                        }
                      });
  });
}

void h2_client_connection::flush() {
  if (writing_ || session_ == nullptr || state_ == state::closed) {
    return;
  }
  while (write_buf_.size() < write_batch_bytes) {
    const std::uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      fail_connection({h2_errc::protocol_error, nghttp2_strerror(static_cast<int>(n)), true});
      return;
    }
    if (n == 0) {
      break;
    }
    write_buf_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  if (state_ == state::closed) {
    return; // A callback inside mem_send failed the connection.
  }
  if (write_buf_.empty()) {
    if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
      fail_connection(closed_failure("connection finished"));
    } else if (state_ == state::draining && streams_.empty()) {
      fail_connection(closed_failure("closed gracefully"));
    }
    return;
  }
  writing_ = true;
  with_stream([this](auto& s) {
    boost::asio::async_write(
        s, boost::asio::buffer(write_buf_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
          self->writing_ = false;
          self->write_buf_.clear();
          if (self->state_ == state::closed) {
            return;
          }
          if (ec) {
            self->fail_connection(closed_failure("write failed: " + ec.message()));
            return;
          }
          self->flush();
        });
  });
}

void h2_client_connection::fail_connection(h2_failure why) {
  if (state_ == state::closed) {
    return;
  }
  state_ = state::closed;
  budget_ = 0;
  boost::system::error_code ignored;
  resolver_.cancel();
  connect_timer_.cancel();
  ping_timer_.cancel();
  drain_timer_.cancel();
  deadline_timer_.cancel();
  socket().close(ignored);
  unwatch_all();
  auto streams = std::move(streams_);
  streams_.clear();
  in_flight_ = 0;
  for (auto& [id, s] : streams) {
    if (goaway_received_ && id > goaway_last_id_) {
      // RFC 9113 §6.8: the peer promised not to have processed these; safe to replay.
      s->done.fail({h2_errc::goaway_unprocessed, "stream above GOAWAY last_stream_id", true});
    } else {
      s->done.fail(closed_failure(why.detail), !s->got_status);
    }
  }
  if (events_.on_closed) {
    events_.on_closed(why);
  }
}

void h2_client_connection::do_close() {
  if (state_ == state::closed) {
    return;
  }
  if (state_ == state::idle || state_ == state::connecting) {
    fail_connection(closed_failure("closed before ready"));
    return;
  }
  if (state_ == state::ready) {
    state_ = state::draining;
    budget_ = 0;
    // RFC 9113 §6.8: last_stream_id counts peer-initiated streams; a client has none.
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0);
    drain_timer_.expires_after(options_.request_timeout);
    drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        self->fail_connection({h2_errc::timeout, "graceful close timed out", true});
      }
    });
  }
  flush();
}

void h2_client_connection::arm_ping() {
  if (options_.ping_interval.count() <= 0) {
    return;
  }
  ping_timer_.expires_after(options_.ping_interval);
  ping_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ == state::closed) {
      return;
    }
    if (self->ping_outstanding_) {
      self->fail_connection({h2_errc::timeout, "PING not acknowledged", true});
      return;
    }
    self->ping_outstanding_ = true;
    nghttp2_submit_ping(self->session_, NGHTTP2_FLAG_NONE, nullptr);
    self->flush();
    self->arm_ping();
  });
}

void h2_client_connection::update_counters() {
  in_flight_ = static_cast<std::uint32_t>(streams_.size());
}

} // namespace herald::transports
