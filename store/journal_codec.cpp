#include "store/journal_codec.hpp"

#include <algorithm>
#include <cstring>

#include "store/journal.hpp"

namespace herald::store {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
               static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.append(b, 4);
}

void put_bytes(std::string& out, std::string_view bytes) {
  put_u32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

/// Reads little-endian fields from a BLOB; every read checks what is left.
class blob_reader {
public:
  explicit blob_reader(std::string_view blob) : rest_(blob) {}

  [[nodiscard]] bool empty() const { return rest_.empty(); }

  bool u32(std::uint32_t& v) {
    if (rest_.size() < 4) {
      return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(rest_.data());
    v = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
        static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    rest_.remove_prefix(4);
    return true;
  }

  bool bytes(std::string& out) {
    std::uint32_t n = 0;
    if (!u32(n) || rest_.size() < n) {
      return false;
    }
    out.assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }

private:
  std::string_view rest_;
};

store_error truncated(const char* what) {
  return store_error{errc::corrupt, std::string("journal: truncated ") + what};
}

} // namespace

std::string pack_entries(const std::vector<journal_entry>& entries) {
  std::size_t size = 0;
  for (const auto& e : entries) {
    size += 12 + e.source.size() + e.event_id.size();
  }
  std::string out;
  out.reserve(size);
  for (const auto& e : entries) {
    put_u32(out, e.index);
    put_bytes(out, e.source);
    put_bytes(out, e.event_id);
  }
  return out;
}

result<std::vector<journal_entry>> unpack_entries(std::string_view blob) {
  std::vector<journal_entry> out;
  blob_reader r(blob);
  while (!r.empty()) {
    auto& e = out.emplace_back();
    if (!r.u32(e.index) || !r.bytes(e.source) || !r.bytes(e.event_id)) {
      return truncated("entries");
    }
  }
  return out;
}

std::string pack_keys(const std::vector<std::string>& keys) {
  std::string out;
  std::size_t size = 0;
  for (const auto& k : keys) {
    size += 4 + k.size();
  }
  out.reserve(size);
  for (const auto& k : keys) {
    put_bytes(out, k);
  }
  return out;
}

result<std::vector<std::string>> unpack_keys(std::string_view blob) {
  std::vector<std::string> out;
  blob_reader r(blob);
  while (!r.empty()) {
    if (!r.bytes(out.emplace_back())) {
      return truncated("dedupe keys");
    }
  }
  return out;
}

done_bits done_bits::of_size(std::size_t n) {
  return done_bits{std::string((n + 7) / 8, '\0'), 0, n};
}

done_bits done_bits::from_blob(std::string_view blob, std::size_t n) {
  auto out = of_size(n);
  if (!blob.empty()) {
    std::memcpy(out.bits.data(), blob.data(), std::min(blob.size(), out.bits.size()));
  }
  for (std::size_t i = 0; i < n; ++i) {
    out.count += out.test(i) ? 1 : 0;
  }
  return out;
}

bool done_bits::test(std::size_t i) const {
  return i < size && (static_cast<unsigned char>(bits[i / 8]) >> (i % 8)) & 1U;
}

bool done_bits::set(std::size_t i) {
  if (i >= size || test(i)) {
    return false;
  }
  bits[i / 8] = static_cast<char>(static_cast<unsigned char>(bits[i / 8]) | (1U << (i % 8)));
  ++count;
  return true;
}

} // namespace herald::store
