// libFuzzer target: any bytes as the `data` of every known ACS event type, then the intent
// builder; and as a rawId / identifier JSON. Broken invariants trap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/acs_event.hpp"
#include "protocol/communication_identifier.hpp"
#include "protocol/event_catalog.hpp"
#include "protocol/intent_builder.hpp"

using namespace herald::protocol;

namespace {

void check(bool invariant) {
  if (!invariant) {
    __builtin_trap();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};

  // Normalisation is idempotent: a normalised rawId normalises to itself.
  const auto id = communication_identifier::from_raw_id(text);
  const auto again = communication_identifier::from_raw_id(id.to_raw_id());
  check(again.to_raw_id() == id.to_raw_id() && again.kind() == id.kind());
  (void)parse_communication_identifier_json(text);

  for (const event_catalog_entry& entry : event_catalog()) {
    auto ev = parse_acs_event_json(entry.name, text);
    if (!ev) {
      continue;
    }
    const auto intents = build_intents(std::move(ev).value(), event_meta{"id", entry.name, {}});
    check(intents.size() <= 1);
    for (const intent& in : intents) {
      check(in.event_type == entry.name);
      // Only CallEnded leaves the recipient to the router.
      check(!in.recipient.empty() || entry.type == acs_event_type::call_ended);
    }
  }
  return 0;
}
