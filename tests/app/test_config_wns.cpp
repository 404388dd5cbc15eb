// `[apps.wns]`: credentials, token endpoint, the optional fixed endpoint and the host pools.
#include <boost/test/unit_test.hpp>

#include <string>

#include "app/config.hpp"
#include "tests/app/config_test_helpers.hpp"

namespace {

const std::string app_head = "[[apps]]\nname = \"demo\"\n[apps.wns]\nclient_id = \"c\"\n"
                             "client_secret = \"s\"\n";

using herald::test::failing_key;

auto parse(const std::string& text) {
  return herald::test::parse_test_config(text);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_wns)

BOOST_AUTO_TEST_CASE(defaults_send_to_each_channel_host_with_login_live_tokens) {
  auto uut = parse(app_head);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& wns = *uut.value().apps.at(0).wns;
  BOOST_TEST(wns.client_id == "c");
  BOOST_TEST(wns.client_secret.reveal() == "s");
  BOOST_TEST(!wns.server.has_value());
  BOOST_TEST(wns.token_server.to_string() == "https://login.live.com:443/accesstoken.srf");
  BOOST_TEST(wns.connections == 1);
  BOOST_TEST(wns.max_streams == 100);
  BOOST_TEST(wns.max_hosts == 64);
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  auto uut = parse(app_head + "endpoint = \"http://127.0.0.1:9000\"\n"
                              "token_endpoint = \"https://127.0.0.1:9001/token\"\n"
                              "ca_file = \"ca.pem\"\nconnections = 2\nmax_streams = 50\n"
                              "max_hosts = 8\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& wns = *uut.value().apps.at(0).wns;
  BOOST_TEST_REQUIRE(wns.server.has_value());
  BOOST_TEST(wns.server->to_string() == "http://127.0.0.1:9000");
  BOOST_TEST(!wns.server->tls());
  BOOST_TEST(wns.token_server.to_string() == "https://127.0.0.1:9001/token");
  BOOST_TEST(wns.ca_file.string() == "ca.pem");
  BOOST_TEST(wns.connections == 2);
  BOOST_TEST(wns.max_streams == 50);
  BOOST_TEST(wns.max_hosts == 8);
}

BOOST_AUTO_TEST_CASE(bad_values_name_their_key) {
  BOOST_TEST(failing_key(app_head + "max_hosts = 0") == "apps[0].wns.max_hosts");
  BOOST_TEST(failing_key(app_head + "max_hosts = 1025") == "apps[0].wns.max_hosts");
  BOOST_TEST(failing_key(app_head + "connections = 65") == "apps[0].wns.connections");
  BOOST_TEST(failing_key(app_head + "endpoint = \"ftp://x\"") == "apps[0].wns.endpoint");
  BOOST_TEST(failing_key(app_head + "token_endpoint = \"x\"") == "apps[0].wns.token_endpoint");
  BOOST_TEST(failing_key(app_head + "channel_host = \"x\"") == "apps[0].wns.channel_host");
}

BOOST_AUTO_TEST_SUITE_END()
