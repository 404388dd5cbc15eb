#include "app/config.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

namespace app = herald::app;

namespace {

app::config_result<app::config> parse(const std::string& text, app::config_env env = {}) {
  return app::parse_config("[node]\ndev = true\n" + text, env, "test.toml");
}

std::string error_of(const std::string& text) {
  auto uut = parse(text);
  BOOST_TEST_REQUIRE(!uut.has_value(), "expected an error for:\n" << text);
  return uut.error().describe();
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_servicebus)

BOOST_AUTO_TEST_CASE(reads_a_broker_url_queue_and_login) {
  auto uut = parse(R"(
[[servicebus]]
url = "amqp://127.0.0.1:5672"
queue = "/queue/events"
user = "guest"
password = "guest"
credit = 50
settle_timeout = "45s"
)");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST_REQUIRE(uut.value().servicebus.size() == 1u);
  const auto& sb = uut.value().servicebus[0];
  BOOST_TEST(sb.broker_url() == "amqp://127.0.0.1:5672");
  BOOST_TEST(sb.queue == "/queue/events");
  BOOST_TEST(sb.user == "guest");
  BOOST_TEST(sb.password.reveal() == "guest");
  BOOST_TEST(sb.credit == 50);
  BOOST_TEST((sb.settle_timeout == std::chrono::milliseconds(45000)));
  BOOST_TEST(!sb.parsed.has_value());
}

BOOST_AUTO_TEST_CASE(takes_the_queue_from_the_connection_string) {
  auto uut = parse(R"(
[[servicebus]]
connection_string = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=k;EntityPath=acs"
)");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& sb = uut.value().servicebus.at(0);
  BOOST_TEST(sb.queue == "acs");
  BOOST_TEST(sb.broker_url() == "amqps://ns.servicebus.windows.net:5671");
  BOOST_TEST((sb.settle_timeout == std::chrono::milliseconds(30000)));
  BOOST_TEST_REQUIRE(sb.parsed.has_value());
  BOOST_TEST(sb.parsed->key_name == "listen");
}

BOOST_AUTO_TEST_CASE(names_the_bad_part_of_a_connection_string_without_the_key) {
  auto why = error_of(R"(
[[servicebus]]
connection_string = "Endpoint=https://ns/;SharedAccessKeyName=r;SharedAccessKey=SECRETKEY"
queue = "q"
)");
  BOOST_TEST(why.find("servicebus[0].connection_string") != std::string::npos, why);
  BOOST_TEST(why.find("Endpoint") != std::string::npos, why);
  BOOST_TEST(why.find("SECRETKEY") == std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(refuses_both_or_neither_source_and_a_missing_queue) {
  BOOST_TEST(error_of("[[servicebus]]\nqueue = \"q\"\n").find("exactly one") != std::string::npos);
  BOOST_TEST(error_of("[[servicebus]]\nurl = \"amqp://h\"\n").find("servicebus[0].queue") !=
             std::string::npos);
  BOOST_TEST(
      error_of("[[servicebus]]\nurl = \"http://h\"\nqueue = \"q\"\n").find("servicebus[0].url") !=
      std::string::npos);
  BOOST_TEST(error_of("[[servicebus]]\nurl = \"amqp://h\"\nqueue = \"q\"\nuser = \"u\"\n")
                 .find("servicebus[0].password") != std::string::npos);
  BOOST_TEST(error_of("[[servicebus]]\nurl = \"amqp://h\"\nqueue = \"q\"\ncredits = 1\n")
                 .find("credits") != std::string::npos);
  BOOST_TEST(
      error_of("[[servicebus]]\nurl = \"amqp://h\"\nqueue = \"q\"\nsettle_timeout = \"1ms\"\n")
          .find("servicebus[0].settle_timeout") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(environment_overrides_by_index) {
  app::config_env env;
  env.vars["HERALD_SERVICEBUS_0_QUEUE"] = "/queue/other";
  auto uut = parse("[[servicebus]]\nurl = \"amqp://h\"\nqueue = \"q\"\n", env);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST(uut.value().servicebus.at(0).queue == "/queue/other");
}

BOOST_AUTO_TEST_SUITE_END()
