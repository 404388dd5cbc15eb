#include "app/config_endpoint.hpp"

#include <charconv>

namespace herald::app {
namespace {

struct host_port {
  std::string host;
  std::string port; // digits, possibly empty
};

// Splits "host", "host:port", "[v6]" or "[v6]:port". Empty host is an error.
config_result<host_port> split_host_port(std::string_view text) {
  host_port out;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return config_failure("", "unclosed '[' in address \"" + std::string(text) + "\"");
    }
    out.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return config_failure("", "unexpected text after ']' in \"" + std::string(text) + "\"");
      }
      out.port = std::string(rest.substr(1));
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return config_failure("", "IPv6 addresses need brackets: \"" + std::string(text) + "\"");
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      out.port = std::string(text.substr(colon + 1));
    }
  }
  if (out.host.empty()) {
    return config_failure("", "missing host in \"" + std::string(text) + "\"");
  }
  return out;
}

config_result<std::uint16_t> parse_port(std::string_view digits, std::string_view text) {
  unsigned value = 0;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec != std::errc{} || ptr != end || value > 65535) {
    return config_failure("", "bad port in \"" + std::string(text) + "\" (0..65535)");
  }
  return static_cast<std::uint16_t>(value);
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

std::string endpoint::to_string() const {
  return scheme + "://" + bracketed(host) + ":" + std::to_string(port) + path;
}

std::string listen_address::to_string() const {
  return bracketed(host) + ":" + std::to_string(port);
}

config_result<endpoint> parse_endpoint(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  endpoint out;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return config_failure("", "not a URL: " + quoted + " (expected https://host[:port])");
  }
  out.scheme = std::string(text.substr(0, sep));
  if (out.scheme != "https" && out.scheme != "http") {
    return config_failure("", "unsupported scheme in " + quoted + " (https, or http for h2c)");
  }
  auto rest = text.substr(sep + 3);
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    out.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  if (rest.find_first_of("@?#") != std::string_view::npos ||
      out.path.find_first_of("?#") != std::string::npos) {
    return config_failure("", "user info, query and fragment are not allowed in " + quoted);
  }
  auto hp = split_host_port(rest);
  if (!hp) {
    return hp.error();
  }
  out.host = std::move(hp.value().host);
  if (hp.value().port.empty()) {
    out.port = out.tls() ? 443 : 80;
  } else {
    auto port = parse_port(hp.value().port, text);
    if (!port) {
      return port.error();
    }
    out.port = port.value();
    if (out.port == 0) {
      return config_failure("", "port 0 in " + quoted + " (a peer needs a real port)");
    }
  }
  return out;
}

config_result<listen_address> parse_listen_address(std::string_view text) {
  auto hp = split_host_port(text);
  if (!hp) {
    return hp.error();
  }
  if (hp.value().port.empty()) {
    return config_failure("", "missing port in \"" + std::string(text) + "\" (host:port)");
  }
  auto port = parse_port(hp.value().port, text);
  if (!port) {
    return port.error();
  }
  return listen_address{std::move(hp.value().host), port.value()};
}

} // namespace herald::app
