#include "transports/http_dispatch.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

namespace herald::transports::detail {

namespace {

/// The one-shot completion behind every copy of an `http_responder`. Its destructor is the
/// "dropped without answering" detector: the last copy going away unanswered yields a 503.
class responder_state {
public:
  responder_state(std::function<void(http_response)> deliver, std::chrono::seconds retry_after)
      : deliver_(std::move(deliver)), retry_after_(retry_after) {}
  responder_state(const responder_state&) = delete;
  responder_state& operator=(const responder_state&) = delete;

  ~responder_state() {
    if (!answered_.exchange(true)) {
      spdlog::error("http: request handler dropped its responder without answering; sending 503");
      deliver_(http_response::unavailable("the request was lost inside the server; retry later",
                                          static_cast<int>(retry_after_.count())));
    }
  }

  void answer(http_response response) {
    if (answered_.exchange(true)) {
      spdlog::error("http: responder called more than once; later answer ignored");
      return;
    }
    deliver_(std::move(response));
  }

  /// Answers unless the handler already did; for the exception path.
  void answer_if_pending(http_response response) {
    if (!answered_.exchange(true)) {
      deliver_(std::move(response));
    }
  }

private:
  std::function<void(http_response)> deliver_;
  std::chrono::seconds retry_after_;
  std::atomic<bool> answered_{false};
};

/// RFC 9113 section 8.2.2: connection-specific fields must not appear in HTTP/2.
bool connection_specific(const std::string& lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding" ||
         lower_name == "upgrade";
}

std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return s;
}

} // namespace

std::string http_date() {
  // Built by hand: strftime's names follow the locale.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

void dispatch_to_handler(const http_handler& handler, http_request&& request,
                         std::function<void(http_response)> deliver,
                         std::chrono::seconds retry_after) {
  auto state = std::make_shared<responder_state>(std::move(deliver), retry_after);
  try {
    handler(std::move(request), [state](http_response r) { state->answer(std::move(r)); });
  } catch (const std::exception& e) {
    spdlog::error("http: request handler threw (a bug): {}", e.what());
    state->answer_if_pending(http_response::problem(500, "Internal Server Error",
                                                    "the server failed to handle the request"));
  } catch (...) {
    spdlog::error("http: request handler threw a non-exception (a bug)");
    state->answer_if_pending(http_response::problem(500, "Internal Server Error",
                                                    "the server failed to handle the request"));
  }
}

h2_request_handler bridge_to_http_handler(http_handler handler, std::string server_name,
                                          std::chrono::seconds retry_after) {
  return [handler = std::move(handler), server_name = std::move(server_name),
          retry_after](h2_server_request in, h2_responder responder) {
    http_request req;
    req.method = std::move(in.method);
    req.target = std::move(in.path);
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? std::string{} : req.target.substr(q + 1);
    req.headers.reserve(in.headers.size() + 1);
    bool has_host = false;
    for (auto& [name, value] : in.headers) {
      has_host = has_host || name == "host";
      req.headers.emplace_back(std::move(name), std::move(value));
    }
    if (!has_host && !in.authority.empty()) {
      // RFC 9113 section 8.3.1: `:authority` stands in for the HTTP/1.1 Host field.
      req.headers.emplace_back("host", std::move(in.authority));
    }
    req.body = std::move(in.body);
    req.remote = std::move(in.remote);
    auto deliver = [responder, server_name](http_response r) {
      h2_headers headers;
      headers.reserve(r.headers.size() + 2);
      for (auto& [name, value] : r.headers) {
        auto key = lower(std::move(name));
        if (!connection_specific(key) && key != "date" && key != "server") {
          headers.emplace_back(std::move(key), std::move(value));
        }
      }
      headers.emplace_back("date", http_date());
      headers.emplace_back("server", server_name);
      responder.respond(r.status, std::move(headers), std::move(r.body));
    };
    dispatch_to_handler(handler, std::move(req), std::move(deliver), retry_after);
  };
}

} // namespace herald::transports::detail
