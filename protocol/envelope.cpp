#include "protocol/envelope.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "protocol/acs_event.hpp"
#include "protocol/event_catalog.hpp"
#include "protocol/event_envelope.hpp"
#include "protocol/intent_builder.hpp"
#include "protocol/json_access.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/shared_text_pool.hpp"

namespace herald::protocol {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

/// True when every `charset` parameter in `params` (`; a=b; charset=utf-8`) is UTF-8.
bool charset_is_utf8(std::string_view params) noexcept {
  while (!params.empty()) {
    const auto semi = params.find(';', 1);
    const std::string_view param =
        trim(params.substr(1, semi == std::string_view::npos ? std::string_view::npos : semi - 1));
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && json::iequals(trim(param.substr(0, eq)), "charset")) {
      std::string_view value = trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (!json::iequals(value, "utf-8") && !json::iequals(value, "utf8")) {
        return false;
      }
    }
    if (semi == std::string_view::npos) {
      break;
    }
    params.remove_prefix(semi);
  }
  return true;
}

/// Reads `data` of one envelope into `ev` (views into the parsed document) and sets `out`'s
/// known flag or fault: true when `ev` is ready for `finish_event`.
bool read_event(const event_envelope& env, int index, decoded_event& out, acs_event& ev) {
  const event_catalog_entry& entry = lookup_event_type(env.type);
  out.known = entry.type != acs_event_type::unknown;
  if (!out.known) {
    return false; // accepted, counted by the caller, ignored (DESIGN.md step 2)
  }
  if (env.data_problem) {
    out.fault = env.data_problem;
    return false;
  }
  if (!env.data) {
    out.fault = error{errc::missing_field, "data", "required for " + std::string{env.type}, index};
    return false;
  }
  if (auto fault = read_acs_event(entry.type, *env.data, ev)) {
    out.fault = std::move(fault);
    out.fault->index = index;
    return false;
  }
  return true;
}

/// The warnings and intents of a read event, its call strings kept in `pool`.
void finish_event(acs_event& ev, int index, decoded_event& out, shared_text_pool& pool) {
  for (auto& w : ev.warnings) {
    w.index = index;
    out.warnings.push_back(std::move(w));
  }
  ev.warnings.clear();
  const bool addressed_to_nobody = catalog_entry(ev.type).policy == push_policy::ring && ev.to &&
                                   ev.to->kind() == identifier_kind::unknown;
  out.intents = build_intents(std::move(ev), event_meta{out.id, out.type, out.time}, pool);
  if (addressed_to_nobody) {
    // Typically the documentation's `{recipient-id}` placeholder: nobody can be registered.
    out.warnings.push_back(
        error{errc::invalid_field, "data.to", "rawId has no known prefix; nobody to ring", index});
  }
}

result<bool> check_validation(const event_envelope& env, int index, decoded_batch& batch) {
  if (!json::iequals(env.type, subscription_validation_event_type)) {
    return false;
  }
  const json::value* code = env.data ? json::find(*env.data, "validationCode") : nullptr;
  if (!code || !code->IsString() || code->GetStringLength() == 0) {
    return error{errc::missing_field, "data.validationCode",
                 "validation event without a validation code", index};
  }
  batch.validation_code = std::string{json::view(*code)};
  if (const json::value* url = json::find(*env.data, "validationUrl"); url && url->IsString()) {
    batch.validation_url = std::string{json::view(*url)};
  }
  return true;
}

/// Calls `f(buffer)` with room for `size` bytes: this thread's parse buffer, reused from batch
/// to batch (no allocation, no fresh pages per body), or for a body over `keep_size` a buffer
/// of its own, freed afterwards, so one huge body does not pin its memory to the thread.
template <class F>
auto with_parse_buffer(std::size_t size, F&& f) {
  constexpr std::size_t keep_size = std::size_t{1} << 20;
  if (size > keep_size) {
    const auto own = std::make_unique_for_overwrite<char[]>(size);
    return f(own.get());
  }
  thread_local const auto kept = std::make_unique_for_overwrite<char[]>(keep_size);
  return f(kept.get());
}

/// Parses `text` (the NUL-terminated, checked copy of `body` with `json::parse_padding` bytes
/// after it, overwritten by in-situ parsing) and decodes its envelopes and events.
result<decoded_batch> decode_text(char* text, std::string_view body, content_kind kind) {
  // The parser's stack holds every value of an object or array until it closes, so a batch's
  // array grows it to a fraction of the body: sized for that up front, not reallocated (and
  // copied) about ten times per batch while parsing.
  constexpr std::size_t min_stack = 1024;
  constexpr std::size_t max_stack = std::size_t{1} << 20;
  // The values go first into this thread's DOM chunk, reused from batch to batch like the
  // parse buffer (a batch's few large blocks, freed per batch, let glibc shrink and regrow
  // the heap each time: docs/BENCHMARKS.md, seventh round); any beyond it into chunks of
  // their own, freed with the document. The document does not outlive this call.
  constexpr std::size_t dom_keep_size = std::size_t{1} << 20;
  thread_local const auto dom_chunk = std::make_unique_for_overwrite<char[]>(dom_keep_size);
  rapidjson::MemoryPoolAllocator<> dom_allocator{dom_chunk.get(), dom_keep_size};
  rapidjson::Document doc{&dom_allocator, std::clamp(body.size() / 4, min_stack, max_stack)};
  // Nesting depth is bounded or costs heap, not stack. Escapes (\uXXXX) are checked by the parser.
  json::parse_in_situ(doc, text, body);
  if (doc.HasParseError()) {
    return error{errc::malformed_json, "",
                 "not valid JSON at offset " + std::to_string(doc.GetErrorOffset()), -1};
  }

  decoded_batch batch;
  batch.kind = kind;
  const bool is_array = doc.IsArray();
  if (kind == content_kind::cloud_event && !doc.IsObject()) {
    return error{errc::wrong_shape, "", "a single CloudEvent must be a JSON object", -1};
  }
  if (kind == content_kind::cloud_event_batch && !is_array) {
    return error{errc::wrong_shape, "", "a CloudEvents batch must be a JSON array", -1};
  }
  if (kind == content_kind::event_grid && !is_array && !doc.IsObject()) {
    return error{errc::wrong_shape, "", "Event Grid events must be an array or an object", -1};
  }
  if (kind == content_kind::event_grid && is_array && doc.Empty()) {
    return error{errc::wrong_shape, "", "empty event array", -1};
  }

  const rapidjson::SizeType count = is_array ? doc.Size() : 1;
  std::vector<event_envelope> envelopes;
  envelopes.reserve(count);
  for (rapidjson::SizeType i = 0; i < count; ++i) {
    const json::value& ev = is_array ? doc[i] : doc;
    const int index = static_cast<int>(i);
    auto env = kind == content_kind::event_grid ? read_event_grid_event(ev, index)
                                                : read_cloud_event(ev, index);
    if (!env) {
      return env.error();
    }
    auto validation = check_validation(env.value(), index, batch);
    if (!validation) {
      return validation.error();
    }
    if (validation.value()) {
      return batch; // the handshake: answer it, deliver nothing (webhook-event-delivery docs)
    }
    envelopes.push_back(std::move(env).value());
  }

  // The data of every event is read first (views into the document), so that the strings
  // the events and intents keep (envelope strings, call strings) can be sized and copied into
  // one buffer: one allocation per batch, not several per event, shared by every intent.
  std::vector<acs_event> data(envelopes.size());
  std::vector<bool> ready(envelopes.size());
  batch.events.resize(envelopes.size());
  std::size_t text_size = 0;
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    const event_envelope& env = envelopes[i];
    text_size += env.id.size() + env.type.size() + env.source.size() + env.subject.size();
    ready[i] = read_event(env, static_cast<int>(i), batch.events[i], data[i]);
    if (ready[i]) {
      text_size += intent_text_size(data[i]);
    }
  }
  shared_text_pool pool{text_size};
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    event_envelope& env = envelopes[i];
    decoded_event& out = batch.events[i];
    out.id = pool.keep(env.id);
    out.type = pool.keep(env.type);
    out.source = pool.keep(env.source);
    out.subject = pool.keep(env.subject);
    out.time = env.time.value_or(std::chrono::system_clock::time_point{});
    out.warnings = std::move(env.warnings);
    if (ready[i]) {
      finish_event(data[i], static_cast<int>(i), out, pool);
    }
  }
  return batch;
}

} // namespace

std::string_view to_string(content_kind k) noexcept {
  switch (k) {
  case content_kind::event_grid:
    return "event-grid";
  case content_kind::cloud_event:
    return "cloud-event";
  case content_kind::cloud_event_batch:
    return "cloud-event-batch";
  }
  return "unknown";
}

std::optional<content_kind> content_kind_from(std::string_view content_type) noexcept {
  const auto semi = content_type.find(';');
  const std::string_view media = trim(content_type.substr(0, semi));
  if (semi != std::string_view::npos && !charset_is_utf8(content_type.substr(semi))) {
    return std::nullopt;
  }
  if (json::iequals(media, "application/json") || json::iequals(media, "text/json")) {
    return content_kind::event_grid;
  }
  if (json::iequals(media, "application/cloudevents+json")) {
    return content_kind::cloud_event;
  }
  if (json::iequals(media, "application/cloudevents-batch+json")) {
    return content_kind::cloud_event_batch;
  }
  return std::nullopt;
}

result<decoded_batch> decode_batch(std::string_view body, content_kind kind) {
  // In-situ parsing decodes strings inside one mutable copy instead of allocating each; it
  // needs a NUL-terminated buffer, so a body with an embedded NUL would be silently truncated:
  // reject it (JSON text cannot contain a raw NUL, RFC 8259 section 7). The copy, the NUL
  // search and the UTF-8 check are one pass, into a per-thread buffer reused across batches.
  return with_parse_buffer(
      body.size() + 1 + json::parse_padding, [&](char* buffer) -> result<decoded_batch> {
        switch (json::copy_checked_text(body, buffer)) {
        case json::text_check::nul_byte:
          return error{errc::malformed_json, "", "body contains a NUL byte", -1};
        case json::text_check::bad_utf8:
          return error{errc::malformed_json, "", "body is not valid UTF-8", -1};
        case json::text_check::ok:
          break;
        }
        buffer[body.size()] = '\0';
        std::memset(buffer + body.size() + 1, 0, json::parse_padding); // read, never used
        return decode_text(buffer, body, kind);
      });
}

} // namespace herald::protocol
