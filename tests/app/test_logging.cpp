#include "app/logging.hpp"

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "protocol/redact.hpp"

namespace app = herald::app;

namespace {

/// A logger writing into a string with the formatter under test.
struct fixture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> uut;

  explicit fixture(app::log_format format = app::log_format::json) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_formatter(app::make_log_formatter(format));
    uut = std::make_shared<spdlog::logger>("test.logger", sink);
    uut->set_level(spdlog::level::trace);
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) {
      result.push_back(line);
    }
    return result;
  }
};

rapidjson::Document parse_line(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), "not JSON: " << line);
  BOOST_TEST_REQUIRE(doc.IsObject());
  return doc;
}

std::string field(const rapidjson::Document& doc, const char* name) {
  const auto it = doc.FindMember(name);
  BOOST_TEST_REQUIRE((it != doc.MemberEnd() && it->value.IsString()), "no string " << name);
  return {it->value.GetString(), it->value.GetStringLength()};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(logging, fixture)

BOOST_AUTO_TEST_CASE(json_line_has_timestamp_level_logger_and_message) {
  uut->info("device {} registered", "phone-1");
  const auto lines = this->lines();
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  const auto doc = parse_line(lines[0]);
  BOOST_TEST(doc.MemberCount() == 4u);
  BOOST_TEST(
      std::regex_match(field(doc, "ts"), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  BOOST_TEST(field(doc, "level") == "info");
  BOOST_TEST(field(doc, "logger") == "test.logger");
  BOOST_TEST(field(doc, "msg") == "device phone-1 registered");
}

BOOST_AUTO_TEST_CASE(quotes_backslashes_newlines_and_control_characters_are_escaped) {
  const std::string nasty = std::string("say \"hi\"\\ C:\\path\nnext line\r\ttab\b\f") + '\x01' +
                            '\x1f' + '\x7f' + " end {} %v";
  uut->warn("{}", nasty);
  const auto lines = this->lines();
  BOOST_TEST_REQUIRE(lines.size() == 1u); // the newline did not split the record
  const auto doc = parse_line(lines[0]);
  BOOST_TEST(field(doc, "msg") == nasty);
  BOOST_TEST(field(doc, "level") == "warn");
  BOOST_TEST(lines[0].find("\\u0001") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_nul_byte_survives_as_an_escape) {
  uut->info(std::string_view("a\0b", 3));
  const auto doc = parse_line(this->lines().at(0));
  BOOST_TEST(field(doc, "msg") == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(utf8_is_kept_and_invalid_bytes_are_replaced) {
  uut->error("caller: J\xC3\xBCrgen \xE2\x98\x8E \xF0\x9F\x93\x9E");
  uut->error("broken: \xC3 \xFF \xED\xA0\x80 \xF0\x9F end");
  const auto lines = this->lines();
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(field(parse_line(lines[0]), "msg") ==
             "caller: J\xC3\xBCrgen \xE2\x98\x8E \xF0\x9F\x93\x9E");
  const auto broken = field(parse_line(lines[1]), "msg");
  BOOST_TEST(broken.starts_with("broken: \xEF\xBF\xBD \xEF\xBF\xBD "));
  BOOST_TEST(broken.ends_with(" end"));
  BOOST_TEST(field(parse_line(lines[1]), "level") == "error");
}

BOOST_AUTO_TEST_CASE(every_record_is_its_own_line) {
  uut->debug("one");
  uut->info("two\nthree");
  uut->trace("four");
  const auto lines = this->lines();
  BOOST_TEST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(field(parse_line(lines[0]), "level") == "debug");
  BOOST_TEST(field(parse_line(lines[1]), "msg") == "two\nthree");
  BOOST_TEST(field(parse_line(lines[2]), "level") == "trace");
}

BOOST_AUTO_TEST_CASE(logged_tokens_go_through_redact) {
  const std::string token(64, 'f');
  uut->info("push to {}", herald::protocol::redact_token(token));
  const auto msg = field(parse_line(this->lines().at(0)), "msg");
  BOOST_TEST(msg.find(token.substr(0, 7)) == std::string::npos);
  BOOST_TEST(msg.find("(64)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_format_is_for_humans) {
  fixture text(app::log_format::text);
  text.uut->warn("disk \"almost\" full");
  const auto lines = text.lines();
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(std::regex_match(
      lines[0],
      std::regex(
          R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn \[test\.logger\] disk "almost" full)")));
}

BOOST_AUTO_TEST_CASE(setup_logging_installs_level_and_default_logger) {
  app::setup_logging({app::log_level::debug, app::log_format::json});
  BOOST_TEST(spdlog::default_logger()->name() == "herald");
  BOOST_TEST(spdlog::default_logger()->level() == spdlog::level::debug);
  BOOST_TEST(!spdlog::default_logger()->should_log(spdlog::level::trace));
  app::setup_logging({app::log_level::error, app::log_format::text});
  BOOST_TEST(spdlog::default_logger()->level() == spdlog::level::err);
  BOOST_TEST(!spdlog::default_logger()->should_log(spdlog::level::warn));
}

BOOST_AUTO_TEST_CASE(levels_map_one_to_one) {
  BOOST_TEST(app::to_spdlog(app::log_level::trace) == spdlog::level::trace);
  BOOST_TEST(app::to_spdlog(app::log_level::warn) == spdlog::level::warn);
  BOOST_TEST(app::to_spdlog(app::log_level::error) == spdlog::level::err);
}

BOOST_AUTO_TEST_SUITE_END()
