#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "app/config_env.hpp"
#include "app/config_error.hpp"
#include "app/config_secret.hpp"
#include "protocol/servicebus.hpp"

namespace herald::app {

/// `[[servicebus]]`: one AMQP 1.0 queue Herald consumes (Azure Service Bus, or any AMQP 1.0
/// broker such as RabbitMQ with its `rabbitmq_amqp1_0` plugin).
struct servicebus_config {
  /// Azure Service Bus connection string (`Endpoint=sb://…;SharedAccessKeyName=…;`
  /// `SharedAccessKey=…[;EntityPath=…]`): amqps to the namespace, CBS with a SAS token.
  secret connection_string;
  /// Or a broker URL, `amqp://host[:port]` or `amqps://host[:port]`.
  std::string url;
  /// The queue (AMQP address); defaults to the connection string's `EntityPath`.
  std::string queue;
  std::string user; ///< SASL PLAIN user (with `url`); empty: SASL ANONYMOUS.
  secret password;
  std::filesystem::path ca_file; ///< PEM roots for amqps; empty: the system's.
  std::int64_t credit = 200;     ///< Most unsettled messages plus link credit, 1..10000.
  /// A message whose outcome takes longer is released for redelivery; nullopt ("never"): no
  /// limit. Below the queue's lock duration (Service Bus default 60 s).
  std::optional<std::chrono::milliseconds> settle_timeout = std::chrono::seconds(30);
  /// Parsed `connection_string` (filled by the loader).
  std::optional<protocol::servicebus_connection> parsed;

  /// The URL actually dialled: `url`, or `amqps://<namespace host>:5671`.
  [[nodiscard]] std::string broker_url() const;
};

/// Reads the `[[servicebus]]` array (`node` may be null) with its `HERALD_SERVICEBUS_<i>_…`
/// overrides (`i` the 0-based index); internal to the config loader. Fails naming the key:
/// neither or both of `connection_string` / `url`, a bad connection string (the part at fault,
/// never the key), a bad URL scheme, a missing queue.
[[nodiscard]] config_result<std::vector<servicebus_config>>
read_servicebus(const toml::node* node, const config_env& env,
                std::set<std::string, std::less<>>& seen_env);

} // namespace herald::app
