#include <boost/test/unit_test.hpp>

#include "protocol/servicebus.hpp"

using namespace herald::protocol;

namespace {

constexpr const char* portal_string =
    "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
    "SharedAccessKey=c2VjcmV0LWtleS1mb3ItdGVzdHM=;EntityPath=acs-events";

std::chrono::system_clock::time_point unix_seconds(long long s) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

} // namespace

BOOST_AUTO_TEST_SUITE(servicebus)

BOOST_AUTO_TEST_CASE(parses_the_portal_connection_string) {
  auto uut = parse_servicebus_connection(portal_string);
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().host == "contoso.servicebus.windows.net");
  BOOST_TEST(uut.value().key_name == "RootManageSharedAccessKey");
  BOOST_TEST(uut.value().key == "c2VjcmV0LWtleS1mb3ItdGVzdHM=");
  BOOST_TEST(uut.value().entity_path == "acs-events");
  BOOST_TEST(uut.value().resource_uri("acs-events") ==
             "amqp://contoso.servicebus.windows.net/acs-events");
}

BOOST_AUTO_TEST_CASE(keeps_equals_signs_of_the_key_and_ignores_key_case_and_empty_segments) {
  auto uut = parse_servicebus_connection(
      " endpoint=sb://ns.example;;sharedaccesskeyname=r; SHAREDACCESSKEY=a=b== ;");
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().host == "ns.example");
  BOOST_TEST(uut.value().key == "a=b==");
  BOOST_TEST(uut.value().entity_path.empty());
}

BOOST_AUTO_TEST_CASE(names_the_missing_part) {
  auto uut = parse_servicebus_connection("Endpoint=sb://ns.example/;SharedAccessKey=k");
  BOOST_TEST_REQUIRE(!uut.has_value());
  BOOST_TEST((uut.error().code == errc::missing_field));
  BOOST_TEST(uut.error().field == "SharedAccessKeyName");
  auto empty = parse_servicebus_connection("Endpoint=sb://ns/;SharedAccessKeyName=r;"
                                           "SharedAccessKey=");
  BOOST_TEST_REQUIRE(!empty.has_value());
  BOOST_TEST(empty.error().field == "SharedAccessKey");
}

BOOST_AUTO_TEST_CASE(rejects_an_endpoint_that_is_not_sb_scheme_or_has_a_path) {
  auto https = parse_servicebus_connection(
      "Endpoint=https://ns.example/;SharedAccessKeyName=r;SharedAccessKey=k");
  BOOST_TEST_REQUIRE(!https.has_value());
  BOOST_TEST((https.error().code == errc::invalid_field));
  BOOST_TEST(https.error().field == "Endpoint");
  auto path = parse_servicebus_connection(
      "Endpoint=sb://ns.example/queue;SharedAccessKeyName=r;SharedAccessKey=k");
  BOOST_TEST_REQUIRE(!path.has_value());
  BOOST_TEST(path.error().field == "Endpoint");
}

BOOST_AUTO_TEST_CASE(rejects_unknown_repeated_and_malformed_segments) {
  auto unknown =
      parse_servicebus_connection(std::string(portal_string) + ";Sharedaccesskeyname2=x");
  BOOST_TEST_REQUIRE(!unknown.has_value());
  BOOST_TEST(unknown.error().field == "Sharedaccesskeyname2");
  auto twice = parse_servicebus_connection(std::string(portal_string) + ";EntityPath=other");
  BOOST_TEST_REQUIRE(!twice.has_value());
  BOOST_TEST(twice.error().field == "EntityPath");
  auto bare = parse_servicebus_connection(std::string(portal_string) + ";oops");
  BOOST_TEST_REQUIRE(!bare.has_value());
  BOOST_TEST((bare.error().code == errc::invalid_field));
}

BOOST_AUTO_TEST_CASE(errors_never_contain_the_key) {
  auto twice = parse_servicebus_connection(
      "Endpoint=ftp://x;SharedAccessKeyName=r;SharedAccessKey=TOPSECRET");
  BOOST_TEST_REQUIRE(!twice.has_value());
  BOOST_TEST(twice.error().describe().find("TOPSECRET") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(percent_encodes_all_but_unreserved_characters_in_upper_case_hex) {
  BOOST_TEST(percent_encode("amqp://ns.example/q_1~a-b") == "amqp%3A%2F%2Fns.example%2Fq_1~a-b");
  BOOST_TEST(percent_encode("a+b/c=") == "a%2Bb%2Fc%3D");
  BOOST_TEST(percent_encode("\xc3\xa9 ") == "%C3%A9%20");
}

BOOST_AUTO_TEST_CASE(signs_the_documented_string_to_sign) {
  // Expected signature computed independently:
  //   printf 'amqp%%3A%%2F%%2Fcontoso.servicebus.windows.net%%2Facs-events\n1893456000' |
  //   openssl dgst -sha256 -hmac 'c2VjcmV0LWtleS1mb3ItdGVzdHM=' -binary | base64
  auto uut = make_sas_token("amqp://contoso.servicebus.windows.net/acs-events",
                            "RootManageSharedAccessKey",
                            "c2VjcmV0LWtleS1mb3ItdGVzdHM=", unix_seconds(1893456000));
  BOOST_TEST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value() ==
             "SharedAccessSignature sr=amqp%3A%2F%2Fcontoso.servicebus.windows.net%2Facs-events"
             "&sig=y0rBuwPiqoOVoTNlxpAxOEJ6Wx6VYlHNeZN%2BZQYwvZA%3D&se=1893456000"
             "&skn=RootManageSharedAccessKey");
}

BOOST_AUTO_TEST_CASE(signature_depends_on_key_and_expiry) {
  const std::string uri = "amqp://contoso.servicebus.windows.net/acs-events";
  auto a = make_sas_token(uri, "r", "key-a", unix_seconds(1893456000));
  auto b = make_sas_token(uri, "r", "key-b", unix_seconds(1893456000));
  auto c = make_sas_token(uri, "r", "key-a", unix_seconds(1893456001));
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a.value() != b.value());
  BOOST_TEST(a.value() != c.value());
  BOOST_TEST(c.value().find("&se=1893456001&") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
