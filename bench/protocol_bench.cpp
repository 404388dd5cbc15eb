// Micro-benchmark of the protocol hot path: one Event Grid batch of 100 IncomingCall events →
// `decode_batch` → `encode_apns` for an apns-voip registration per ring intent. Items = events,
// so Google Benchmark's items_per_second is events/s on one core. docs/BENCHMARKS.md has the
// command and the figures.

#include <chrono>
#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/apns_request.hpp"
#include "protocol/base64url.hpp"
#include "protocol/envelope.hpp"

namespace {

namespace hp = herald::protocol;

constexpr int batch_size = 100;

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string{HERALD_SAMPLES_DIR} + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A well-formed incomingCallContext (`header.payload.signature`, payload `{"cc": base64}`) of
/// about the size ACS sends (the sample's own is corrupt, see its SOURCES.md note).
std::string valid_call_context(int seed) {
  std::string cc_bytes;
  for (int i = 0; i < 700; ++i) {
    cc_bytes.push_back(static_cast<char>((i * 31 + seed * 7) & 0xFF));
  }
  const std::string payload = R"({"cc":")" + hp::base64url_encode(cc_bytes) + R"("})";
  return hp::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
         hp::base64url_encode(payload) + ".c2lnbmF0dXJl";
}

void set_string(rapidjson::Value& obj, const char* key, const std::string& text,
                rapidjson::Document::AllocatorType& alloc) {
  obj[key].SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

/// The IncomingCall sample repeated `batch_size` times with distinct ids, callees and call ids.
std::string make_batch() {
  rapidjson::Document sample;
  const std::string text = read_sample("eventgrid-IncomingCall-1.json");
  sample.Parse(text.data(), text.size());
  if (sample.HasParseError() || !sample.IsArray() || sample.Empty()) {
    return {};
  }
  rapidjson::Document batch(rapidjson::kArrayType);
  auto& alloc = batch.GetAllocator();
  for (int i = 0; i < batch_size; ++i) {
    rapidjson::Value ev(sample[0], alloc);
    const std::string n = std::to_string(i);
    const std::string callee =
        "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000014-1889-f3a7-6a0b-" +
        std::string(12 - n.size(), '0') + n;
    set_string(ev, "id", "d5546be8-227a-4db8-b2c3-" + std::string(12 - n.size(), '0') + n, alloc);
    rapidjson::Value& data = ev["data"];
    set_string(data["to"], "rawId", callee, alloc);
    set_string(data["to"]["communicationUser"], "id", callee, alloc);
    set_string(data, "correlationId",
               "d732db64-4803-462d-be9c-" + std::string(12 - n.size(), '0') + n, alloc);
    set_string(data, "incomingCallContext", valid_call_context(i), alloc);
    batch.PushBack(ev, alloc);
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  batch.Accept(writer);
  return {out.GetString(), out.GetSize()};
}

hp::registration voip_registration() {
  hp::registration reg;
  reg.app = "bench";
  reg.device_id = "device-1";
  reg.channel = hp::platform::apns_voip;
  reg.token = std::string(64, 'a');
  return reg;
}

hp::apns_settings bench_settings() {
  hp::apns_settings s;
  s.bundle_id = "com.example.app";
  return s;
}

/// The whole path: decode the batch, then encode one APNs VoIP request per ring intent.
void bm_batch_to_apns_requests(benchmark::State& state) {
  const std::string body = make_batch();
  const hp::registration reg = voip_registration();
  const hp::apns_settings settings = bench_settings();
  const auto now = std::chrono::system_clock::now();
  std::size_t requests = 0;
  for (auto _ : state) {
    auto batch = hp::decode_batch(body, hp::content_kind::event_grid);
    if (!batch) {
      state.SkipWithError(batch.error().message.c_str());
      return;
    }
    for (const auto& ev : batch.value().events) {
      for (const auto& in : ev.intents) {
        auto req = hp::encode_apns(in, reg, settings, now);
        if (!req) {
          state.SkipWithError(req.error().message.c_str());
          return;
        }
        benchmark::DoNotOptimize(req.value().body.data());
        ++requests;
      }
    }
  }
  if (requests != static_cast<std::size_t>(state.iterations()) * batch_size) {
    state.SkipWithError("not one APNs request per event");
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(bm_batch_to_apns_requests);

/// Decoding alone (envelope, ACS data, intents), to split the figure above.
void bm_decode_batch(benchmark::State& state) {
  const std::string body = make_batch();
  for (auto _ : state) {
    auto batch = hp::decode_batch(body, hp::content_kind::event_grid);
    if (!batch) {
      state.SkipWithError(batch.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(batch.value().events.data());
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}
BENCHMARK(bm_decode_batch);

/// Encoding alone: one APNs VoIP request per intent of an already decoded batch.
void bm_encode_apns(benchmark::State& state) {
  const std::string body = make_batch();
  auto batch = hp::decode_batch(body, hp::content_kind::event_grid);
  if (!batch) {
    state.SkipWithError(batch.error().message.c_str());
    return;
  }
  const hp::registration reg = voip_registration();
  const hp::apns_settings settings = bench_settings();
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    for (const auto& ev : batch.value().events) {
      for (const auto& in : ev.intents) {
        auto req = hp::encode_apns(in, reg, settings, now);
        benchmark::DoNotOptimize(req);
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}
BENCHMARK(bm_encode_apns);

} // namespace

BENCHMARK_MAIN();
