#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

/// Small read-only helpers over RapidJSON values, shared by the envelope and ACS event parsers.
/// ACS payloads are not consistent about key case (SMS samples use both `From` and `from`), so
/// every lookup here is ASCII case-insensitive. Nothing here allocates except `flatten` and
/// `scalar_text`; nothing recurses without a depth bound.
namespace herald::protocol::json {

using value = rapidjson::Value;

/// Whether `text` is well-formed UTF-8 (RFC 3629 section 4: no overlongs, no surrogates, nothing
/// above U+10FFFF). Skips ASCII 32 bytes at a time (SSE2), else 16 or 8: several times faster than
/// RapidJSON's per-character `kParseValidateEncodingFlag`, which dominated batch decoding.
[[nodiscard]] bool valid_utf8(std::string_view text) noexcept;

/// What `copy_checked_text` found.
enum class text_check {
  ok,       ///< Well-formed UTF-8 without NUL bytes.
  nul_byte, ///< A NUL byte somewhere (reported even when the UTF-8 is also bad).
  bad_utf8, ///< Not well-formed UTF-8 (as `valid_utf8`), and no NUL byte.
};

/// Copies `text` into `out` (room for `text.size()` bytes) while checking it as `valid_utf8`
/// does and looking for NUL bytes: one pass over the bytes instead of three (`memchr`,
/// `valid_utf8`, `memcpy`), ASCII 64 bytes per step with AVX2 when the CPU has it, else 32. On a
/// failure `out` holds an unspecified prefix.
[[nodiscard]] text_check copy_checked_text(std::string_view text, char* out) noexcept;

/// ASCII case-insensitive equality (JSON keys in ACS payloads are ASCII).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

/// The string view of a JSON string value; empty for anything else.
[[nodiscard]] std::string_view view(const value& v) noexcept;

/// The member of `obj` whose key equals `key` case-insensitively, or nullptr when `obj` is not
/// an object or has no such member. The first match wins.
[[nodiscard]] const value* find(const value& obj, std::string_view key) noexcept;

/// The JSON type of `v` as a word for error messages (`string`, `number`, `object` ...).
[[nodiscard]] std::string_view type_name(const value& v) noexcept;

/// `v` as a signed integer: a JSON integer, or a string of decimal digits (ACS sends `version`
/// both ways). nullopt for anything else, including values outside int64.
[[nodiscard]] std::optional<std::int64_t> integer(const value& v) noexcept;

/// Text of a scalar: strings as they are, numbers in shortest round-trip form, booleans as
/// `true`/`false`, null as empty. nullopt for objects and arrays.
[[nodiscard]] std::optional<std::string> scalar_text(const value& v);

/// Limits of `flatten`, so hostile input cannot blow up memory or the stack.
struct flatten_limits {
  std::size_t max_depth = 8;    ///< Deeper containers are skipped.
  std::size_t max_fields = 256; ///< Further scalars are dropped.
};

/// Adds every scalar under `v` to `out` with dotted lower-case keys (`metadata.key`, array
/// elements by index: `participants.0.displayname`), each prefixed by `prefix` when it is not
/// empty. Iterative, bounded by `limits`. Returns false when a limit cut something off.
bool flatten(const value& v, std::map<std::string, std::string>& out,
             const flatten_limits& limits = {}, std::string_view prefix = {});

} // namespace herald::protocol::json
