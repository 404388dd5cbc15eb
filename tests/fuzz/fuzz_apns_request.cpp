// libFuzzer target: Event Grid bytes through decode_batch, then every intent (and a fixed
// ring) through encode_apns for apns and apns-voip registrations, once with a valid device
// token and once with a token spoilt by the input's last two bytes (a character and its
// position; positions past 63 lengthen the token). Invariants: the token check agrees with a
// one-character-at-a-time reference, the header list reads back as many fields as it holds,
// the apns-id is a version 5 UUID.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/apns_request.hpp"
#include "protocol/envelope.hpp"

using namespace herald::protocol;

namespace {

void check(bool invariant) {
  if (!invariant) {
    __builtin_trap();
  }
}

bool reference_hex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body{reinterpret_cast<const char*>(data), size};
  std::string spoilt(64, 'b');
  if (size >= 2) {
    const std::size_t at = data[size - 1] % 80u;
    spoilt.resize(std::max(spoilt.size(), at + 1), 'c');
    spoilt[at] = static_cast<char>(data[size - 2]);
  }

  apns_settings settings;
  settings.bundle_id = "com.example.app";
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000}};
  intent ring;
  ring.kind = intent_kind::ring;
  ring.recipient = "8:acs:callee";
  ring.event_id = "ev-1";
  ring.call.call_id = "call-1";
  std::vector<intent> intents{ring};
  auto batch = decode_batch(body, content_kind::event_grid);
  if (batch) {
    for (const decoded_event& ev : batch.value().events) {
      intents.insert(intents.end(), ev.intents.begin(), ev.intents.end());
    }
  }
  for (const intent& in : intents) {
    for (const auto& [p, token] :
         {std::pair{platform::apns, std::string_view{spoilt}},
          std::pair{platform::apns_voip, std::string_view{spoilt}},
          std::pair{platform::apns, std::string_view{"0123456789abcdefABCDEF"}},
          std::pair{platform::apns_voip, std::string_view{"00ff"}}}) {
      registration reg;
      reg.app = "app";
      reg.device_id = "device-1";
      reg.channel = p;
      reg.token = std::string{token};
      auto r = encode_apns(in, reg, settings, now);
      const bool token_ok = !token.empty() && token.size() <= 200 && reference_hex(token);
      if (!token_ok) {
        check(!r && r.error().field == "token");
        continue;
      }
      if (!r) {
        check(r.error().field != "token");
        continue;
      }
      const provider_request& req = r.value();
      std::size_t fields = 0;
      for (const auto& [name, value] : req.headers) {
        check(!name.empty());
        ++fields;
      }
      check(fields == req.headers.size());
      const std::string_view id = req.header("apns-id");
      check(id.size() == 36 && id[8] == '-' && id[13] == '-' && id[14] == '5' && id[18] == '-' &&
            id[23] == '-');
      check(req.header("apns-topic").substr(0, settings.bundle_id.size()) == settings.bundle_id);
      check(req.path == "/3/device/" + std::string{token});
    }
  }
  return 0;
}
