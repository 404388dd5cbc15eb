#include "protocol/https_target.hpp"

#include <algorithm>
#include <cctype>

namespace herald::protocol {

result<https_target> split_https_url(std::string_view url, std::string field) {
  auto fail = [&](std::string message) {
    return error{errc::invalid_field, std::move(field), std::move(message)};
  };
  constexpr std::string_view scheme = "https://";
  if (url.size() < scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), url.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    return fail("URL must start with https://");
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return fail("URL contains whitespace or control characters");
  }
  if (url.find('#') != std::string_view::npos) {
    return fail("URL must not have a fragment");
  }
  const std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find_first_of("/?");
  https_target out;
  out.authority = std::string(rest.substr(0, slash));
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.path.empty() && out.path.front() == '?') {
    out.path.insert(out.path.begin(), '/');
  }
  if (out.authority.find('@') != std::string::npos) {
    return fail("URL must not carry user information");
  }
  const auto colon = out.authority.rfind(':');
  out.host = out.authority.substr(0, colon);
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.host.empty()) {
    return fail("URL has no host");
  }
  return out;
}

} // namespace herald::protocol
