#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/formatter.h>

#include "app/config.hpp"

namespace herald::app {

/// Makes the process's logging follow `[log]`: one sink on stderr, the default logger named
/// `herald`, the level, and the format.
///
/// `json` writes one object per line, `{"ts":"2026-11-22T10:00:00.123Z","level":"info",
/// "logger":"herald","msg":"..."}` (UTC, milliseconds), the message JSON-escaped; `text` writes
/// `2026-11-22T10:00:00.123Z info [herald] ...` for humans. The formatter and level are set on
/// the spdlog registry, so loggers made later with `spdlog::default_logger()->clone("name")`
/// or registered with spdlog get them too. Call once at start-up before other threads log;
/// spdlog's `_mt` sinks make the loggers themselves thread-safe.
void setup_logging(const log_config& cfg);

/// The formatter `setup_logging` installs for `format`, for tests and other sinks.
[[nodiscard]] std::unique_ptr<spdlog::formatter> make_log_formatter(log_format format);

/// spdlog's level for ours.
[[nodiscard]] spdlog::level::level_enum to_spdlog(log_level level) noexcept;

/// Appends `text` as the inside of a JSON string (RFC 8259 section 7): `"` and `\` escaped,
/// control characters as `\n`, `\t`, … or `\u00XX`, and bytes that are not valid UTF-8
/// replaced by U+FFFD so the line stays valid JSON whatever was logged.
void append_json_escaped(std::string_view text, spdlog::memory_buf_t& out);

} // namespace herald::app
