// The limits of an `h2_server_session`: answers that refuse a stream (413/431/408), the
// read/idle timer and the rapid-reset guard.
#include "transports/h2_server_session.hpp"

#include <algorithm>
#include <vector>

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include "transports/http_response.hpp"

namespace herald::transports {

void h2_server_session::reject(std::int32_t stream_id, int status, const std::string& title,
                               const std::string& detail) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || it->second.rejected) {
    return;
  }
  it->second.rejected = true;
  auto problem = http_response::problem(status, title, detail);
  // Sent before the request ended: nghttp2 then resets the stream with NO_ERROR once the
  // answer is out, telling the client to stop sending (RFC 9113 section 8.1).
  do_respond(stream_id, status, problem.headers, std::move(problem.body));
}

void h2_server_session::on_client_reset() {
  const auto& options = state_->options;
  if (options.max_client_resets == 0 || goaway_sent_) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  client_resets_.push_back(now);
  while (!client_resets_.empty() && now - client_resets_.front() > options.reset_window) {
    client_resets_.pop_front();
  }
  if (client_resets_.size() > options.max_client_resets) {
    // Rapid reset (CVE-2023-44487): streams opened and cancelled at once cost the server
    // work without counting toward MAX_CONCURRENT_STREAMS. RFC 9113 section 5.4.1.
    spdlog::warn("h2: {} reset {} streams within {} ms; closing with ENHANCE_YOUR_CALM", remote_,
                 client_resets_.size(), options.reset_window.count());
    ++state_->stats.calm_goaways;
    goaway_sent_ = true;
    nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  }
}

bool h2_server_session::write_stalled(std::chrono::steady_clock::time_point now) const {
  const auto limit = state_->options.write_timeout;
  if (limit.count() <= 0) {
    return false;
  }
  if (writing_ && now - write_started_ > limit) {
    return true; // The socket does not drain: the peer stopped reading.
  }
  // Submitted but not sent in full: the peer keeps its flow-control window shut.
  return std::any_of(streams_.begin(), streams_.end(), [&](const auto& entry) {
    return entry.second.answered && now - entry.second.answered_at > limit;
  });
}

void h2_server_session::arm_timer() {
  using std::chrono::milliseconds;
  const auto& options = state_->options;
  milliseconds shortest{0};
  for (auto t : {options.read_timeout, options.idle_timeout, options.write_timeout}) {
    if (t.count() > 0 && (shortest.count() == 0 || t < shortest)) {
      shortest = t;
    }
  }
  if (shortest.count() == 0 || done_ || lingering_) {
    return;
  }
  if (!timer_) {
    timer_.emplace(strand_);
  }
  // Checked a few times per timeout: one timer per connection, not one per stream.
  timer_->expires_after(std::max(milliseconds{20}, shortest / 4));
  timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    // While lingering, the timer holds `linger`'s deadline instead: leave it alone.
    if (!ec && !self->done_ && !self->lingering_) {
      self->on_timer();
    }
  });
}

void h2_server_session::on_timer() {
  const auto& options = state_->options;
  auto now = std::chrono::steady_clock::now();
  if (write_stalled(now)) {
    spdlog::warn("h2: {} did not take a response within {} ms; closing", remote_,
                 options.write_timeout.count());
    finish();
    return;
  }
  if (session_ == nullptr) {
    if (options.read_timeout.count() > 0 && now - started_ > options.read_timeout) {
      finish(); // TLS handshake still unfinished.
      return;
    }
  } else if (streams_.empty()) {
    if (options.idle_timeout.count() > 0 && now - last_read_ > options.idle_timeout &&
        !goaway_sent_) {
      goaway_sent_ = true;
      nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
      flush();
    }
  } else if (options.read_timeout.count() > 0) {
    std::vector<std::int32_t> slow;
    for (const auto& [id, st] : streams_) {
      if (!st.complete && !st.rejected && now - st.began > options.read_timeout) {
        slow.push_back(id);
      }
    }
    for (auto id : slow) {
      reject(id, 408, "Request Timeout",
             "the request did not arrive within " + std::to_string(options.read_timeout.count()) +
                 " ms");
    }
  }
  arm_timer();
}

} // namespace herald::transports
