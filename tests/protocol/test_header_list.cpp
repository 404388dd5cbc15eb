#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "protocol/header_list.hpp"
#include "protocol/provider_request.hpp"

using namespace herald::protocol;

namespace {

/// The fields as owned strings, in order.
std::vector<std::pair<std::string, std::string>> fields(const header_list& h) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : h) {
    out.emplace_back(name, value);
  }
  return out;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

} // namespace

BOOST_AUTO_TEST_SUITE(header_list_suite)

BOOST_AUTO_TEST_CASE(keeps_fields_in_order_with_repeats_and_empty_values) {
  header_list uut;
  BOOST_TEST(uut.empty());
  BOOST_TEST((uut.begin() == uut.end()));
  uut.emplace_back("apns-push-type", "voip");
  uut.emplace_back("x-empty", "");
  uut.emplace_back("apns-push-type", "alert");
  uut.emplace_back("", "nameless");
  BOOST_TEST(uut.size() == 4u);
  BOOST_TEST((fields(uut) == pairs{{"apns-push-type", "voip"},
                                   {"x-empty", ""},
                                   {"apns-push-type", "alert"},
                                   {"", "nameless"}}));
  BOOST_TEST(uut.find("apns-push-type") == "voip"); // the first of two
  BOOST_TEST(uut.find("x-empty").empty());
  BOOST_TEST(uut.find("missing").empty());
  BOOST_TEST(uut.find("APNS-PUSH-TYPE").empty()); // names compare exactly
}

BOOST_AUTO_TEST_CASE(joins_value_parts_and_keeps_bytes_as_given) {
  header_list uut;
  const std::string bundle = "com.example.app";
  const header_list::field appended[] = {{"apns-topic", bundle, ".voip"}, {"x-none", ""}};
  uut.append(appended);
  uut.append({});
  const std::string binary("a\0b\xff", 4);
  uut.emplace_back("X-Mixed-Case", binary);
  BOOST_TEST(
      (fields(uut) ==
       pairs{{"apns-topic", "com.example.app.voip"}, {"x-none", ""}, {"X-Mixed-Case", binary}}));
}

BOOST_AUTO_TEST_CASE(copies_own_their_bytes_and_compare_by_fields) {
  header_list a{{"x-a", "1"}, {"x-b", std::string(300, 'v')}};
  header_list b = a;
  BOOST_TEST((a == b));
  a.emplace_back("x-c", "3");
  BOOST_TEST(!(a == b));
  BOOST_TEST((fields(b) == pairs{{"x-a", "1"}, {"x-b", std::string(300, 'v')}}));
  header_list moved = std::move(a);
  BOOST_TEST(moved.size() == 3u);
  BOOST_TEST(moved.find("x-c") == "3");
  moved = {{"only", "one"}}; // assigning a list replaces every field
  BOOST_TEST((fields(moved) == pairs{{"only", "one"}}));
}

BOOST_AUTO_TEST_CASE(grows_past_a_reservation_without_losing_fields) {
  header_list uut;
  uut.reserve(2, 8);
  pairs expected;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "x-" + std::to_string(i);
    const std::string value(static_cast<std::size_t>(i), static_cast<char>('a' + i % 26));
    uut.emplace_back(name, value);
    expected.emplace_back(name, value);
  }
  BOOST_TEST(uut.size() == 200u);
  BOOST_TEST((fields(uut) == expected));
  BOOST_TEST(uut.find("x-199") == expected.back().second);
}

BOOST_AUTO_TEST_CASE(provider_request_header_reads_the_list) {
  provider_request req;
  req.headers = {{"content-type", "application/json"}, {"apns-id", "id-1"}};
  BOOST_TEST(req.header("apns-id") == "id-1");
  BOOST_TEST(req.header("authorization").empty());
}

BOOST_AUTO_TEST_SUITE_END()
