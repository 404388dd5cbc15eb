#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/herald_fixture.hpp"
#include "tests/support/amqp_client.hpp"
#include "tests/support/rabbitmq_server.hpp"

namespace herald::test {

/// Variations of `servicebus_fixture`.
struct servicebus_fixture_options {
  std::string queue;             ///< A queue the broker declared (dead-lettering to `.dlq`).
  std::string servicebus_config; ///< More keys for the `[[servicebus]]` table.
  std::string extra_config;      ///< More TOML after it (e.g. an `[ingest]` table).
  std::uint32_t mock_latency_ms = 0;
  std::vector<std::string> mock_args; ///< More mock APNs arguments.
  std::size_t devices = 4;            ///< Identities, one APNs VoIP device each.
};

/// Options consuming `queue` with `servicebus_config` added to its `[[servicebus]]` table.
[[nodiscard]] servicebus_fixture_options consuming(const std::string& queue,
                                                   const std::string& servicebus_config = {});

/// What the mock APNs received for events made by `servicebus_fixture::events`.
struct arrival_tally {
  std::size_t distinct = 0; ///< Events pushed at least once.
  std::size_t repeats = 0;  ///< Pushes beyond the first of an event.
  std::size_t foreign = 0;  ///< Arrivals not matching any event of the run.
};

/// `herald serve` consuming one queue of a RabbitMQ broker (the test's, shared by its cases)
/// and pushing to a mock APNs, with `devices` VoIP devices registered. Events are ACS
/// IncomingCall events, one per message, addressed round-robin to the devices' identities;
/// event `i` has id and correlationId `00000000-0000-4000-8000-<i, 12 digits>`, which Herald
/// copies into `apns-collapse-id`: the mock's arrivals tell which events were pushed how often.
/// Lifecycle: per test case; the destructor stops every process by PID. Not thread-safe.
class servicebus_fixture {
public:
  servicebus_fixture(rabbitmq_server& broker, servicebus_fixture_options options);

  rabbitmq_server& broker;
  servicebus_fixture_options options;
  herald_fixture node;
  /// A second `herald serve` on the same queue and mock (see `start_second_herald`).
  std::unique_ptr<child_process> second;
  std::uint16_t second_http_port = 0;
  std::uint16_t second_metrics_port = 0;

  /// The queue's AMQP address.
  [[nodiscard]] std::string address() const;
  /// Registers the devices at the Herald listening on `http_port`.
  void register_devices(std::uint16_t http_port);
  /// Messages carrying events `first` … `first + count - 1`, with Event Grid's `aeg-*`
  /// application properties.
  [[nodiscard]] std::vector<amqp_test_message> events(std::size_t first, std::size_t count) const;
  /// Publishes `events(first, count)` to the queue.
  void publish(std::size_t first, std::size_t count);
  /// Counts the mock's arrivals for events `0` … `count - 1`.
  [[nodiscard]] arrival_tally arrivals(std::size_t count);
  /// How often the mock received each of events `0` … `count - 1`.
  [[nodiscard]] std::vector<std::size_t> pushed(std::size_t count);
  /// Waits until events `0` … `count - 1` were all pushed, up to `timeout`.
  [[nodiscard]] bool wait_all_pushed(std::size_t count, std::chrono::milliseconds timeout);
  /// Starts another Herald (own data dir, same config otherwise) and registers the devices.
  void start_second_herald();
  /// A sample of the second Herald's /metrics (as `herald_fixture::metric`), -1 when absent.
  [[nodiscard]] double second_metric(const std::string& series);
  /// `series` with the queue label of this fixture: `name{queue="/queue/q"}`, or with an
  /// outcome: `name{outcome="accepted",queue="/queue/q"}`.
  [[nodiscard]] std::string series(const std::string& name, const std::string& outcome = {}) const;

  /// The identity and device token of device `k`.
  [[nodiscard]] static std::string identity(std::size_t k);
  [[nodiscard]] static std::string token(std::size_t k);
  /// The event id (and correlationId) of event `i`.
  [[nodiscard]] static std::string event_id(std::size_t i);

private:
  /// Arrivals per event `0` … `count - 1`, and the number of other arrivals.
  [[nodiscard]] std::pair<std::vector<std::size_t>, std::size_t> tally(std::size_t count);
};

} // namespace herald::test
