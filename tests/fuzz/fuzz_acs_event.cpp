// libFuzzer target: any bytes as the `data` of every known ACS event type, then the intent
// builder; as a rawId / identifier JSON; and as base64 and an incomingCallContext (the SIMD
// base64 paths and the VoIP payload writer). Broken invariants trap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/acs_event.hpp"
#include "protocol/base64url.hpp"
#include "protocol/communication_identifier.hpp"
#include "protocol/event_catalog.hpp"
#include "protocol/intent_builder.hpp"
#include "protocol/voip_payload.hpp"

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

  // The check and the decoder agree; decoding what was encoded gives it back.
  const auto decoded = base64url_decode(text);
  check(is_base64(text) == decoded.has_value());
  if (decoded) {
    const auto round = base64url_decode(base64url_encode(decoded.value()));
    check(round.has_value() && round.value() == decoded.value());
  }
  // The input as a whole context and as its payload: the direct writer equals the field copy.
  for (const std::string& context :
       {std::string{text}, "e30." + base64url_encode(text) + ".c2ln"}) {
    intent in;
    in.call.call_id = "call";
    in.recipient = "8:acs:r";
    in.call.caller_display_name = std::string{text.substr(0, 300)};
    in.call.incoming_call_context = context;
    const auto fields = make_call_push_fields(in);
    std::string body;
    const auto appended = append_voip_payload(in, body);
    check(fields.has_value() == appended.has_value());
    check(!fields || body == make_voip_payload(fields.value()));
    check(!fields || is_base64(fields.value().cp));
  }

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
