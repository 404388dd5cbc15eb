#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::protocol {

/// Small convenience over RapidJSON's Writer (which does the escaping) for building provider
/// request bodies. Lifecycle: one per document; `str()` after the top-level value is closed.
/// Threading: none (a local value).
class json_writer {
public:
  json_writer() : writer_(buffer_) {}

  void start_object() { writer_.StartObject(); }
  void end_object() { writer_.EndObject(); }
  void start_array() { writer_.StartArray(); }
  void end_array() { writer_.EndArray(); }
  /// Writes a key; the next call writes its value.
  void key(std::string_view k) { writer_.Key(k.data(), size(k)); }
  void string(std::string_view v) { writer_.String(v.data(), size(v)); }
  void integer(std::int64_t v) { writer_.Int64(v); }
  void boolean(bool v) { writer_.Bool(v); }
  /// Writes `"k": "v"`.
  void member(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  /// Writes `"k": <integer>`.
  void member(std::string_view k, std::int64_t v) {
    key(k);
    integer(v);
  }
  /// Starts `"k": {`.
  void object_member(std::string_view k) {
    key(k);
    start_object();
  }

  /// The document written so far.
  [[nodiscard]] std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

private:
  static rapidjson::SizeType size(std::string_view s) {
    return static_cast<rapidjson::SizeType>(s.size());
  }
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

} // namespace herald::protocol
