// Request timeouts of h2_client_connection: one timer for all streams. Every stream gets the
// same request_timeout, so submission order is deadline order: the streams that can still time
// out form a list, oldest first, and the timer waits for the oldest one's deadline.
#include "transports/h2_client_connection.hpp"
#include "transports/h2_client_stream.hpp"

namespace herald::transports {

void h2_client_connection::watch(stream& s) {
  s.deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  s.older = newest_;
  s.newer = nullptr;
  s.watched = true;
  if (newest_ != nullptr) {
    newest_->newer = &s;
  } else {
    oldest_ = &s;
  }
  newest_ = &s;
  arm_deadlines();
}

void h2_client_connection::unwatch(stream& s) noexcept {
  if (!s.watched) {
    return;
  }
  (s.older != nullptr ? s.older->newer : oldest_) = s.newer;
  (s.newer != nullptr ? s.newer->older : newest_) = s.older;
  s.older = s.newer = nullptr;
  s.watched = false;
}

void h2_client_connection::unwatch_all() noexcept {
  while (oldest_ != nullptr) {
    unwatch(*oldest_);
  }
}

void h2_client_connection::arm_deadlines() {
  if (deadline_armed_ || oldest_ == nullptr || state_ == state::closed) {
    return;
  }
  deadline_armed_ = true;
  deadline_timer_.expires_at(oldest_->deadline);
  deadline_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->deadline_armed_ = false;
    if (!ec && self->state_ != state::closed) {
      self->on_deadlines();
    }
  });
}

void h2_client_connection::on_deadlines() {
  auto now = std::chrono::steady_clock::now();
  // Each timeout may flush, and a flush may close (and unwatch) other streams: re-read the
  // list's head every time.
  while (oldest_ != nullptr && oldest_->deadline <= now && state_ != state::closed) {
    auto& s = *oldest_;
    unwatch(s);
    on_stream_timeout(s.id);
  }
  arm_deadlines();
}

} // namespace herald::transports
