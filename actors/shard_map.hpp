#pragma once

#include <caf/actor.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace herald::actors {

/// The router shards of a node. An identity belongs to exactly one shard, chosen by a stable
/// hash of its `rawId`, so that shard is its only writer and keeps its only cache entry.
class shard_map {
public:
  shard_map() = default;
  explicit shard_map(std::vector<caf::actor> shards) : shards_(std::move(shards)) {}

  /// Index of the shard that owns `identity`: FNV-1a 64 of the bytes, modulo the shard count.
  [[nodiscard]] static std::size_t index_of(std::string_view identity, std::size_t count) noexcept;

  [[nodiscard]] const caf::actor& of(std::string_view identity) const {
    return shards_[index_of(identity, shards_.size())];
  }
  [[nodiscard]] const std::vector<caf::actor>& all() const noexcept { return shards_; }
  [[nodiscard]] bool empty() const noexcept { return shards_.empty(); }

private:
  std::vector<caf::actor> shards_;
};

} // namespace herald::actors
