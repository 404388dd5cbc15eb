#include "protocol/header_list.hpp"

namespace herald::protocol {

void header_list::emplace_joined(std::string_view name,
                                 std::initializer_list<std::string_view> value_parts) {
  std::size_t value_size = 0;
  for (const std::string_view part : value_parts) {
    value_size += part.size();
  }
  const auto name_length = static_cast<std::uint32_t>(name.size());
  const auto value_length = static_cast<std::uint32_t>(value_size);
  const std::size_t at = text_.size();
  // One resize, then the bytes written in place (no growth per part).
  text_.resize(at + 2 * length_bytes + name.size() + value_size);
  char* out = text_.data() + at;
  std::memcpy(out, &name_length, length_bytes);
  std::memcpy(out + length_bytes, &value_length, length_bytes);
  out += 2 * length_bytes;
  if (!name.empty()) {
    std::memcpy(out, name.data(), name.size());
    out += name.size();
  }
  for (const std::string_view part : value_parts) {
    if (!part.empty()) {
      std::memcpy(out, part.data(), part.size());
      out += part.size();
    }
  }
  ++count_;
}

std::string_view header_list::find(std::string_view name) const noexcept {
  for (const auto& [key, value] : *this) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

void header_list::assign(std::initializer_list<value_type> fields) {
  text_.clear();
  count_ = 0;
  std::size_t text = 0;
  for (const auto& [name, value] : fields) {
    text += name.size() + value.size();
  }
  reserve(fields.size(), text);
  for (const auto& [name, value] : fields) {
    emplace_back(name, value);
  }
}

} // namespace herald::protocol
