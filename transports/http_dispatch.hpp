#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "transports/h2_server.hpp"
#include "transports/http_server.hpp"

namespace herald::transports::detail {

/// Current time as an IMF-fixdate (RFC 9110 section 5.6.7), for the `Date` header.
[[nodiscard]] std::string http_date();

/// Hands `request` to `handler` with a one-shot responder whose answer goes to `deliver`.
/// The same rules hold whatever the HTTP version: a responder dropped unanswered yields 503
/// with `Retry-After: retry_after`, a second answer is ignored and logged, an exception
/// escaping the handler yields 500. `deliver` may be called from any thread.
void dispatch_to_handler(const http_handler& handler, http_request&& request,
                         std::function<void(http_response)> deliver,
                         std::chrono::seconds retry_after);

/// An `h2_request_handler` that turns each HTTP/2 request into the `http_request` an
/// HTTP/1.1 connection would have produced (`host` from `:authority`, target split into
/// path and query) and sends the `http_response` back on its stream with `date` and `server`
/// added, so `handler` cannot tell the versions apart.
[[nodiscard]] h2_request_handler bridge_to_http_handler(http_handler handler,
                                                        std::string server_name,
                                                        std::chrono::seconds retry_after);

} // namespace herald::transports::detail
