#include "actors/shard_map.hpp"

namespace herald::actors {

std::size_t shard_map::index_of(std::string_view identity, std::size_t count) noexcept {
  // FNV-1a: stable across runs and platforms, unlike std::hash, so tests and logs can name the
  // shard of an identity.
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : identity) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return count == 0 ? 0 : static_cast<std::size_t>(h % count);
}

} // namespace herald::actors
