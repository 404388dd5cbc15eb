#include "app/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace herald::app {
namespace {

void append(std::string_view s, spdlog::memory_buf_t& out) {
  out.append(s.data(), s.data() + s.size());
}

/// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one
/// (RFC 3629 section 4: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s) {
  const auto b = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2) || (c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3) || (c == 0xF0 && b(1) < 0x90) ||
        (c == 0xF4 && b(1) > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

/// `%*` flags are ours: the message, the logger name and the level as JSON string contents.
class json_message_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_json_escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

class json_logger_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_json_escaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_logger_flag>();
  }
};

/// Our level words (`warn`, not spdlog's `warning`), matching the `[log] level` values.
class level_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    switch (msg.level) {
    case spdlog::level::trace:
      return append("trace", dest);
    case spdlog::level::debug:
      return append("debug", dest);
    case spdlog::level::info:
      return append("info", dest);
    case spdlog::level::warn:
      return append("warn", dest);
    case spdlog::level::err:
      return append("error", dest);
    case spdlog::level::critical:
      return append("critical", dest);
    default:
      return append("off", dest);
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<level_flag>();
  }
};

} // namespace

void append_json_escaped(std::string_view text, spdlog::memory_buf_t& out) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const auto n = utf8_sequence(text.substr(i));
      if (n == 0) {
        append("\xEF\xBF\xBD", out); // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        append(text.substr(i, n), out);
        i += n;
      }
      continue;
    }
    switch (c) {
    case '"':
      append("\\\"", out);
      break;
    case '\\':
      append("\\\\", out);
      break;
    case '\n':
      append("\\n", out);
      break;
    case '\r':
      append("\\r", out);
      break;
    case '\t':
      append("\\t", out);
      break;
    case '\b':
      append("\\b", out);
      break;
    case '\f':
      append("\\f", out);
      break;
    default:
      if (c < 0x20 || c == 0x7F) {
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(u, u + sizeof u);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    ++i;
  }
}

spdlog::level::level_enum to_spdlog(log_level level) noexcept {
  switch (level) {
  case log_level::trace:
    return spdlog::level::trace;
  case log_level::debug:
    return spdlog::level::debug;
  case log_level::info:
    return spdlog::level::info;
  case log_level::warn:
    return spdlog::level::warn;
  case log_level::error:
    return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(log_format format) {
  // UTC with a literal Z: log collectors need no time zone to order lines from many nodes.
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<level_flag>('L');
  if (format == log_format::json) {
    f->add_flag<json_message_flag>('j').add_flag<json_logger_flag>('k');
    f->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%L","logger":"%k","msg":"%j"})");
  } else {
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%L%$ [%n] %v");
  }
  return f;
}

void setup_logging(const log_config& cfg) {
  spdlog::sink_ptr sink;
  if (cfg.format == log_format::json) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("herald", std::move(sink));
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_formatter(make_log_formatter(cfg.format));
  spdlog::set_level(to_spdlog(cfg.level));
  // Warnings and errors reach the collector even if the process dies right after.
  spdlog::flush_on(spdlog::level::warn);
}

} // namespace herald::app
