#include "app/config_servicebus.hpp"

#include "app/config_reader.hpp"

namespace herald::app {
namespace {

config_result<std::string> parse_amqp_url(std::string_view s) {
  const auto sep = s.find("://");
  const auto scheme = sep == std::string_view::npos ? std::string_view{} : s.substr(0, sep);
  if (scheme != "amqp" && scheme != "amqps") {
    return config_failure("", "expected amqp://host[:port] or amqps://host[:port], got \"" +
                                  std::string(s) + "\"");
  }
  const auto rest = s.substr(sep + 3);
  if (rest.empty() || rest.front() == ':' || rest.find_first_of("/?#@") != std::string_view::npos) {
    return config_failure("", "expected a host and optional port only (no path, user or query), "
                              "got \"" +
                                  std::string(s) + "\"");
  }
  return std::string(s);
}

config_result<servicebus_config> read_one(const toml::table& t, const std::string& path,
                                          const config_env& env,
                                          std::set<std::string, std::less<>>& seen, std::size_t i) {
  config_reader r(&t, path, "HERALD_SERVICEBUS_" + std::to_string(i) + "_", env, seen);
  HERALD_CONFIG_TRY(r.only_keys({"connection_string", "url", "queue", "user", "password", "ca_file",
                                 "credit", "settle_timeout"}));
  servicebus_config out;
  HERALD_CONFIG_TRY(r.text("connection_string", out.connection_string));
  HERALD_CONFIG_TRY(r.parsed("url", out.url, parse_amqp_url));
  HERALD_CONFIG_TRY(r.text("queue", out.queue));
  HERALD_CONFIG_TRY(r.text("user", out.user));
  HERALD_CONFIG_TRY(r.text("password", out.password));
  HERALD_CONFIG_TRY(r.path("ca_file", out.ca_file));
  HERALD_CONFIG_TRY(r.integer("credit", 1, 10'000, out.credit));
  HERALD_CONFIG_TRY(
      r.duration_or_never("settle_timeout", std::chrono::milliseconds(100), out.settle_timeout));
  if (out.connection_string.empty() == out.url.empty()) {
    return config_failure(path, "set exactly one of connection_string (Azure Service Bus) and url "
                                "(another AMQP 1.0 broker)");
  }
  if (!out.connection_string.empty()) {
    auto parsed = protocol::parse_servicebus_connection(out.connection_string.reveal());
    if (!parsed) {
      return config_failure(r.key_path("connection_string"), parsed.error().describe());
    }
    if (!out.user.empty() || !out.password.empty()) {
      return config_failure(r.key_path("user"),
                            "not used with a connection string (it authenticates with SAS)");
    }
    if (out.queue.empty()) {
      out.queue = parsed.value().entity_path;
    }
    out.parsed = std::move(parsed).value();
  }
  if (out.queue.empty()) {
    return config_failure(r.key_path("queue"),
                          "required (or EntityPath in the connection string); set it in the "
                          "file or in " +
                              r.env_name("queue"));
  }
  if (out.user.empty() != out.password.empty()) {
    return config_failure(r.key_path(out.user.empty() ? "user" : "password"),
                          "user and password go together (SASL PLAIN)");
  }
  return out;
}

} // namespace

std::string servicebus_config::broker_url() const {
  if (parsed) {
    return "amqps://" + parsed->host + ":5671";
  }
  return url;
}

config_result<std::vector<servicebus_config>>
read_servicebus(const toml::node* node, const config_env& env,
                std::set<std::string, std::less<>>& seen_env) {
  std::vector<servicebus_config> out;
  if (node == nullptr) {
    return out;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    return config_failure("servicebus",
                          "expected an array of tables ([[servicebus]]), got " +
                              std::string(type_name(*node)),
                          line_of(*node));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto path = "servicebus[" + std::to_string(i) + "]";
    const auto* t = array->get(i)->as_table();
    if (t == nullptr) {
      return config_failure(path, "expected a table ([[servicebus]])", line_of(*array->get(i)));
    }
    auto one = read_one(*t, path, env, seen_env, i);
    HERALD_CONFIG_TRY(one);
    out.push_back(std::move(one).value());
  }
  return out;
}

} // namespace herald::app
