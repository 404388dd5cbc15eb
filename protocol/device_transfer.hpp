#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/registration.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Media type of the registry's bulk export and import bodies (one JSON object per line).
inline constexpr std::string_view ndjson_media_type = "application/x-ndjson";

/// Default and largest number of registrations in one export page.
inline constexpr std::size_t export_default_limit = 1000;
inline constexpr std::size_t export_max_limit = 10000;

/// Where an export page starts: after this (device id, platform) key of the previous page.
struct export_cursor {
  std::string device_id;
  platform channel = platform::apns;
};

/// The opaque `cursor` query value that resumes an export after `last` (base64url of the
/// key, so it never needs percent-encoding).
[[nodiscard]] std::string encode_export_cursor(const registration& last);

/// Parses a `cursor` query value; errors name the field `cursor`.
[[nodiscard]] result<export_cursor> parse_export_cursor(std::string_view text);

/// Parses the `limit` query value of an export: absent → `export_default_limit`; otherwise
/// an integer in [1, `export_max_limit`]; errors name the field `limit`.
[[nodiscard]] result<std::size_t> parse_export_limit(const std::optional<std::string>& text);

/// One rejected line of an import: its 1-based line number, field and reason.
struct import_line_error {
  std::size_t line = 0;
  std::string field;
  std::string detail;
};

/// The answer to an NDJSON import: counts of the non-blank lines, and the first
/// `max_errors` errors (`truncated` when more failed).
struct import_report {
  /// Error entries kept in one answer (the counts stay exact): bounds the answer's size.
  static constexpr std::size_t max_errors = 100;

  std::size_t lines = 0;    ///< Non-blank lines read.
  std::size_t imported = 0; ///< Lines written to the registry.
  std::size_t failed = 0;   ///< Lines refused (invalid, duplicate, or the store failed).
  std::vector<import_line_error> errors;

  /// Counts a failed line and keeps its error while there is room.
  void fail(std::size_t line, std::string field, std::string detail);

  /// `{"lines","imported","failed","errors":[{"line","field","detail"}],"errorsTruncated"}`.
  [[nodiscard]] std::string to_json() const;
};

/// Calls `each(line_number, text)` for every non-blank line of an NDJSON body (1-based
/// numbers counting every line; a trailing `\r` is dropped; the last line may lack `\n`).
template <class Each>
void for_each_ndjson_line(std::string_view body, const Each& each) {
  std::size_t number = 0;
  while (!body.empty()) {
    const auto end = body.find('\n');
    auto line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      each(number, line);
    }
  }
}

} // namespace herald::protocol
