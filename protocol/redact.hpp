#pragma once

#include <string>
#include <string_view>

namespace herald::protocol {

/// A device token fit for logs: a short prefix and the length, `"a1b2c3…(64)"`.
///
/// The prefix is at most 6 characters and at most a quarter of the token, so short tokens
/// reveal less; characters outside printable ASCII in the prefix become `?`. Enough to
/// tell two devices apart in a log, too little to push to one. Every log line that mentions
/// a token goes through this function (DESIGN.md, Surfaces: "device tokens and secrets
/// redacted").
[[nodiscard]] std::string redact_token(std::string_view token);

/// A secret fit for logs: always `"***"`, whatever its content or length.
[[nodiscard]] std::string redact_secret(std::string_view secret);

} // namespace herald::protocol
