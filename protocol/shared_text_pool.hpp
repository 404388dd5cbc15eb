#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "protocol/shared_text.hpp"

namespace herald::protocol {

/// Hands out `shared_text` copies of strings that all share one buffer, allocated once at a
/// size the caller computed beforehand (a decoded batch sizes it for every string its events
/// and intents keep): one allocation for many strings instead of one per string. A string
/// that no longer fits, or any string of a pool built without a size, gets a copy of its own,
/// so an undersized pool costs allocations, never correctness.
class shared_text_pool {
public:
  /// A pool without a buffer: every `keep` copies into a buffer of its own.
  shared_text_pool() = default;
  /// A pool with room for `capacity` bytes (no allocation when 0).
  explicit shared_text_pool(std::size_t capacity)
      : buffer_{capacity == 0 ? nullptr : std::make_shared_for_overwrite<char[]>(capacity)},
        next_{buffer_.get()}, left_{capacity} {}

  /// A copy of `s` in the pool's buffer (or in its own when it does not fit).
  [[nodiscard]] shared_text keep(std::string_view s) {
    if (s.empty()) {
      return {};
    }
    if (s.size() >= long_text) {
      // Long strings (the call context, `cp`) start on a 32-byte boundary when there is room:
      // they are copied again whole (into request bodies), fastest from an aligned source.
      const std::size_t pad = (align - reinterpret_cast<std::uintptr_t>(next_) % align) % align;
      if (pad + s.size() <= left_) {
        next_ += pad;
        left_ -= pad;
      }
    }
    if (s.size() > left_) {
      return shared_text{s};
    }
    std::memcpy(next_, s.data(), s.size());
    shared_text kept{buffer_, {next_, s.size()}};
    next_ += s.size();
    left_ -= s.size();
    return kept;
  }

  /// Bytes still free in the buffer.
  [[nodiscard]] std::size_t left() const noexcept { return left_; }

  /// Strings this long or longer are aligned; a pool sized for them allows `align - 1`
  /// bytes of padding each (`padding_for`).
  static constexpr std::size_t long_text = 256;
  static constexpr std::size_t align = 32;

  /// Room to add to a pool's size for aligning a string of `size` bytes.
  [[nodiscard]] static constexpr std::size_t padding_for(std::size_t size) noexcept {
    return size >= long_text ? align - 1 : 0;
  }

private:
  std::shared_ptr<char[]> buffer_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
};

} // namespace herald::protocol
