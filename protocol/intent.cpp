#include "protocol/intent.hpp"

namespace herald::protocol {

std::string_view to_string(intent_kind k) noexcept {
  switch (k) {
  case intent_kind::ring:
    return "ring";
  case intent_kind::cancel_ring:
    return "cancel-ring";
  case intent_kind::chat_alert:
    return "chat-alert";
  }
  return "unknown";
}

std::string_view to_string(lane l) noexcept {
  switch (l) {
  case lane::call:
    return "call";
  case lane::chat:
    return "chat";
  case lane::bulk:
    return "bulk";
  }
  return "unknown";
}

} // namespace herald::protocol
