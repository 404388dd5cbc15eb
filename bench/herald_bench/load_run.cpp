#include "bench/herald_bench/load_run.hpp"

#include <algorithm>

namespace herald::bench {

namespace {

/// A batch refused or lost this many times is given up (counted failed, not expected).
constexpr std::uint32_t max_attempts = 30;

} // namespace

load_run::load_run(const bench_options& options, const population& people, event_factory& events)
    : options_(options), people_(people), events_(events), target_("/api/events"),
      single_events_(options.via != "webhook") {}

bool load_run::more_new_batches(std::chrono::steady_clock::time_point now) const {
  if (options_.events > 0) {
    return next_seq_ < options_.events;
  }
  return now - start_ < std::chrono::duration<double>(options_.duration_s);
}

load_second& load_run::this_second() {
  const auto index = static_cast<std::size_t>(
      std::chrono::duration_cast<std::chrono::seconds>(last_answer_ - start_).count());
  if (seconds_.size() <= index) {
    seconds_.resize(index + 1);
  }
  return seconds_[index];
}

http_job load_run::job_for(std::uint64_t tag) {
  auto& b = batches_.at(tag);
  ++b.attempts;
  ++counters_.batches_sent;
  // AMQP / direct: one event per job, its id (the message id) carried in `target`.
  return http_job{"POST", single_events_ ? events_.event_id(b.first_seq) : target_, b.body, tag};
}

http_next load_run::next() {
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    started_ = true;
    start_ = last_answer_ = now;
    start_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  }
  if (!retries_.empty() && retries_.front().at <= now) {
    auto tag = retries_.front().tag;
    retries_.pop_front();
    ++counters_.retries;
    return job_for(tag);
  }
  if (options_.rate <= 0 && !retries_.empty()) {
    // Closed loop: "as fast as accepted" — refused batches first, so that the load backs off
    // as Event Grid does instead of burying its retries under new batches.
    return http_wait{retries_.front().at};
  }
  if (more_new_batches(now)) {
    if (options_.rate > 0) {
      // Open loop: batch k leaves at start + k·B/rate whatever the answers do; a late one
      // (every connection busy) leaves as soon as a connection is free.
      const auto due =
          start_ +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(static_cast<double>(next_seq_) / options_.rate));
      if (due > now) {
        auto until = retries_.empty() ? due : std::min(due, retries_.front().at);
        return http_wait{until};
      }
    }
    std::uint32_t count = options_.batch;
    if (options_.events > 0) {
      count =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(count, options_.events - next_seq_));
    }
    const auto tag = next_tag_++;
    batch b;
    b.first_seq = next_seq_;
    b.count = count;
    b.body = events_.batch(next_seq_, count, std::chrono::system_clock::now(), recipients_);
    if (single_events_) {
      // Event Grid's Service Bus handler sends the event itself, not an array of one.
      b.body = b.body.substr(1, b.body.size() - 2);
    }
    next_seq_ += count;
    counters_.events_sent += count;
    sent_us_.resize(next_seq_, 0);
    batches_.emplace(tag, std::move(b));
    return job_for(tag);
  }
  if (!retries_.empty()) {
    return http_wait{retries_.front().at};
  }
  return http_finished{};
}

void load_run::done(const http_job& job, const http_outcome& outcome) {
  last_answer_ = std::chrono::steady_clock::now();
  auto it = batches_.find(job.tag);
  if (it == batches_.end()) {
    return;
  }
  auto& b = it->second;
  const bool refused = outcome.status == 429 || outcome.status == 503;
  if (outcome.status >= 200 && outcome.status < 300) {
    counters_.events_acked += b.count;
    ack_us_.push_back(outcome.ack.count());
    auto& second = this_second();
    second.acked += b.count;
    second.ack_us.push_back(outcome.ack.count());
    const auto sent =
        std::chrono::duration_cast<std::chrono::microseconds>(outcome.sent.time_since_epoch())
            .count();
    for (std::uint32_t i = 0; i < b.count; ++i) {
      const auto seq = b.first_seq + i;
      sent_us_[seq] = sent;
      for (const auto& device : people_.identities()[recipients_[seq]].devices) {
        ++counters_.pushes_expected;
        counters_.pushes_expected_fcm += population::is_fcm_token(device.token) ? 1 : 0;
      }
    }
    batches_.erase(it);
    return;
  }
  if ((refused || outcome.status == 0) && b.attempts < max_attempts) {
    if (refused) {
      counters_.events_refused += b.count;
      this_second().refused += b.count;
    } else {
      ++counters_.transport_errors;
    }
    // Event Grid honours Retry-After; without one, back off briefly rather than spin.
    const auto delay = outcome.retry_after_s > 0
                           ? std::chrono::milliseconds(1000 * std::min(outcome.retry_after_s, 5))
                           : std::chrono::milliseconds(100);
    retries_.push_back({last_answer_ + delay, job.tag});
    std::stable_sort(retries_.begin(), retries_.end(),
                     [](const retry& a, const retry& b2) { return a.at < b2.at; });
    return;
  }
  if (refused) {
    counters_.events_refused += b.count;
    this_second().refused += b.count;
    counters_.events_given_up += b.count;
  } else {
    counters_.events_failed += b.count;
  }
  batches_.erase(it);
}

void load_run::abandon() {
  for (const auto& [tag, b] : batches_) {
    counters_.events_failed += b.count;
  }
  batches_.clear();
  retries_.clear();
}

bool load_run::finished() const {
  return started_ && batches_.empty() && !more_new_batches(std::chrono::steady_clock::now());
}

double load_run::elapsed_s() const {
  return std::chrono::duration<double>(last_answer_ - start_).count();
}

} // namespace herald::bench
