#include "protocol/servicebus.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <optional>

#include "protocol/base64url.hpp"

namespace herald::protocol {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

error invalid(std::string field, std::string message) {
  return error{errc::invalid_field, std::move(field), std::move(message), -1};
}

/// `sb://host` or `sb://host/` → host.
result<std::string> endpoint_host(std::string_view endpoint) {
  constexpr std::string_view scheme = "sb://";
  if (endpoint.size() < scheme.size() || !iequals(endpoint.substr(0, scheme.size()), scheme)) {
    return invalid("Endpoint", "must start with sb:// (sb://<namespace>.servicebus.windows.net/)");
  }
  auto host = endpoint.substr(scheme.size());
  if (!host.empty() && host.back() == '/') {
    host.remove_suffix(1);
  }
  if (host.empty() || host.find_first_of("/?#@ ") != std::string_view::npos) {
    return invalid("Endpoint", "must be sb://<host>/ without a path, query or user");
  }
  return std::string(host);
}

} // namespace

std::string servicebus_connection::resource_uri(std::string_view entity) const {
  return "amqp://" + host + "/" + std::string(entity);
}

result<servicebus_connection> parse_servicebus_connection(std::string_view text) {
  struct part {
    std::string_view name;
    std::optional<std::string_view> value;
  };
  std::array<part, 4> parts{
      {{"Endpoint", {}}, {"SharedAccessKeyName", {}}, {"SharedAccessKey", {}}, {"EntityPath", {}}}};
  while (!text.empty()) {
    auto end = text.find(';');
    auto segment = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (segment.empty()) {
      continue;
    }
    auto eq = segment.find('=');
    if (eq == std::string_view::npos) {
      // Name only the part before any secret could start.
      return invalid(std::string(segment.substr(0, std::min<std::size_t>(segment.size(), 24))),
                     "connection string segment without '=' (expected Key=Value)");
    }
    auto key = trim(segment.substr(0, eq));
    auto* found = static_cast<part*>(nullptr);
    for (auto& p : parts) {
      if (iequals(p.name, key)) {
        found = &p;
      }
    }
    if (found == nullptr) {
      return invalid(std::string(key), "unknown connection string key (expected Endpoint, "
                                       "SharedAccessKeyName, SharedAccessKey, EntityPath)");
    }
    if (found->value) {
      return invalid(std::string(found->name), "given twice in the connection string");
    }
    found->value = trim(segment.substr(eq + 1));
  }
  for (std::size_t i = 0; i < 3; ++i) {
    if (!parts[i].value || parts[i].value->empty()) {
      return error{errc::missing_field, std::string(parts[i].name),
                   "required in a Service Bus connection string", -1};
    }
  }
  auto host = endpoint_host(*parts[0].value);
  if (!host) {
    return host.error();
  }
  servicebus_connection out;
  out.host = std::move(host).value();
  out.key_name = std::string(*parts[1].value);
  out.key = std::string(*parts[2].value);
  out.entity_path = std::string(parts[3].value.value_or(std::string_view{}));
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0x0f]);
    }
  }
  return out;
}

result<std::string> make_sas_token(std::string_view resource_uri, std::string_view key_name,
                                   std::string_view key,
                                   std::chrono::system_clock::time_point expiry) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch());
  auto se = std::to_string(seconds.count());
  auto sr = percent_encode(resource_uri);
  auto to_sign = sr + "\n" + se;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  // The key is used as its UTF-8 bytes, not base64-decoded (as every Azure SDK does).
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac.data(),
           &mac_len) == nullptr) {
    return error{errc::crypto_failure, "SharedAccessKey", "HMAC-SHA256 failed", -1};
  }
  auto sig = base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_len));
  return "SharedAccessSignature sr=" + sr + "&sig=" + percent_encode(sig) + "&se=" + se +
         "&skn=" + std::string(key_name);
}

} // namespace herald::protocol
