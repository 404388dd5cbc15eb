#include "protocol/provider_request.hpp"

namespace herald::protocol {

const std::string& provider_response::header(const std::string& name) const {
  static const std::string none;
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return none;
}

} // namespace herald::protocol
