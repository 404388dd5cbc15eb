#pragma once

#include <cstddef>
#include <string_view>

#include <rapidjson/document.h>

/// In-situ JSON parsing of webhook bodies, faster than `Document::ParseInsitu` on the short
/// strings ACS events are made of, with the same result and the same errors.
namespace herald::protocol::json {

/// Readable bytes a buffer given to `parse_in_situ` must have after the text's terminating NUL:
/// the string and whitespace scanners load 16 bytes at a time without aligning first.
inline constexpr std::size_t parse_padding = 64;

/// Parses `text` (`original.size()` bytes, a copy of `original`, NUL-terminated and followed
/// by `parse_padding` readable bytes) in situ into `doc`; strings of `doc` point into `text`.
/// Nesting up to `max_fast_depth` is parsed recursively (faster); anything deeper, and any
/// error, is parsed again from a fresh copy of `original` with RapidJSON's iterative parser,
/// so depth costs heap, not stack, and errors are reported exactly as that parser reports
/// them (`doc.HasParseError()`, `doc.GetErrorOffset()`).
void parse_in_situ(rapidjson::Document& doc, char* text, std::string_view original);

/// Nesting depth (objects and arrays) above which `parse_in_situ` uses the iterative parser.
inline constexpr unsigned max_fast_depth = 64;

} // namespace herald::protocol::json
