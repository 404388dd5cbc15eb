#include <boost/test/unit_test.hpp>

#include "protocol/base64url.hpp"

using namespace herald::protocol;

BOOST_AUTO_TEST_SUITE(base64url)

BOOST_AUTO_TEST_CASE(encodes_rfc4648_vectors_without_padding) {
  // RFC 4648 §10 test vectors, padding stripped (RFC 7515 §2).
  BOOST_TEST(base64url_encode("") == "");
  BOOST_TEST(base64url_encode("f") == "Zg");
  BOOST_TEST(base64url_encode("fo") == "Zm8");
  BOOST_TEST(base64url_encode("foo") == "Zm9v");
  BOOST_TEST(base64url_encode("foob") == "Zm9vYg");
  BOOST_TEST(base64url_encode("fooba") == "Zm9vYmE");
  BOOST_TEST(base64url_encode("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(uses_url_safe_alphabet) {
  const std::string bytes = "\xfb\xff\xbf";
  BOOST_TEST(base64url_encode(bytes) == "-_-_");
  BOOST_TEST(base64_encode(bytes) == "+/+/");
}

BOOST_AUTO_TEST_CASE(standard_encoding_keeps_padding) {
  BOOST_TEST(base64_encode("fo") == "Zm8=");
}

BOOST_AUTO_TEST_CASE(decodes_with_and_without_padding_in_both_alphabets) {
  for (const char* text : {"Zm9vYmE", "Zm9vYmE=", "Zm9vYmE="}) {
    const auto uut = base64url_decode(text);
    BOOST_REQUIRE(uut.has_value());
    BOOST_TEST(uut.value() == "fooba");
  }
  const auto url = base64url_decode("-_-_");
  const auto std_form = base64url_decode("+/+/");
  BOOST_REQUIRE(url.has_value());
  BOOST_REQUIRE(std_form.has_value());
  BOOST_TEST(url.value() == "\xfb\xff\xbf");
  BOOST_TEST(std_form.value() == url.value());
}

BOOST_AUTO_TEST_CASE(round_trips_every_byte_value_and_length) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    const auto uut = base64url_decode(base64url_encode(bytes));
    BOOST_REQUIRE(uut.has_value());
    BOOST_TEST(uut.value() == bytes);
  }
}

BOOST_AUTO_TEST_CASE(rejects_bad_characters_lengths_and_padding) {
  BOOST_TEST(!base64url_decode("Zm9v!").has_value());
  BOOST_TEST(!base64url_decode("Zm 9v").has_value());
  BOOST_TEST(!base64url_decode("Zm9vY").has_value()); // 4n+1 characters
  BOOST_TEST(!base64url_decode("Zg=").has_value());   // padding to a wrong length
  BOOST_TEST(!base64url_decode("Zg===").has_value()); // too much padding
  BOOST_TEST(!base64url_decode("Z=g=").has_value());  // padding in the middle
  BOOST_TEST(!base64url_decode("{abc}").has_value());
  BOOST_TEST((base64url_decode("Zm9v!").error().code == errc::invalid_field));
}

BOOST_AUTO_TEST_CASE(decodes_empty_text_to_empty_bytes) {
  const auto uut = base64url_decode("");
  BOOST_REQUIRE(uut.has_value());
  BOOST_TEST(uut.value().empty());
}

BOOST_AUTO_TEST_CASE(is_base64_finds_a_bad_character_at_any_position) {
  // Long enough for the 16-characters-at-a-time path and its scalar tail.
  const std::string good = base64url_encode(std::string(60, 'x')) + "+/";
  BOOST_TEST_REQUIRE(is_base64(good));
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const char bad : {'!', ' ', '.', '@', '[', '`', '{', ':', '\x80', '\xff', '\0'}) {
      std::string text = good;
      text[i] = bad;
      BOOST_TEST_REQUIRE(!is_base64(text), "position " << i << " char " << int(bad));
      BOOST_TEST_REQUIRE(!base64url_decode(text).has_value(), "position " << i);
    }
  }
  BOOST_TEST(is_base64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/"));
}

BOOST_AUTO_TEST_CASE(every_byte_value_is_classified_and_decoded_as_rfc4648_says) {
  // Reference: RFC 4648 tables 1 and 2, one character at a time.
  const auto digit = [](unsigned char c) -> int {
    const std::string_view std_alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (c == '-') {
      return 62;
    }
    if (c == '_') {
      return 63;
    }
    const auto at = c == 0 ? std::string_view::npos : std_alphabet.find(static_cast<char>(c));
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
  };
  const auto reference = [&](const std::string& text) {
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char ch : text) {
      bits = bits << 6 | static_cast<unsigned>(digit(static_cast<unsigned char>(ch)));
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.push_back(static_cast<char>((bits >> count) & 0xFF));
      }
    }
    return out;
  };
  // Long enough for the 32-at-a-time path; the varying character sits inside it and in a tail.
  for (int c = 0; c < 256; ++c) {
    for (const std::size_t at :
         {std::size_t{5}, std::size_t{31}, std::size_t{45}, std::size_t{66}}) {
      std::string text = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5";
      text[at] = static_cast<char>(c);
      const bool expected = digit(static_cast<unsigned char>(c)) >= 0;
      BOOST_TEST_REQUIRE(is_base64(text) == expected, "char " << c << " at " << at);
      const auto uut = base64url_decode(text);
      BOOST_TEST_REQUIRE(uut.has_value() == expected, "char " << c << " at " << at);
      if (expected) {
        BOOST_TEST_REQUIRE(uut.value() == reference(text), "char " << c << " at " << at);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(decode_into_reuses_the_buffer_and_clears_it_on_error) {
  std::string out = "previous content that is longer";
  BOOST_REQUIRE(base64url_decode_into("Zm9vYmFy", out).has_value());
  BOOST_TEST(out == "foobar");
  BOOST_TEST(!base64url_decode_into("Zm9v!mFy", out).has_value());
  BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_SUITE_END()
