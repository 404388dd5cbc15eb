#include "protocol/provider_request.hpp"

namespace herald::protocol {

namespace {

const std::string& find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& name) {
  static const std::string none;
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return none;
}

} // namespace

const std::string& provider_request::header(const std::string& name) const {
  return find_header(headers, name);
}

const std::string& provider_response::header(const std::string& name) const {
  return find_header(headers, name);
}

} // namespace herald::protocol
