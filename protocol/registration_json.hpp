#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/registration.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// Parses the body of `PUT /v1/apps/{app}/devices/{deviceId}`:
/// `{"identity": rawId, "platform": "apns"|"apns-voip"|"fcm"|"wns", "token": ...}` plus optional
/// `environment` (`production`|`sandbox`), `locale`, `tags` (array of strings) and `expiresAt`
/// (RFC 3339). `app` and `device_id` come from the path; `updated_at` is `now`.
/// Validation, each failure naming its field: identity not empty and at most 256 bytes; token
/// format per platform (APNs: 64–200 hex digits; FCM: 32–4096 characters of
/// `[A-Za-z0-9_:.-]`; WNS: an `https://` channel URI); known platform and environment; tags
/// at most 32 of at most 64 bytes; expiresAt in the future. A registration without
/// `expiresAt` expires `default_ttl` after `now`, or never when `default_ttl` is zero.
[[nodiscard]] result<registration>
parse_registration_json(std::string_view body, std::string_view app, std::string_view device_id,
                        std::chrono::system_clock::time_point now,
                        std::chrono::seconds default_ttl);

/// Parses one line of an NDJSON import (`POST /v1/apps/{app}/devices:import`): the object
/// `parse_registration_json` accepts plus `deviceId` (required, `valid_device_id`), so every
/// line of an export (`registration_to_json`) is a valid import line. Its `app`,
/// `updatedAtMs` are ignored (the path names the app; the import time is `now`); an
/// `expiresAtMs` (Unix milliseconds, in the future) stands for an absent `expiresAt`.
[[nodiscard]] result<registration>
parse_registration_line(std::string_view line, std::string_view app,
                        std::chrono::system_clock::time_point now,
                        std::chrono::seconds default_ttl);

/// The normalised rawId of an identity that can hold app registrations (an ACS or Teams
/// user, at most 256 bytes), or nullopt.
[[nodiscard]] std::optional<std::string> registrable_identity(std::string_view raw);

/// Encodes a registration as the REST API returns it (token included: the caller owns it).
[[nodiscard]] std::string registration_to_json(const registration& reg);

/// Checks a token's format for its platform (see `parse_registration_json`); errors name
/// the field `token`.
[[nodiscard]] result<void> validate_token(platform p, std::string_view token);

/// Checks a device id taken from a URL path: 1–128 bytes of `[A-Za-z0-9._:-]`.
[[nodiscard]] bool valid_device_id(std::string_view id) noexcept;

} // namespace herald::protocol
