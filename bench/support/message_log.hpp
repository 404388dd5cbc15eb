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

/// Every request a mock provider (FCM, WNS) answered: accepted messages in full, counters for
/// the rest, token endpoint requests apart. Threading: all members lock one mutex.
class message_log {
public:
  /// Records an accepted message for device `token` under its message `name`.
  void accept(const std::string& token, const std::string& name,
              const transports::h2_server_request& request);
  /// Counts a refused send (fault, unregistered, unauthenticated, invalid) and its status.
  void reject(int status);
  /// Counts a token endpoint request and whether it issued a token.
  void token_request(bool issued);
  /// `{"accepted","rejected","duplicates","token_requests","tokens_issued","by_token":{..},
  /// "by_status":{..}}`.
  [[nodiscard]] std::string stats_json() const;
  /// JSON array of accepted messages (all, or those of one device token):
  /// `[{"token","name","received_ms","headers":{..},"body":".."}]`.
  [[nodiscard]] std::string notifications_json(const std::string& token) const;
  /// Forgets everything (admin `DELETE /notifications`).
  void clear();

private:
  struct record {
    std::string token, name;
    std::int64_t received_ms = 0;
    transports::h2_headers headers;
    std::string body;
  };

  mutable std::mutex mutex_;
  std::vector<record> records_;
  std::map<std::string, std::uint64_t> by_token_;
  std::map<int, std::uint64_t> by_status_;
  std::set<std::pair<std::string, std::string>> seen_; ///< (token, body) accepted so far.
  std::uint64_t accepted_ = 0, rejected_ = 0, duplicates_ = 0;
  std::uint64_t token_requests_ = 0, tokens_issued_ = 0;
};

} // namespace herald::bench
