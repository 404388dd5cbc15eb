#pragma once

#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace herald::protocol {

/// Encodes bytes as base64url without padding (RFC 4648 §5; the JWS form of RFC 7515 §2).
[[nodiscard]] std::string base64url_encode(std::string_view bytes);

/// Encodes bytes as standard base64 with padding (RFC 4648 §4).
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// Decodes base64url or standard base64 (RFC 4648 §5 or §4; the two alphabets may even be
/// mixed), with or without `=` padding. Fails (`errc::invalid_field`, field empty) on any other
/// character, on whitespace, on misplaced padding or on an impossible length (4n+1).
[[nodiscard]] result<std::string> base64url_decode(std::string_view text);

/// `base64url_decode` into `out` (resized to the decoded size; cleared on error), so a caller
/// decoding many texts can reuse one buffer's capacity.
[[nodiscard]] result<void> base64url_decode_into(std::string_view text, std::string& out);

/// Whether `base64url_decode(text)` would succeed, without decoding or allocating.
[[nodiscard]] bool is_base64(std::string_view text) noexcept;

} // namespace herald::protocol
