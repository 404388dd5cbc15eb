#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::store {

/// Storage encodings shared by every engine, so SQLite and PostgreSQL rows mean the same:
/// times as Unix milliseconds, tags as a JSON array of strings.
using stored_time = std::chrono::system_clock::time_point;

/// Unix milliseconds of `t` (sub-millisecond precision is dropped, towards the past).
[[nodiscard]] std::int64_t to_millis(stored_time t) noexcept;

/// The instant `ms` Unix milliseconds after the epoch.
[[nodiscard]] stored_time from_millis(std::int64_t ms) noexcept;

/// `tags` as a compact JSON array of strings.
[[nodiscard]] std::string tags_to_json(const std::vector<std::string>& tags);

/// Appends the strings of the JSON array `text` to `out`; false when it is not an array of
/// strings (a damaged row).
[[nodiscard]] bool tags_from_json(std::string_view text, std::vector<std::string>& out);

} // namespace herald::store
