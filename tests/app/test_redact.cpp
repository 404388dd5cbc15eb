#include "protocol/redact.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

namespace protocol = herald::protocol;

BOOST_AUTO_TEST_SUITE(redact)

BOOST_AUTO_TEST_CASE(token_keeps_a_six_character_prefix_and_the_length) {
  const std::string token = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  BOOST_TEST(protocol::redact_token(token) == "a1b2c3\u2026(64)");
}

BOOST_AUTO_TEST_CASE(token_never_shows_more_than_its_prefix) {
  for (std::size_t len = 0; len <= 200; ++len) {
    std::string token;
    for (std::size_t i = 0; i < len; ++i) {
      token += static_cast<char>('A' + i % 26);
    }
    const auto uut = protocol::redact_token(token);
    const auto shown = uut.substr(0, uut.find("\u2026"));
    BOOST_TEST(shown.size() <= 6u);
    BOOST_TEST(shown.size() <= len / 4, "len " << len << " shows " << shown);
    BOOST_TEST(token.starts_with(shown));
    BOOST_TEST(uut.ends_with("(" + std::to_string(len) + ")"));
    // Nothing of the token after the prefix appears anywhere in the result.
    if (len > shown.size() + 3) {
      BOOST_TEST(uut.find(token.substr(shown.size(), 3)) == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(short_tokens_reveal_almost_nothing) {
  BOOST_TEST(protocol::redact_token("") == "\u2026(0)");
  BOOST_TEST(protocol::redact_token("abc") == "\u2026(3)");
  BOOST_TEST(protocol::redact_token("abcdefgh") == "ab\u2026(8)");
}

BOOST_AUTO_TEST_CASE(unprintable_prefix_bytes_are_masked) {
  BOOST_TEST(protocol::redact_token(std::string("\n\"\x01\xff") + std::string(20, 'x')) ==
             "?\"??xx\u2026(24)");
}

BOOST_AUTO_TEST_CASE(secret_is_always_three_stars) {
  BOOST_TEST(protocol::redact_secret("hunter2") == "***");
  BOOST_TEST(protocol::redact_secret(std::string(500, 's')) == "***");
  BOOST_TEST(protocol::redact_secret("") == "***");
}

BOOST_AUTO_TEST_SUITE_END()
