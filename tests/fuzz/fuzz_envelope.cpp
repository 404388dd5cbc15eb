// libFuzzer target: any bytes through decode_batch with every content kind, and through the
// Content-Type parser. Crashes, sanitizer reports and broken invariants (traps) are findings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/envelope.hpp"

using namespace herald::protocol;

namespace {

void check(bool invariant) {
  if (!invariant) {
    __builtin_trap();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body{reinterpret_cast<const char*>(data), size};
  (void)content_kind_from(body);
  for (const auto kind :
       {content_kind::event_grid, content_kind::cloud_event, content_kind::cloud_event_batch}) {
    auto r = decode_batch(body, kind);
    if (!r) {
      check(!r.error().describe().empty());
      continue;
    }
    const decoded_batch& batch = r.value();
    check(batch.kind == kind);
    if (batch.validation_code) {
      check(batch.events.empty());
      check(!validation_response_body(*batch.validation_code).empty());
    }
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const decoded_event& ev = batch.events[i];
      check(!ev.id.empty() && !ev.type.empty());
      check(!ev.fault || (ev.intents.empty() && ev.fault->index == static_cast<int>(i)));
      check(ev.known || ev.intents.empty());
      for (const intent& in : ev.intents) {
        check(in.event_id == ev.id);
      }
    }
  }
  return 0;
}
