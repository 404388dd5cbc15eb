#include "protocol/device_transfer.hpp"

#include <charconv>
#include <cstdint>

#include "protocol/base64url.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/registration_json.hpp"

namespace herald::protocol {

namespace {

error bad_cursor() {
  return error{errc::invalid_field, "cursor", "not a cursor of this export (use the next link)",
               -1};
}

} // namespace

std::string encode_export_cursor(const registration& last) {
  std::string key = last.device_id;
  key += '\n';
  key += to_string(last.channel);
  return base64url_encode(key);
}

result<export_cursor> parse_export_cursor(std::string_view text) {
  auto key = base64url_decode(text);
  if (!key) {
    return bad_cursor();
  }
  const std::string_view k = key.value();
  const auto nl = k.find('\n');
  if (nl == std::string_view::npos || !valid_device_id(k.substr(0, nl))) {
    return bad_cursor();
  }
  auto p = parse_platform(k.substr(nl + 1));
  if (!p) {
    return bad_cursor();
  }
  return export_cursor{std::string(k.substr(0, nl)), *p};
}

result<std::size_t> parse_export_limit(const std::optional<std::string>& text) {
  if (!text) {
    return export_default_limit;
  }
  std::size_t n = 0;
  const auto* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, n);
  if (ec != std::errc{} || ptr != end || n < 1 || n > export_max_limit) {
    return error{errc::invalid_field, "limit",
                 "an integer from 1 to " + std::to_string(export_max_limit), -1};
  }
  return n;
}

void import_report::fail(std::size_t line, std::string field, std::string detail) {
  ++failed;
  if (errors.size() < max_errors) {
    errors.push_back({line, std::move(field), std::move(detail)});
  }
}

std::string import_report::to_json() const {
  auto count = [](std::size_t n) { return static_cast<std::int64_t>(n); };
  json_writer w;
  w.start_object();
  w.member("lines", count(lines));
  w.member("imported", count(imported));
  w.member("failed", count(failed));
  w.key("errors");
  w.start_array();
  for (const auto& e : errors) {
    w.start_object();
    w.member("line", count(e.line));
    w.member("field", e.field);
    w.member("detail", e.detail);
    w.end_object();
  }
  w.end_array();
  w.key("errorsTruncated");
  w.boolean(failed > errors.size());
  w.end_object();
  return w.str();
}

} // namespace herald::protocol
