#include "store/dedupe_window.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace herald::store {

namespace {

constexpr std::size_t initial_slots = 1024;

/// 64-bit FNV-1a from `basis`: only for the fallback key below.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t basis) {
  for (unsigned char c : bytes) {
    basis = (basis ^ c) * 0x100000001b3ULL;
  }
  return basis;
}

/// 15 bytes from two FNV-1a hashes with different bases: used only if SHA-256 is unavailable
/// (never seen), so that a failure never makes every event a "duplicate" of an unset key.
std::string fallback_key(std::string_view pair) {
  std::uint64_t a = fnv1a(pair, 0xcbf29ce484222325ULL);
  std::uint64_t b = fnv1a(pair, 0x84222325cbf29ce4ULL);
  std::string out(15, '\0');
  std::memcpy(out.data(), &a, 8);
  std::memcpy(out.data() + 8, &b, 7);
  return out;
}

} // namespace

dedupe_window::dedupe_window(dedupe_options options) : options_(options) {
  // Ring positions are 32-bit (`no_slot` reserved); a billion ids would be ~32 GB anyway.
  options_.capacity = std::min<std::size_t>(options_.capacity, std::size_t{1} << 30);
}

std::string dedupe_window::key_of(std::string_view source, std::string_view id) {
  // Length-prefixed, so no (source, id) pair can collide with another whatever they contain.
  std::string pair = std::to_string(source.size());
  pair += ':';
  pair += source;
  pair += id;
  // Kept as a digest, not as the pair: an ACS topic path and event id are ~190 bytes, which
  // made a full window of a million ids ~500 MB. Two of a million pairs share 15 bytes of
  // SHA-256 with probability ~1e-24.
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(pair.data(), pair.size(), digest, &size, EVP_sha256(), nullptr) != 1 ||
      size < 15) {
    return fallback_key(pair);
  }
  return std::string(reinterpret_cast<const char*>(digest), 15);
}

dedupe_window::key_bytes dedupe_window::bytes_of(std::string_view key) {
  key_bytes out{};
  if (key.size() != out.size()) {
    key = fallback_key(key); // not a `key_of` result: hash it down to the stored size
  }
  std::memcpy(out.data(), key.data(), out.size());
  return out;
}

std::size_t dedupe_window::cell_of(const key_bytes& key) const {
  // The key is a digest already: its first bytes are as good as any hash of it.
  std::uint64_t h = 0;
  std::memcpy(&h, key.data(), sizeof h);
  return static_cast<std::size_t>(h) & (index_.size() - 1);
}

std::uint32_t dedupe_window::find(const key_bytes& key) const {
  if (index_.empty()) {
    return no_slot;
  }
  for (auto cell = cell_of(key);; cell = (cell + 1) & (index_.size() - 1)) {
    auto position = index_[cell];
    if (position == no_slot || ring_[position].key == key) {
      return position;
    }
  }
}

bool dedupe_window::check_and_remember(std::string_view source, std::string_view id,
                                       time_point now) {
  auto key = bytes_of(key_of(source, id));
  std::lock_guard lock(mutex_);
  evict(now);
  if (auto p = find(key); p != no_slot && now.time_since_epoch().count() - ring_[p].at <
                                              time_point::duration(options_.window).count()) {
    return true;
  }
  insert(key, now);
  return false;
}

void dedupe_window::remember(std::string_view source, std::string_view id, time_point at) {
  remember_key(key_of(source, id), at);
}

void dedupe_window::remember_key(std::string key, time_point at) {
  auto bytes = bytes_of(key);
  std::lock_guard lock(mutex_);
  insert(bytes, at);
  evict(at);
}

void dedupe_window::forget(std::string_view source, std::string_view id) {
  auto key = bytes_of(key_of(source, id));
  std::lock_guard lock(mutex_);
  if (auto p = find(key); p != no_slot) {
    erase_live(p);
  }
}

std::size_t dedupe_window::size() const {
  std::lock_guard lock(mutex_);
  return live_;
}

void dedupe_window::insert(const key_bytes& key, time_point at) {
  if (options_.capacity == 0) {
    return;
  }
  if (auto p = find(key); p != no_slot) {
    erase_live(p); // seen again: the new sighting takes a new slot at the tail
  }
  if (count_ == ring_.size()) {
    if (ring_.size() < options_.capacity) {
      grow();
    } else {
      pop_oldest();
    }
  }
  auto position = static_cast<std::uint32_t>((head_ + count_) % ring_.size());
  ring_[position] = slot{key, true, at.time_since_epoch().count()};
  ++count_;
  ++live_;
  auto cell = cell_of(key);
  while (index_[cell] != no_slot) {
    cell = (cell + 1) & (index_.size() - 1);
  }
  index_[cell] = position;
}

void dedupe_window::erase_live(std::uint32_t position) {
  auto mask = index_.size() - 1;
  auto cell = cell_of(ring_[position].key);
  while (index_[cell] != position) {
    cell = (cell + 1) & mask;
  }
  // Backward-shift deletion (linear probing without tombstones): move up every later entry
  // of the run that would no longer be reachable from its home cell.
  for (auto next = (cell + 1) & mask; index_[next] != no_slot; next = (next + 1) & mask) {
    auto home = cell_of(ring_[index_[next]].key);
    bool reachable = cell <= next ? (home > cell && home <= next) : (home > cell || home <= next);
    if (!reachable) {
      index_[cell] = index_[next];
      cell = next;
    }
  }
  index_[cell] = no_slot;
  ring_[position].live = false;
  --live_;
}

void dedupe_window::pop_oldest() {
  assert(count_ > 0);
  if (ring_[head_].live) {
    erase_live(static_cast<std::uint32_t>(head_));
  }
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

void dedupe_window::grow() {
  auto slots = std::min(options_.capacity, std::max(initial_slots, ring_.size() * 2));
  std::vector<slot> ring;
  ring.reserve(slots);
  for (std::size_t i = 0; i < count_; ++i) {
    ring.push_back(ring_[(head_ + i) % ring_.size()]);
  }
  ring.resize(slots);
  std::size_t cells = 1;
  while (cells < 2 * slots) {
    cells *= 2;
  }
  ring_ = std::move(ring);
  head_ = 0;
  index_.assign(cells, no_slot);
  for (std::size_t i = 0; i < count_; ++i) {
    if (!ring_[i].live) {
      continue;
    }
    auto cell = cell_of(ring_[i].key);
    while (index_[cell] != no_slot) {
      cell = (cell + 1) & (cells - 1);
    }
    index_[cell] = static_cast<std::uint32_t>(i);
  }
}

void dedupe_window::evict(time_point now) {
  auto window = time_point::duration(options_.window).count();
  while (count_ > 0) {
    const auto& oldest = ring_[head_];
    if (oldest.live && now.time_since_epoch().count() - oldest.at < window) {
      break;
    }
    pop_oldest();
  }
}

} // namespace herald::store
