#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/herald_bench/bench_options.hpp"
#include "bench/herald_bench/event_factory.hpp"
#include "bench/herald_bench/http_driver.hpp"
#include "bench/herald_bench/population.hpp"

namespace herald::bench {

/// Counters of the event phase.
struct load_counters {
  std::uint64_t batches_sent = 0;   ///< POSTs written (retries included).
  std::uint64_t events_sent = 0;    ///< Distinct events generated and sent at least once.
  std::uint64_t events_acked = 0;   ///< Events in batches answered 2xx.
  std::uint64_t events_refused = 0; ///< Events in batches answered 429 / 503 (then retried).
  std::uint64_t events_failed = 0;  ///< Events in batches answered otherwise, or unreachable.
  /// Events whose batch was still refused (429 / 503) at its last attempt: never accepted,
  /// so not lost (Event Grid would dead-letter them); the overload scenario's excess.
  std::uint64_t events_given_up = 0;
  std::uint64_t retries = 0; ///< Batches sent again (refusal or transport failure).
  std::uint64_t transport_errors = 0;
  std::uint64_t pushes_expected = 0;     ///< Sum of the acked events' recipients' devices.
  std::uint64_t pushes_expected_fcm = 0; ///< Of those, to FCM devices.
};

/// What the webhook answered during one second of the event phase.
struct load_second {
  std::uint64_t acked = 0;          ///< Events in batches answered 2xx during this second.
  std::uint64_t refused = 0;        ///< Events in batches answered 429 / 503.
  std::vector<std::int64_t> ack_us; ///< Ack latency of each 2xx batch answered, µs.
};

/// The event phase: decides which Event Grid batch each webhook connection sends next, when
/// (closed loop: at once, but a refused batch goes again before any new one; open loop: at
/// `rate` events/s from the start whatever was refused), and books the
/// answers — acks, refusals (resent after Retry-After, as Event Grid does), failures.
/// Lifecycle: construct, hand `next` / `done` to an http_driver, run it, read the results.
/// Threading: the driver's io_context thread only.
class load_run {
public:
  load_run(const bench_options& options, const population& people, event_factory& events);

  /// The driver's "what next?" callback.
  [[nodiscard]] http_next next();
  /// The driver's "this job ended" callback.
  void done(const http_job& job, const http_outcome& outcome);

  [[nodiscard]] const load_counters& counters() const noexcept { return counters_; }
  /// Ack latency of each 2xx batch, µs.
  [[nodiscard]] const std::vector<std::int64_t>& ack_us() const noexcept { return ack_us_; }
  /// CLOCK_REALTIME µs at which event `seq`'s accepted batch was sent (0: never acked).
  [[nodiscard]] const std::vector<std::int64_t>& sent_us() const noexcept { return sent_us_; }
  /// Recipient identity index of event `seq`.
  [[nodiscard]] const std::vector<std::uint32_t>& recipients() const noexcept {
    return recipients_;
  }
  /// Answers bucketed by second since the first send (index 0 = first second).
  [[nodiscard]] const std::vector<load_second>& per_second() const noexcept { return seconds_; }
  /// CLOCK_REALTIME µs of the first send (0 before it).
  [[nodiscard]] std::int64_t start_us() const noexcept { return start_us_; }
  /// Counts every batch still unanswered or waiting for a retry as failed (the driver gave
  /// up: its connection is gone).
  void abandon();
  /// True once no batch is left to send, retry or wait for.
  [[nodiscard]] bool finished() const;
  /// Seconds from the first send to the last answer.
  [[nodiscard]] double elapsed_s() const;

private:
  struct batch {
    std::uint64_t first_seq = 0;
    std::uint32_t count = 0;
    std::string body;
    std::uint32_t attempts = 0;
  };
  struct retry {
    std::chrono::steady_clock::time_point at;
    std::uint64_t tag;
  };

  [[nodiscard]] http_job job_for(std::uint64_t tag);
  [[nodiscard]] bool more_new_batches(std::chrono::steady_clock::time_point now) const;
  /// The bucket of the current second (`last_answer_`), created on demand.
  [[nodiscard]] load_second& this_second();

  const bench_options& options_;
  const population& people_;
  event_factory& events_;
  std::string target_;
  bool single_events_; ///< `--via amqp|direct`: batches of one event, no array.
  std::chrono::steady_clock::time_point start_, last_answer_;
  bool started_ = false;
  std::uint64_t next_seq_ = 0, next_tag_ = 0;
  std::unordered_map<std::uint64_t, batch> batches_;
  std::deque<retry> retries_;
  load_counters counters_;
  std::vector<std::int64_t> ack_us_, sent_us_;
  std::vector<std::uint32_t> recipients_;
  std::vector<load_second> seconds_;
  std::int64_t start_us_ = 0;
};

} // namespace herald::bench
