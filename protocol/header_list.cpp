#include "protocol/header_list.hpp"

namespace herald::protocol {

namespace {

/// Copies `text` to `out`; returns the end of the copy.
char* put(char* out, std::string_view text) noexcept {
  if (!text.empty()) {
    std::memcpy(out, text.data(), text.size());
  }
  return out + text.size();
}

} // namespace

void header_list::append(std::span<const field> fields) {
  std::size_t bytes = 0;
  for (const field& f : fields) {
    bytes += 2 * length_bytes + f.name.size() + f.value.size() + f.value_tail.size();
  }
  const std::size_t at = text_.size();
  text_.resize(at + bytes); // one growth, then every byte written in place
  char* out = text_.data() + at;
  for (const field& f : fields) {
    const auto name_length = static_cast<std::uint32_t>(f.name.size());
    const auto value_length = static_cast<std::uint32_t>(f.value.size() + f.value_tail.size());
    std::memcpy(out, &name_length, length_bytes);
    std::memcpy(out + length_bytes, &value_length, length_bytes);
    out = put(put(put(out + 2 * length_bytes, f.name), f.value), f.value_tail);
  }
  count_ += fields.size();
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
