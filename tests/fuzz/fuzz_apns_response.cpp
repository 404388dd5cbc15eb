// libFuzzer target: classify_apns must give a verdict for any status, headers and body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/apns_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald::protocol;
  if (size < 2) {
    return 0;
  }
  // First two bytes pick the status; the next line (up to '\n') is a retry-after value.
  provider_response response;
  response.status = 100 + (data[0] << 8 | data[1]) % 500;
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto nl = rest.find('\n');
  if (nl != std::string::npos) {
    response.headers.emplace_back("retry-after", rest.substr(0, nl));
    response.body = rest.substr(nl + 1);
  } else {
    response.body = rest;
  }
  const auto v = classify_apns(response, std::chrono::system_clock::time_point{});
  // Invariants: a dead token is only ever a rejection; only 410 carries a death time.
  if (v.token_dead && v.kind != verdict_kind::rejected) {
    __builtin_trap();
  }
  if (v.token_dead_since && response.status != 410) {
    __builtin_trap();
  }
  return 0;
}
