#include "store/store_error.hpp"

namespace herald::store {

std::string_view to_string(errc code) noexcept {
  switch (code) {
  case errc::unavailable:
    return "unavailable";
  case errc::corrupt:
    return "corrupt";
  case errc::constraint:
    return "constraint";
  case errc::busy:
    return "busy";
  case errc::not_found:
    return "not_found";
  case errc::io:
    return "io";
  }
  return "unknown";
}

std::string store_error::describe() const {
  std::string out(to_string(code));
  out += ": ";
  out += message;
  return out;
}

} // namespace herald::store
