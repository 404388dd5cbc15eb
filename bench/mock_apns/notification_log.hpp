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
  /// Records an accepted notification under `token` with its `apns-id`.
  void accept(const std::string& token, const std::string& apns_id,
              const transports::h2_server_request& request);
  /// Counts a rejected request and its status.
  void reject(int status);
  /// `{"accepted":N,"rejected":N,"duplicates":N,"by_token":{..},"by_status":{..}}`.
  [[nodiscard]] std::string stats_json() const;
  /// JSON array of recorded notifications (all, or those of one token):
  /// `[{"token","apns_id","received_ms","headers":{..},"body":".."}]`.
  [[nodiscard]] std::string notifications_json(const std::string& token) const;
  /// Forgets everything (admin `DELETE /notifications`).
  void clear();

private:
  struct record {
    std::string token, apns_id;
    std::int64_t received_ms = 0;
    transports::h2_headers headers;
    std::string body;
  };

  mutable std::mutex mutex_;
  std::vector<record> records_;
  std::map<std::string, std::uint64_t> by_token_;
  std::map<int, std::uint64_t> by_status_;
  std::set<std::string> seen_ids_;
  std::uint64_t accepted_ = 0, rejected_ = 0, duplicates_ = 0;
};

} // namespace herald::bench
