#include "protocol/verdict.hpp"

namespace herald::protocol {

std::string_view to_string(verdict_kind k) noexcept {
  switch (k) {
  case verdict_kind::accepted:
    return "accepted";
  case verdict_kind::rejected:
    return "rejected";
  case verdict_kind::failed:
    return "failed";
  case verdict_kind::unauthorized:
    return "unauthorized";
  }
  return "unknown";
}

} // namespace herald::protocol
