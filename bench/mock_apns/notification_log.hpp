#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "transports/h2_server.hpp"

namespace herald::bench {

/// Every request the mock APNs answered: accepted notifications in full, counters for the rest.
/// Threading: all members lock one mutex (the h2 sessions and the admin port may run on
/// different strands).
class notification_log {
public:
  /// `keep_bodies` false keeps only token, ids and arrival time per notification (benchmarks:
  /// a long run would otherwise hold every header and payload in memory).
  explicit notification_log(bool keep_bodies = true) : keep_bodies_(keep_bodies) {}

  /// Records an accepted notification under `token` with its `apns-id`.
  void accept(const std::string& token, const std::string& apns_id,
              const transports::h2_server_request& request);
  /// Counts a rejected request and its status.
  void reject(int status);
  /// `{"accepted":N,"rejected":N,"duplicates":N,"by_token":{..},"by_status":{..}}`;
  /// without `by_token` when `with_tokens` is false (cheap enough to poll during a benchmark).
  [[nodiscard]] std::string stats_json(bool with_tokens = true) const;
  /// JSON array of recorded notifications (all, or those of one token):
  /// `[{"token","apns_id","received_ms","headers":{..},"body":".."}]`.
  [[nodiscard]] std::string notifications_json(const std::string& token) const;
  /// One line per recorded notification, `<apns-collapse-id> <token> <received_us>\n` (microseconds
  /// since the Unix epoch, CLOCK_REALTIME): compact enough for herald-bench to fetch a
  /// million arrivals and match them to the events it sent.
  [[nodiscard]] std::string arrivals_text() const;
  /// Forgets everything (admin `DELETE /notifications`).
  void clear();

private:
  struct record {
    std::string token, apns_id, collapse_id;
    std::int64_t received_us = 0;
    transports::h2_headers headers;
    std::string body;
  };

  bool keep_bodies_ = true;
  mutable std::mutex mutex_;
  std::vector<record> records_;
  std::map<std::string, std::uint64_t> by_token_;
  std::map<int, std::uint64_t> by_status_;
  std::set<std::string> seen_ids_;
  std::uint64_t accepted_ = 0, rejected_ = 0, duplicates_ = 0;
};

} // namespace herald::bench
