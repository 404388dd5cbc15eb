#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/herald_bench/population.hpp"
#include "protocol/provider_request.hpp"
#include "protocol/result.hpp"

namespace herald::bench {

/// Builds Event Grid batches of ACS IncomingCall events addressed to a population.
///
/// Event `seq` gets the id and correlationId `<run tag>-0000-4000-8000-<seq, 12 hex>`: Herald
/// puts the correlationId into `apns-collapse-id`, which lets herald-bench match each push the
/// mock recorded to the event (and so the send time) it came from. Each event carries a valid
/// incomingCallContext with a `cc` claim of realistic size (~1 KB, like the docs' sample).
/// Lifecycle: one per run. Threading: not thread-safe (owns a random generator).
class event_factory {
public:
  event_factory(const population& people, std::uint64_t seed);

  /// A JSON array of `count` events with sequence numbers first_seq…; the recipient
  /// identity index of each event is appended to `recipients`.
  [[nodiscard]] std::string batch(std::uint64_t first_seq, std::uint32_t count,
                                  std::chrono::system_clock::time_point now,
                                  std::vector<std::uint32_t>& recipients);

  /// The event id / correlationId of `seq`.
  [[nodiscard]] std::string event_id(std::uint64_t seq) const;
  /// Sequence number of a correlationId this run made, or nullopt (another run's, or junk).
  [[nodiscard]] std::optional<std::uint64_t> seq_of(std::string_view correlation_id) const;

  /// The VoIP payload Herald makes for event `seq` to identity `recipient` (same size and
  /// shape), for the h2load ceiling run.
  [[nodiscard]] std::string voip_body(std::uint64_t seq, std::uint32_t recipient) const;

  /// The FCM `messages:send` request Herald makes for event `seq` to FCM device `token` of
  /// identity `recipient` in `project` (no authorization header), for the FCM h2load run.
  [[nodiscard]] protocol::result<protocol::provider_request>
  fcm_request(std::uint64_t seq, std::uint32_t recipient, const std::string& token,
              const std::string& project) const;

private:
  const population& people_;
  std::string cc_;
  std::uint64_t random_state_;
  std::string context_;
};

} // namespace herald::bench
