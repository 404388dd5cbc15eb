#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "transports/h2_server.hpp"

namespace herald::bench {

/// Every request a mock provider (APNs, FCM, WNS) answered: accepted messages (in full, or
/// only their ids and arrival time), counters for the rest, token endpoint requests apart.
/// Threading: all members lock one mutex (h2 sessions and the admin port).
class message_log {
public:
  /// `name_field` names a message's id in `notifications_json` (`apns_id`, `name`).
  /// `keep_bodies` false keeps only token, ids and arrival time per message (benchmarks: a
  /// long run would otherwise hold every header and payload in memory).
  explicit message_log(std::string name_field = "name", bool keep_bodies = true)
      : name_field_(std::move(name_field)), keep_bodies_(keep_bodies) {}

  /// Records an accepted message for device `token` under its id `name`. `arrival_key` links
  /// it to the event it announces (APNs collapse id, FCM data.callId; `/arrivals`); a
  /// non-empty `duplicate_key` seen before for the same token counts a duplicate.
  void accept(const std::string& token, const std::string& name,
              const transports::h2_server_request& request, const std::string& arrival_key,
              const std::string& duplicate_key);
  /// Counts a refused send (fault, unregistered, unauthenticated, invalid) and its status.
  void reject(int status);
  /// Counts a token endpoint request and whether it issued a token.
  void token_request(bool issued);
  /// `{"accepted","rejected","duplicates","token_requests","tokens_issued","by_token":{..},
  /// "by_status":{..}}`; without `by_token` when `with_tokens` is false (cheap to poll).
  [[nodiscard]] std::string stats_json(bool with_tokens = true) const;
  /// JSON array of accepted messages (all, or those of one device token):
  /// `[{"token",<name_field>,"received_ms","received_us","headers":{..},"body":".."}]`.
  [[nodiscard]] std::string notifications_json(const std::string& token) const;
  /// One line per accepted message, `<arrival key or -> <token> <received_us>\n` (µs since
  /// the Unix epoch, CLOCK_REALTIME, when the request's last byte arrived): compact enough
  /// for herald-bench to fetch a million arrivals and match them to its events.
  [[nodiscard]] std::string arrivals_text() const;
  /// Forgets everything (admin `DELETE /notifications`).
  void clear();

private:
  struct record {
    std::string token, name, arrival_key;
    std::int64_t received_us = 0;
    transports::h2_headers headers;
    std::string body;
  };

  std::string name_field_;
  bool keep_bodies_ = true;
  mutable std::mutex mutex_;
  std::vector<record> records_;
  std::map<std::string, std::uint64_t> by_token_;
  std::map<int, std::uint64_t> by_status_;
  std::set<std::pair<std::string, std::string>> seen_; ///< (token, duplicate key) so far.
  std::uint64_t accepted_ = 0, rejected_ = 0, duplicates_ = 0;
  std::uint64_t token_requests_ = 0, tokens_issued_ = 0;
};

} // namespace herald::bench
