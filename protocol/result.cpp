#include "protocol/result.hpp"

namespace herald::protocol {

std::string error::describe() const {
  std::string out;
  if (index >= 0) {
    out += "event " + std::to_string(index) + ": ";
  }
  if (!field.empty()) {
    out += "field " + field + ": ";
  }
  out += message;
  return out;
}

} // namespace herald::protocol
