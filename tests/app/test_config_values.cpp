#include "app/config_duration.hpp"
#include "app/config_endpoint.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace app = herald::app;

BOOST_AUTO_TEST_SUITE(config_values)

BOOST_AUTO_TEST_CASE(durations_parse_every_unit) {
  const std::vector<std::pair<std::string, long long>> examples = {
      {"250ms", 250},       {"30s", 30'000},          {"5m", 300'000},
      {"24h", 86'400'000},  {"180d", 15'552'000'000}, {"0s", 0},
      {"1h30m", 5'400'000}, {"1m500ms", 60'500},      {"007s", 7'000},
  };
  for (const auto& [text, millis] : examples) {
    auto uut = app::parse_duration(text);
    BOOST_TEST_REQUIRE(uut.has_value(), text);
    BOOST_TEST(uut.value().count() == millis, text);
  }
}

BOOST_AUTO_TEST_CASE(durations_without_a_known_unit_are_rejected) {
  for (const std::string text :
       {"", "30", "s", "-5s", "5 s", "5sec", "1.5h", "5S", "1h30", "10y", " 5s", "5s ", "ms"}) {
    auto uut = app::parse_duration(text);
    BOOST_TEST(!uut.has_value(), "accepted \"" << text << "\"");
    if (!uut) {
      BOOST_TEST(uut.error().key.empty());
      BOOST_TEST(!uut.error().message.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(durations_that_overflow_are_rejected) {
  BOOST_TEST(!app::parse_duration("9223372036854775808ms").has_value());
  BOOST_TEST(!app::parse_duration("106751991168d").has_value());
  BOOST_TEST(app::parse_duration("106751991167d").has_value());
  BOOST_TEST(!app::parse_duration("9223372036854775807ms1ms").has_value());
  BOOST_TEST(app::parse_duration("9223372036854775807ms").has_value());
}

BOOST_AUTO_TEST_CASE(durations_format_in_the_largest_exact_unit) {
  using std::chrono::milliseconds;
  BOOST_TEST(app::format_duration(milliseconds(15'552'000'000)) == "180d");
  BOOST_TEST(app::format_duration(milliseconds(90'000)) == "90s");
  BOOST_TEST(app::format_duration(milliseconds(250)) == "250ms");
  BOOST_TEST(app::format_duration(milliseconds(0)) == "0ms");
  for (const std::string text : {"180d", "5m", "24h", "1500ms"}) {
    BOOST_TEST(
        app::parse_duration(app::format_duration(app::parse_duration(text).value())).value() ==
        app::parse_duration(text).value());
  }
}

BOOST_AUTO_TEST_CASE(endpoints_split_into_scheme_host_port_and_path) {
  auto uut = app::parse_endpoint("https://api.push.apple.com:443");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().scheme == "https");
  BOOST_TEST(uut.value().tls());
  BOOST_TEST(uut.value().host == "api.push.apple.com");
  BOOST_TEST(uut.value().port == 443);
  BOOST_TEST(uut.value().path.empty());

  uut = app::parse_endpoint("http://127.0.0.1:8443");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(!uut.value().tls());
  BOOST_TEST(uut.value().port == 8443);

  uut = app::parse_endpoint("https://oauth2.googleapis.com/token");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().port == 443);
  BOOST_TEST(uut.value().path == "/token");
  BOOST_TEST(uut.value().to_string() == "https://oauth2.googleapis.com:443/token");

  uut = app::parse_endpoint("http://[::1]:9000/x");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().host == "::1");
  BOOST_TEST(uut.value().to_string() == "http://[::1]:9000/x");

  uut = app::parse_endpoint("http://mock");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().port == 80);
}

BOOST_AUTO_TEST_CASE(malformed_endpoints_are_rejected) {
  for (const std::string text :
       {"", "api.push.apple.com", "ftp://host", "https://", "https://:443", "https://h:0",
        "https://h:65536", "https://h:x", "https://user@h", "https://h/p?q=1", "https://h#f",
        "https://::1:443", "https://[::1", "https://[::1]x"}) {
    BOOST_TEST(!app::parse_endpoint(text).has_value(), "accepted \"" << text << "\"");
  }
}

BOOST_AUTO_TEST_CASE(listen_addresses_need_host_and_port) {
  auto uut = app::parse_listen_address("0.0.0.0:8080");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().host == "0.0.0.0");
  BOOST_TEST(uut.value().port == 8080);
  uut = app::parse_listen_address("127.0.0.1:0");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().port == 0);
  uut = app::parse_listen_address("[::]:80");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().to_string() == "[::]:80");
  for (const std::string text : {"", "8080", ":8080", "host", "host:", "host:70000", "::1:80"}) {
    BOOST_TEST(!app::parse_listen_address(text).has_value(), "accepted \"" << text << "\"");
  }
}

BOOST_AUTO_TEST_SUITE_END()
