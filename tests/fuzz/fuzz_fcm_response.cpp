// libFuzzer target: classify_fcm must give a verdict for any status and body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/fcm_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald::protocol;
  if (size < 2) {
    return 0;
  }
  provider_response response;
  response.status = 100 + (data[0] << 8 | data[1]) % 500;
  response.body.assign(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto v = classify_fcm(response, std::chrono::system_clock::time_point{});
  if (v.token_dead && v.kind != verdict_kind::rejected) {
    __builtin_trap();
  }
  if (v.kind == verdict_kind::accepted && response.status != 200) {
    __builtin_trap();
  }
  return 0;
}
