#pragma once

#include <string>
#include <string_view>

namespace herald::bench {

/// Decodes an `application/x-www-form-urlencoded` value (WHATWG URL §5.1): `+` is a space,
/// `%XX` a byte; a malformed escape stays as it is.
[[nodiscard]] std::string form_decode(std::string_view in);

/// The decoded value of field `name` in a form body (`a=1&b=2`), or empty when absent.
[[nodiscard]] std::string form_field(std::string_view body, std::string_view name);

} // namespace herald::bench
