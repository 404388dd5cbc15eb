#include "transports/h2_server_session.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <nghttp2/nghttp2.h>

namespace herald::transports {

namespace {

constexpr std::size_t write_batch_bytes = 64 * 1024;

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

} // namespace

/// nghttp2 server callbacks; `user_data` is the session.
struct h2_server_callbacks {
  static h2_server_session& sess(void* user_data) {
    return *static_cast<h2_server_session*>(user_data);
  }
  static h2_server_session::stream* find(void* user_data, std::int32_t id) {
    auto& streams = sess(user_data).streams_;
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : &it->second;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
      return 0;
    }
    auto& s = sess(user_data);
    auto& st = s.streams_[frame->hd.stream_id];
    st.request.stream_id = frame->hd.stream_id;
    st.request.remote = s.remote_;
    st.began = std::chrono::steady_clock::now();
    auto& stats = s.state_->stats;
    ++stats.open_streams;
    ++s.open_;
    auto seen = stats.max_open_streams.load();
    while (s.open_ > seen && !stats.max_open_streams.compare_exchange_weak(seen, s.open_)) {
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user_data) {
    auto* st = find(user_data, frame->hd.stream_id);
    if (st == nullptr || frame->hd.type != NGHTTP2_HEADERS || st->rejected) {
      return 0;
    }
    // RFC 9113 section 6.5.2: a field costs its name and value lengths plus 32 octets.
    st->header_bytes += namelen + valuelen + 32;
    auto limit = sess(user_data).state_->options.max_header_list_size;
    if (limit != 0 && st->header_bytes > limit) {
      sess(user_data).reject(frame->hd.stream_id, 431, "Request Header Fields Too Large",
                             "the header list exceeds " + std::to_string(limit) + " bytes");
      return 0;
    }
    std::string key(reinterpret_cast<const char*>(name), namelen);
    std::string val(reinterpret_cast<const char*>(value), valuelen);
    auto& r = st->request;
    if (key == ":method") {
      r.method = std::move(val);
    } else if (key == ":scheme") {
      r.scheme = std::move(val);
    } else if (key == ":authority") {
      r.authority = std::move(val);
    } else if (key == ":path") {
      r.path = std::move(val);
    } else {
      r.headers.emplace_back(std::move(key), std::move(val));
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t len, void* user_data) {
    auto* st = find(user_data, stream_id);
    if (sess(user_data).state_->options.window_on_answer) {
      if (st == nullptr) {
        nghttp2_session_consume_connection(session, len);
      } else {
        st->unconsumed += len;
      }
    }
    if (st == nullptr || st->rejected) {
      return 0;
    }
    const auto& options = sess(user_data).state_->options;
    if (st->request.body.size() + len > options.max_request_body) {
      if (options.answer_oversized_body) {
        sess(user_data).reject(stream_id, 413, "Content Too Large",
                               "the request body exceeds " +
                                   std::to_string(options.max_request_body) + " bytes");
        return 0;
      }
      // RFC 9113 §8.1.1: the server may reset a request it will not process in full.
      st->rejected = true;
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
      return 0;
    }
    st->request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      sess(user_data).on_client_reset();
      return 0;
    }
    bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) {
      return 0;
    }
    auto* st = find(user_data, frame->hd.stream_id);
    if (st != nullptr && ends && !st->complete) {
      st->complete = true;
      if (!st->rejected) {
        sess(user_data).dispatch(frame->hd.stream_id);
      }
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                             void* user_data) {
    auto& s = sess(user_data);
    if (auto* st = find(user_data, stream_id); st != nullptr && st->unconsumed > 0) {
      // The stream is gone: only the connection window is left to credit.
      nghttp2_session_consume_connection(s.session_, st->unconsumed);
    }
    if (s.streams_.erase(stream_id) > 0) {
      --s.state_->stats.open_streams;
      --s.open_;
    }
    // The idle clock starts when the last stream closes, not at the last byte read.
    s.last_read_ = std::chrono::steady_clock::now();
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                           void* user_data) {
    auto* st = find(user_data, stream_id);
    if (st == nullptr) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    std::size_t n = std::min(length, st->response_body.size() - st->body_sent);
    std::memcpy(buf, st->response_body.data() + st->body_sent, n);
    st->body_sent += n;
    if (st->body_sent == st->response_body.size()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
  }
};

h2_server_session::h2_server_session(boost::asio::ip::tcp::socket socket,
                                     std::shared_ptr<h2_server::shared_state> state)
    : strand_(socket.get_executor()), state_(std::move(state)), remote_(describe_peer(socket)) {
  if (state_->options.tls) {
    tls_stream_.emplace(plain_server_stream(std::move(socket)), state_->options.tls->native());
  } else {
    plain_.emplace(std::move(socket));
    handshaken_ = true;
  }
}

h2_server_session::h2_server_session(plain_server_stream connection, std::string preread,
                                     std::shared_ptr<h2_server::shared_state> state)
    : strand_(connection.get_executor()), state_(std::move(state)), handshaken_(true),
      preread_(std::move(preread)), remote_(describe_peer(connection.socket())) {
  plain_.emplace(std::move(connection));
}

h2_server_session::h2_server_session(tls_server_stream connection,
                                     std::shared_ptr<h2_server::shared_state> state)
    : strand_(connection.get_executor()), state_(std::move(state)), handshaken_(true),
      remote_(describe_peer(connection.next_layer().socket())) {
  tls_stream_.emplace(std::move(connection));
}

h2_server_session::~h2_server_session() {
  if (session_ != nullptr) {
    nghttp2_session_del(session_);
  }
  if (on_destroy_) {
    on_destroy_();
  }
}

boost::asio::ip::tcp::socket& h2_server_session::socket() {
  return tls_stream_ ? tls_stream_->next_layer().socket() : plain_->socket();
}

template <class F>
void h2_server_session::with_stream(F&& f) {
  if (tls_stream_) {
    f(*tls_stream_);
  } else {
    f(*plain_);
  }
}

void h2_server_session::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    self->started_ = self->last_read_ = std::chrono::steady_clock::now();
    self->arm_timer();
    if (self->handshaken_) {
      self->on_handshaken();
      return;
    }
    self->tls_stream_->async_handshake(boost::asio::ssl::stream_base::server,
                                       [self](boost::system::error_code ec) {
                                         if (ec || self->done_) {
                                           self->finish();
                                           return;
                                         }
                                         self->on_handshaken();
                                       });
  });
}

void h2_server_session::on_handshaken() {
  // RFC 9113 §3.2: only speak HTTP/2 when ALPN selected it; the context's ALPN callback
  // already refused clients offering nothing we accept, but it may also accept http/1.1.
  if (tls_stream_ && tls_context::negotiated_alpn(tls_stream_->native_handle()) != "h2") {
    finish();
    return;
  }
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs,
                                                          h2_server_callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, h2_server_callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs,
                                                            h2_server_callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2_server_callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2_server_callbacks::on_stream_close);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, state_->options.window_on_answer ? 1 : 0);
  int rv = nghttp2_session_server_new2(&session_, cbs, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) {
    session_ = nullptr;
    finish();
    return;
  }
  // RFC 9218 §2.1: we never use RFC 7540 priorities; nghttp2 then serves response bodies
  // in stream order instead of starving a partly sent one behind newer streams.
  std::vector<nghttp2_settings_entry> settings{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, state_->max_concurrent_streams.load()},
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1}};
  if (state_->options.max_header_list_size != 0) {
    settings.push_back({NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
                        static_cast<std::uint32_t>(state_->options.max_header_list_size)});
  }
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  if (state_->options.connection_window > 65535) {
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<std::int32_t>(std::min<std::uint32_t>(
                                              state_->options.connection_window, (1u << 31) - 1)));
  }
  if (!preread_.empty()) {
    // Bytes the listener read while choosing the protocol: the client preface (or part).
    in_recv_ = true;
    auto fed = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const std::uint8_t*>(preread_.data()), preread_.size());
    in_recv_ = false;
    preread_.clear();
    if (fed < 0) {
      finish();
      return;
    }
  }
  start_read();
  flush();
}

void h2_server_session::start_read() {
  with_stream([this](auto& s) {
    s.async_read_some(boost::asio::buffer(read_buf_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                        if (self->done_) {
                          return;
                        }
                        if (self->lingering_) {
                          // Draining after our last frame: discard until the client closes.
                          if (ec) {
                            self->finish();
                          } else {
                            self->start_read();
                          }
                          return;
                        }
                        self->last_read_ = std::chrono::steady_clock::now();
                        if (ec) {
                          self->finish();
                          return;
                        }
                        self->in_recv_ = true;
                        auto fed =
                            nghttp2_session_mem_recv(self->session_, self->read_buf_.data(), n);
                        self->in_recv_ = false;
                        if (fed < 0) {
                          self->finish();
                          return;
                        }
                        self->flush();
                        if (!self->done_) {
                          self->start_read();
                        }
                      });
  });
}

void h2_server_session::flush() {
  // nghttp2 forbids mem_send inside its own callbacks; the read loop flushes after mem_recv.
  if (writing_ || done_ || lingering_ || session_ == nullptr || in_recv_) {
    return;
  }
  while (write_buf_.size() < write_batch_bytes) {
    const std::uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      finish();
      return;
    }
    if (n == 0) {
      break;
    }
    write_buf_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  if (write_buf_.empty()) {
    if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
      linger();
    }
    return;
  }
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  with_stream([this](auto& s) {
    boost::asio::async_write(
        s, boost::asio::buffer(write_buf_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
          self->writing_ = false;
          self->write_buf_.clear();
          if (ec) {
            self->finish();
            return;
          }
          self->flush();
        });
  });
}

void h2_server_session::linger() {
  if (done_ || lingering_) {
    return;
  }
  // Everything is said (after a GOAWAY, every stream answered). Closing now, with the
  // client's newer requests still arriving unread, would make the kernel answer them with a
  // TCP RST, and an RST can destroy the GOAWAY and the last responses before the client
  // reads them: it would then resend requests that were processed. So half-close, read and
  // discard until the client closes too, for at most `linger_time`.
  lingering_ = true;
  state_->stats.open_streams -= open_;
  open_ = 0;
  streams_.clear();
  boost::system::error_code ignored;
  socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  if (!timer_) {
    timer_.emplace(strand_);
  }
  timer_->cancel();
  timer_->expires_after(linger_time);
  timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) {
      self->finish();
    }
  });
}

void h2_server_session::finish() {
  if (done_) {
    return;
  }
  done_ = true;
  state_->stats.open_streams -= open_;
  open_ = 0;
  streams_.clear();
  if (timer_) {
    timer_->cancel();
  }
  boost::system::error_code ignored;
  socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

void h2_server_session::dispatch(std::int32_t stream_id) {
  if (goaway_sent_ && stream_id > goaway_last_id_) {
    // Above the GOAWAY's last_stream_id: promised unprocessed, so refuse it (RFC 9113 §6.8).
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  auto& st = streams_.at(stream_id);
  st.request.received = std::chrono::system_clock::now();
  ++state_->stats.requests;
  ++dispatched_;
  max_dispatched_id_ = std::max(max_dispatched_id_, stream_id);
  const auto& options = state_->options;
  if (options.goaway_after_streams != 0 && dispatched_ >= options.goaway_after_streams &&
      !goaway_sent_) {
    // Test knob: no stream opened after the highest one processed so far is processed on
    // this connection; the client must replay those elsewhere. Requests complete out of
    // stream order, so that highest id, not this request's, is the last_stream_id: a lower
    // one would tell the client that requests already processed were not (RFC 9113 §6.8),
    // and it would send them again.
    goaway_sent_ = true;
    goaway_last_id_ = max_dispatched_id_;
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, goaway_last_id_, NGHTTP2_NO_ERROR, nullptr,
                          0);
  }
  h2_responder responder(weak_from_this(), stream_id);
  if (options.response_delay.count() <= 0) {
    state_->handler(std::move(st.request), responder);
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(strand_, options.response_delay);
  timer->async_wait(
      [self = shared_from_this(), timer, stream_id, responder](boost::system::error_code ec) {
        auto it = self->streams_.find(stream_id);
        if (!ec && !self->done_ && it != self->streams_.end()) {
          self->state_->handler(std::move(it->second.request), responder);
        }
      });
}

void h2_server_session::respond(std::int32_t stream_id, int status, h2_headers headers,
                                std::string body) {
  boost::asio::post(strand_, [self = shared_from_this(), stream_id, status,
                              headers = std::move(headers), body = std::move(body)]() mutable {
    self->do_respond(stream_id, status, headers, std::move(body));
  });
}

void h2_server_session::do_respond(std::int32_t stream_id, int status, const h2_headers& headers,
                                   std::string body) {
  auto it = streams_.find(stream_id);
  if (done_ || it == streams_.end() || it->second.answered) {
    return; // Stream reset or connection gone: nobody to answer.
  }
  std::string status_text = std::to_string(status);
  static const std::string status_key = ":status", length_key = "content-length";
  std::string length = std::to_string(body.size());
  std::vector<nghttp2_nv> nva;
  nva.push_back(make_nv(status_key, status_text));
  nva.push_back(make_nv(length_key, length));
  for (const auto& [name, value] : headers) {
    if (name != length_key) {
      nva.push_back(make_nv(name, value));
    }
  }
  it->second.response_body = std::move(body);
  nghttp2_data_provider provider{};
  provider.read_callback = h2_server_callbacks::read_body;
  if (nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(),
                              it->second.response_body.empty() ? nullptr : &provider) != 0) {
    return;
  }
  it->second.answered = true;
  it->second.answered_at = std::chrono::steady_clock::now();
  release_window(stream_id, it->second);
  flush();
}

void h2_server_session::release_window(std::int32_t stream_id, stream& st) {
  if (st.unconsumed > 0) {
    nghttp2_session_consume(session_, stream_id, st.unconsumed);
    st.unconsumed = 0;
  }
}

void h2_server_session::shutdown() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->done_ || self->session_ == nullptr || self->goaway_sent_) {
      return;
    }
    self->goaway_sent_ = true;
    // RFC 9113 §6.8: every stream already begun is processed; new ones are ignored.
    self->goaway_last_id_ = nghttp2_session_get_last_proc_stream_id(self->session_);
    nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE, self->goaway_last_id_,
                          NGHTTP2_NO_ERROR, nullptr, 0);
    self->flush();
  });
}

void h2_server_session::abort() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->finish(); });
}

void h2_server_session::send_settings(std::uint32_t max_concurrent_streams) {
  boost::asio::post(strand_, [self = shared_from_this(), max_concurrent_streams] {
    if (self->done_ || self->session_ == nullptr) {
      return;
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_concurrent_streams}};
    nghttp2_submit_settings(self->session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    self->flush();
  });
}

} // namespace herald::transports
