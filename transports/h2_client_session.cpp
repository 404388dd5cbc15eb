// nghttp2 glue of h2_client_connection: session setup, request submission, frame callbacks.
#include "transports/h2_client_connection.hpp"
#include "transports/h2_client_stream.hpp"

#include <boost/asio/post.hpp>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace herald::transports {

namespace {

/// A header field whose value nghttp2 reads in place: `value` (and `name` when `static_name`)
/// must live until the stream's HEADERS frame was sent or dropped (the stream owns it, or it
/// is static). Other names are copied: nghttp2 lower-cases them then (RFC 9113 §8.2.1).
nghttp2_nv make_nv(std::string_view name, std::string_view value, bool static_name = false) {
  std::uint8_t flags = NGHTTP2_NV_FLAG_NO_COPY_VALUE;
  if (static_name) {
    flags |= NGHTTP2_NV_FLAG_NO_COPY_NAME;
  }
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), flags};
}

} // namespace

/// Static nghttp2 callbacks; `user_data` is the connection. They look streams up by id in the
/// connection's map (never through nghttp2's stream user data), so a stream the connection
/// already dropped is simply ignored.
struct h2_client_callbacks {
  static h2_client_connection& conn(void* user_data) {
    return *static_cast<h2_client_connection*>(user_data);
  }
  static h2_client_connection::stream* find(void* user_data, std::int32_t id) {
    auto& streams = conn(user_data).streams_;
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : it->second.get();
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) {
      return 0;
    }
    auto* s = find(user_data, frame->hd.stream_id);
    if (s == nullptr) {
      return 0;
    }
    std::string key(reinterpret_cast<const char*>(name), namelen);
    std::string val(reinterpret_cast<const char*>(value), valuelen);
    if (key == ":status") {
      int status = std::atoi(val.c_str());
      if (status >= 200) { // 1xx are interim (RFC 9110 §15.2); wait for the final one.
        s->response.status = status;
        s->got_status = true;
        s->response.headers.clear();
      }
    } else if (frame->headers.cat == NGHTTP2_HCAT_RESPONSE || s->got_status) {
      s->response.headers.emplace_back(std::move(key), std::move(val));
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t len, void* user_data) {
    if (auto* s = find(user_data, stream_id)) {
      s->response.body.append(reinterpret_cast<const char*>(data), len);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& c = conn(user_data);
    switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
        c.on_settings();
      }
      break;
    case NGHTTP2_GOAWAY:
      c.goaway_received_ = true;
      c.goaway_last_id_ = frame->goaway.last_stream_id;
      if (c.state_ == h2_client_connection::state::ready) {
        c.state_ = h2_client_connection::state::draining;
      }
      c.budget_ = 0;
      if (c.events_.on_goaway) {
        c.events_.on_goaway(static_cast<std::uint32_t>(frame->goaway.last_stream_id));
      }
      break;
    case NGHTTP2_PING:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
        c.ping_outstanding_ = false;
      }
      break;
    default:
      break;
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* user_data) {
    conn(user_data).on_stream_closed(stream_id, error_code);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) {
      return 0;
    }
    if (auto* s = find(user_data, frame->hd.stream_id)) {
      s->headers_sent = true;
      s->request_ended = s->request_ended || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    }
    return 0;
  }

  static int on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int lib_error,
                               void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS) {
      conn(user_data).on_request_not_sent(frame->hd.stream_id, lib_error);
    }
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                           void* user_data) {
    auto* s = find(user_data, stream_id);
    if (s == nullptr) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // Dropped stream: reset it.
    }
    const auto& body = s->body();
    std::size_t n = std::min(length, body.size() - s->body_sent);
    std::memcpy(buf, body.data() + s->body_sent, n);
    s->body_sent += n;
    if (s->body_sent == body.size()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
  }
};

bool h2_client_connection::init_session() {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_header_callback(cbs, h2_client_callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs,
                                                            h2_client_callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2_client_callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2_client_callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, h2_client_callbacks::on_frame_send);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs,
                                                           h2_client_callbacks::on_frame_not_send);
  int rv = nghttp2_session_client_new(&session_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) {
    session_ = nullptr;
    fail_connection({h2_errc::protocol_error, nghttp2_strerror(rv), true});
    return false;
  }
  // Server push is useless to a push sender (RFC 9113 §6.5.2 SETTINGS_ENABLE_PUSH).
  // RFC 9218 §2.1: we never send RFC 7540 priorities. Saying so also switches nghttp2 to
  // its RFC 9218 scheduler, which sends request bodies in stream order: under the RFC 7540
  // one, a body split by an exhausted connection window waits behind every newer stream
  // and, under steady load, times out unsent.
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
                                             {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 4 << 20);
  return true;
}

void h2_client_connection::on_settings() {
  auto peer =
      nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  std::uint32_t budget = std::min(peer, options_.max_streams_cap);
  bool first = state_ == state::connecting;
  if (first) {
    state_ = state::ready;
    connect_timer_.cancel();
    arm_ping();
  }
  if (state_ == state::ready) {
    budget_ = budget;
  }
  if (first && events_.on_ready) {
    events_.on_ready();
  }
  if (events_.on_budget) {
    events_.on_budget(budget_);
  }
}

void h2_client_connection::do_submit(job j) {
  handler_once guard(std::move(j.done));
  if (state_ == state::closed || state_ == state::draining) {
    guard.fail({goaway_received_ ? h2_errc::goaway_unprocessed : h2_errc::closed,
                "connection is closing", true});
    return;
  }
  if (state_ != state::ready || streams_.size() >= budget_) {
    guard.fail({h2_errc::no_stream_slot, "no free stream slot", true});
    return;
  }
  j.done = guard.release();
  auto s = std::make_unique<stream>(std::move(j));
  const auto& request = *s->request;
  static const std::string method_key = ":method", scheme_key = ":scheme",
                           authority_key = ":authority", path_key = ":path",
                           length_key = "content-length";
  std::array<nghttp2_nv, 16> fixed{};
  std::vector<nghttp2_nv> spilled;
  std::size_t count = 0;
  auto add = [&](std::string_view name, std::string_view value, bool static_name = false) {
    auto nv = make_nv(name, value, static_name);
    if (count < fixed.size()) {
      fixed[count] = nv;
    } else {
      if (spilled.empty()) {
        spilled.assign(fixed.begin(), fixed.end());
      }
      spilled.push_back(nv);
    }
    ++count;
  };
  add(method_key, request.method, true);
  add(scheme_key, scheme_, true);
  add(authority_key, authority_, true);
  add(path_key, request.path, true);
  if (!request.body.empty() && request.header(length_key).empty()) {
    s->content_length = std::to_string(request.body.size());
    add(length_key, s->content_length, true);
  }
  for (const auto& [name, value] : request.headers) {
    add(name, value);
  }
  if (s->extra) {
    for (const auto& [name, value] : *s->extra) {
      add(name, value);
    }
  }
  nghttp2_data_provider provider{};
  provider.read_callback = h2_client_callbacks::read_body;
  std::int32_t id =
      nghttp2_submit_request(session_, nullptr, spilled.empty() ? fixed.data() : spilled.data(),
                             count, request.body.empty() ? nullptr : &provider, nullptr);
  if (id < 0) {
    // Stream ids exhausted (RFC 9113 §5.1.1) or similar: this connection is done.
    s->done.fail(
        {id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE ? h2_errc::closed : h2_errc::protocol_error,
         nghttp2_strerror(id), true});
    return;
  }
  s->id = id;
  watch(*s);
  streams_.emplace(id, std::move(s));
  update_counters();
}

void h2_client_connection::on_stream_closed(std::int32_t stream_id, std::uint32_t error_code) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) {
    return;
  }
  auto s = std::move(it->second);
  streams_.erase(it);
  update_counters();
  unwatch(*s);
  if (goaway_received_ && stream_id > goaway_last_id_) {
    // RFC 9113 §6.8: streams above last_stream_id were not processed.
    s->done.fail({h2_errc::goaway_unprocessed, "stream above GOAWAY last_stream_id", true});
  } else if (error_code == NGHTTP2_REFUSED_STREAM) {
    s->done.fail({h2_errc::refused_stream, "RST_STREAM REFUSED_STREAM", true});
  } else if (error_code == NGHTTP2_NO_ERROR && s->got_status) {
    s->done(std::move(s->response));
  } else {
    s->done.fail({h2_errc::stream_reset,
                  std::string("stream reset: ") + nghttp2_http2_strerror(error_code), false});
  }
  if (state_ == state::draining && streams_.empty()) {
    // May run inside nghttp2_session_mem_send, which must not be re-entered: flush later.
    // flush() then closes the drained connection.
    boost::asio::post(strand_, [self = shared_from_this()] { self->flush(); });
  }
}

void h2_client_connection::on_request_not_sent(std::int32_t stream_id, int lib_error) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) {
    return;
  }
  auto s = std::move(it->second);
  streams_.erase(it);
  update_counters();
  unwatch(*s);
  // The HEADERS never left: the peer cannot have processed anything.
  s->done.fail({goaway_received_ ? h2_errc::goaway_unprocessed : h2_errc::closed,
                std::string("request not sent: ") + nghttp2_strerror(lib_error), true});
}

void h2_client_connection::on_stream_timeout(std::int32_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || state_ == state::closed) {
    return;
  }
  auto& s = *it->second;
  // Where the stream stood tells a stalled peer from a request that never fully left.
  std::string detail = "no response within request_timeout (request ";
  detail += !s.headers_sent ? "not sent" : s.request_ended ? "sent" : "partly sent";
  detail += ", " + std::to_string(s.body_sent) + "/" + std::to_string(s.body().size()) +
            " body bytes, status " + (s.got_status ? "seen" : "not seen") + ", " +
            std::to_string(streams_.size()) + " streams open)";
  s.done.fail({h2_errc::timeout, std::move(detail), !s.got_status});
  // RFC 9113 §8.7: CANCEL tells the server we no longer want the response. The entry stays
  // until nghttp2 closes the stream, so the slot stays counted until the RST is sent.
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  flush();
}

} // namespace herald::transports
