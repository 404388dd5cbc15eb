#include "transports/http_response.hpp"

#include <boost/beast/core/string.hpp>

namespace herald::transports {

void append_json_escaped(std::string& out, std::string_view in) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : in) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += "\\u00";
        out += hex[(c >> 4) & 0xf];
        out += hex[c & 0xf];
      } else {
        out += c;
      }
    }
  }
}

http_response http_response::problem(int status, std::string_view title, std::string_view detail,
                                     std::string_view field) {
  http_response out;
  out.status = status;
  out.headers.emplace_back("content-type", "application/problem+json");
  // RFC 9457 section 3.1: "about:blank" is the type when only the status code matters.
  std::string& b = out.body;
  b = R"({"type":"about:blank","title":")";
  append_json_escaped(b, title);
  b += R"(","status":)";
  b += std::to_string(status);
  b += R"(,"detail":")";
  append_json_escaped(b, detail);
  b += '"';
  if (!field.empty()) {
    b += R"(,"field":")";
    append_json_escaped(b, field);
    b += '"';
  }
  b += '}';
  return out;
}

http_response http_response::method_not_allowed(std::string allow) {
  auto out = problem(405, "Method Not Allowed", "this path accepts " + allow);
  out.headers.emplace_back("allow", std::move(allow));
  return out;
}

http_response http_response::unavailable(std::string_view detail, int retry_after_seconds) {
  auto out = problem(503, "Service Unavailable", detail);
  out.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
  return out;
}

http_response http_response::json(int status, std::string body) {
  http_response out;
  out.status = status;
  out.headers.emplace_back("content-type", "application/json");
  out.body = std::move(body);
  return out;
}

const std::string* http_response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, boost::beast::string_view(name.data(), name.size()))) {
      return &value;
    }
  }
  return nullptr;
}

} // namespace herald::transports
