#include "store/row_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::store {

std::int64_t to_millis(stored_time t) noexcept {
  // floor, not duration_cast: an instant before the epoch must not round up into the future.
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

stored_time from_millis(std::int64_t ms) noexcept {
  return stored_time(
      std::chrono::duration_cast<stored_time::duration>(std::chrono::milliseconds(ms)));
}

std::string tags_to_json(const std::vector<std::string>& tags) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  for (const auto& t : tags) {
    writer.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  }
  writer.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

bool tags_from_json(std::string_view text, std::vector<std::string>& out) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return false;
  }
  for (const auto& v : doc.GetArray()) {
    if (!v.IsString()) {
      return false;
    }
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return true;
}

} // namespace herald::store
