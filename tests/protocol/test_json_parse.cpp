#include "protocol/json_parse.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

using namespace herald::protocol;

namespace {

/// What a parse produced: the error code and offset, or the document written back out.
struct outcome {
  int code = 0;
  std::size_t offset = 0;
  std::string text;

  bool operator==(const outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
  return os << "{code " << o.code << ", offset " << o.offset << ", " << o.text << "}";
}

outcome summary(const rapidjson::Document& doc) {
  if (doc.HasParseError()) {
    return {static_cast<int>(doc.GetParseError()), doc.GetErrorOffset(), {}};
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return {0, 0, {out.GetString(), out.GetSize()}};
}

/// `json::parse_in_situ` on a padded copy of `text`.
outcome uut(const std::string& text) {
  std::vector<char> buffer(text.size() + 1 + json::parse_padding, 'x');
  std::copy(text.begin(), text.end(), buffer.begin());
  buffer[text.size()] = '\0';
  rapidjson::Document doc;
  json::parse_in_situ(doc, buffer.data(), text);
  return summary(doc);
}

/// RapidJSON's own iterative in-situ parse, the behaviour to keep.
outcome reference(const std::string& text) {
  std::vector<char> buffer(text.begin(), text.end());
  buffer.push_back('\0');
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(buffer.data());
  return summary(doc);
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_parse)

BOOST_AUTO_TEST_CASE(every_sample_parses_as_rapidjson_parses_it) {
  int samples = 0;
  for (const auto& entry : std::filesystem::directory_iterator{HERALD_SAMPLES_DIR}) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    std::ifstream in{entry.path(), std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    BOOST_TEST_CONTEXT(entry.path().filename()) {
      BOOST_TEST(uut(text.str()) == reference(text.str()));
    }
    ++samples;
  }
  BOOST_TEST(samples > 10);
}

BOOST_AUTO_TEST_CASE(every_byte_at_every_position_of_a_string_is_handled_as_rapidjson_does) {
  // Crosses the 16-byte steps of the scanner at every offset, before and after an escape.
  for (std::size_t pos = 0; pos < 40; ++pos) {
    for (int byte = 1; byte < 256; ++byte) {
      std::string s(40, 'a');
      s[pos] = static_cast<char>(byte);
      const std::string text =
          R"(["\t)" + s.substr(0, 7) + R"(", ")" + s + R"(", "x\"y)" + s + "\"]";
      BOOST_TEST_CONTEXT("byte " << byte << " at " << pos) {
        BOOST_TEST(uut(text) == reference(text));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(escapes_are_decoded_in_place) {
  const std::string text =
      R"({"k\u00e9y":"a\"b\\c\/d\be\ff\ng\rh\ti\u20ac\ud83d\ude00 and a long tail past sixteen bytes\n"})";
  const outcome got = uut(text);
  BOOST_TEST(got == reference(text));
  BOOST_TEST(got.text.find("\xe2\x82\xac") != std::string::npos); // € decoded
}

BOOST_AUTO_TEST_CASE(whitespace_runs_of_any_length_are_skipped) {
  for (std::size_t n = 0; n < 70; ++n) {
    const std::string ws(n, n % 4 == 0 ? ' ' : (n % 4 == 1 ? '\n' : (n % 4 == 2 ? '\r' : '\t')));
    const std::string text =
        ws + "{" + ws + R"("a")" + ws + ":" + ws + "[1," + ws + "true]" + ws + "}" + ws;
    BOOST_TEST_CONTEXT(n) {
      BOOST_TEST(uut(text) == reference(text));
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_have_rapidjson_codes_and_offsets) {
  const std::vector<std::string> bad = {"",
                                        "   ",
                                        "{",
                                        "[1,]",
                                        R"({"a":1,})",
                                        R"({"a" 1})",
                                        R"(["abc)",
                                        R"(["a\x"])",
                                        R"(["\u12"])",
                                        R"(["\ud800"])",
                                        "[1] [2]",
                                        "[01]",
                                        "[-]",
                                        "[1e]",
                                        "[tru]",
                                        "{\"a\":\"\x01\"}",
                                        "[\"a\tb\"]",
                                        "nul",
                                        R"({"a":{"b":[1,2,{"c":}]}})"};
  for (const auto& text : bad) {
    BOOST_TEST_CONTEXT(text) {
      const outcome got = uut(text);
      BOOST_TEST(got.code != 0);
      BOOST_TEST(got == reference(text));
    }
  }
}

BOOST_AUTO_TEST_CASE(nesting_at_and_past_the_fast_depth_parses_the_same) {
  for (const std::size_t depth : {std::size_t{1}, std::size_t{json::max_fast_depth},
                                  std::size_t{json::max_fast_depth} + 1, std::size_t{5000}}) {
    const std::string arrays = std::string(depth, '[') + R"("x")" + std::string(depth, ']');
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) {
      objects += R"({"k":)";
    }
    objects += "1" + std::string(depth, '}');
    BOOST_TEST_CONTEXT(depth) {
      BOOST_TEST(uut(arrays).code == 0);
      BOOST_TEST(uut(arrays) == reference(arrays));
      BOOST_TEST(uut(objects) == reference(objects));
      const std::string unclosed = arrays.substr(0, arrays.size() - 1);
      BOOST_TEST(uut(unclosed).code != 0);
      BOOST_TEST(uut(unclosed) == reference(unclosed));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
