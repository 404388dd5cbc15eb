#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace herald::protocol {

/// The parts of an Azure Service Bus connection string
/// (`Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<rule>;`
/// `SharedAccessKey=<key>[;EntityPath=<queue>]`), as the Azure portal shows it.
struct servicebus_connection {
  std::string host;        ///< `<namespace>.servicebus.windows.net` (from `Endpoint`).
  std::string key_name;    ///< `SharedAccessKeyName`: the authorization rule.
  std::string key;         ///< `SharedAccessKey`: the secret the SAS token is signed with.
  std::string entity_path; ///< `EntityPath`: the queue; empty for a namespace-level string.

  /// The CBS audience and SAS resource URI of `entity`: `amqp://<host>/<entity>`.
  [[nodiscard]] std::string resource_uri(std::string_view entity) const;
};

/// Parses a Service Bus connection string: `;`-separated `Key=Value` pairs (keys compared
/// case-insensitively, empty segments ignored, the value is everything after the first `=`).
/// `Endpoint` (scheme `sb://`), `SharedAccessKeyName` and `SharedAccessKey` are required.
/// Fails with the offending part as `field`: `missing_field` for an absent or empty key,
/// `invalid_field` for a segment without `=`, a repeated or unknown key, or an endpoint that is
/// not `sb://host[/]`. Never echoes the key in an error.
[[nodiscard]] result<servicebus_connection> parse_servicebus_connection(std::string_view text);

/// Percent-encodes every byte except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// with upper-case hex (as JavaScript's `encodeURIComponent` does for ASCII).
[[nodiscard]] std::string percent_encode(std::string_view text);

/// A Shared Access Signature for `resource_uri`, valid until `expiry`:
/// `SharedAccessSignature sr=<enc uri>&sig=<enc sig>&se=<expiry>&skn=<key name>`, where
/// `sig` is base64(HMAC-SHA256(key bytes, "<enc uri>\n<expiry>")), `expiry` in Unix seconds,
/// and `enc` is `percent_encode` (Service Bus documentation, "Generate a SAS token").
/// Fails (`crypto_failure`) only if OpenSSL cannot compute the MAC.
[[nodiscard]] result<std::string> make_sas_token(std::string_view resource_uri,
                                                 std::string_view key_name, std::string_view key,
                                                 std::chrono::system_clock::time_point expiry);

} // namespace herald::protocol
