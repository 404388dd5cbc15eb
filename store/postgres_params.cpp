#include "store/postgres_params.hpp"

namespace herald::store {

namespace {

// Element type OIDs (pg_type.dat) written into the array header.
constexpr std::uint32_t text_oid = 25;
constexpr std::uint32_t int8_oid = 20;

/// Appends `v` in network byte order, as array_recv reads it.
void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
  }
}

/// The binary array header (array_send's layout): dimensions, null flag, element type,
/// then the one dimension's length and lower bound (1).
std::string array_header(std::size_t count, bool has_null, std::uint32_t element) {
  std::string out;
  put_be(out, 1, 4);
  put_be(out, has_null ? 1 : 0, 4);
  put_be(out, element, 4);
  put_be(out, count, 4);
  put_be(out, 1, 4);
  return out;
}

} // namespace

void postgres_params::add_text_array(std::span<const std::string_view> items) {
  auto out = array_header(items.size(), false, text_oid);
  for (auto item : items) {
    put_be(out, item.size(), 4);
    out.append(item);
  }
  add_value(std::move(out), 1);
}

void postgres_params::add_int8_array(std::span<const std::optional<std::int64_t>> items) {
  bool has_null = false;
  for (const auto& item : items) {
    has_null = has_null || !item;
  }
  auto out = array_header(items.size(), has_null, int8_oid);
  for (const auto& item : items) {
    if (!item) {
      put_be(out, 0xFFFFFFFFU, 4); // length -1: NULL
      continue;
    }
    put_be(out, 8, 4);
    put_be(out, static_cast<std::uint64_t>(*item), 8);
  }
  add_value(std::move(out), 1);
}

} // namespace herald::store
