#include "store/dedupe_window.hpp"

#include <openssl/evp.h>

#include <utility>

namespace herald::store {

dedupe_window::dedupe_window(dedupe_options options) : options_(options) {}

std::string dedupe_window::key_of(std::string_view source, std::string_view id) {
  // Length-prefixed, so no (source, id) pair can collide with another whatever they contain.
  std::string pair = std::to_string(source.size());
  pair += ':';
  pair += source;
  pair += id;
  // Kept as a digest, not as the pair: an ACS topic path and event id are ~190 bytes, stored
  // twice (map and order), which made a full window of a million ids ~500 MB. 15 bytes of
  // SHA-256 fit std::string's inline buffer (no allocation per key); two of a million pairs
  // share a key with probability ~1e-24.
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(pair.data(), pair.size(), digest, &size, EVP_sha256(), nullptr) != 1 ||
      size < 15) {
    // Never seen, but an unset digest would make every event a "duplicate": keep the pair
    // itself (exact, just larger). Digests are 15 bytes and pairs longer, so they never meet.
    return pair;
  }
  return std::string(reinterpret_cast<const char*>(digest), 15);
}

bool dedupe_window::check_and_remember(std::string_view source, std::string_view id,
                                       time_point now) {
  auto key = key_of(source, id);
  std::lock_guard lock(mutex_);
  evict(now);
  if (auto it = seen_.find(key); it != seen_.end() && now - it->second < options_.window) {
    return true;
  }
  insert(std::move(key), now);
  evict(now); // Past capacity: the oldest id goes.
  return false;
}

void dedupe_window::remember(std::string_view source, std::string_view id, time_point at) {
  std::lock_guard lock(mutex_);
  insert(key_of(source, id), at);
  evict(at);
}

void dedupe_window::remember_key(std::string key, time_point at) {
  std::lock_guard lock(mutex_);
  insert(std::move(key), at);
  evict(at);
}

void dedupe_window::forget(std::string_view source, std::string_view id) {
  std::lock_guard lock(mutex_);
  seen_.erase(key_of(source, id));
}

std::size_t dedupe_window::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

void dedupe_window::insert(std::string key, time_point at) {
  seen_.insert_or_assign(key, at);
  order_.push_back(slot{std::move(key), at});
}

void dedupe_window::evict(time_point now) {
  while (!order_.empty()) {
    auto& oldest = order_.front();
    auto it = seen_.find(oldest.key);
    bool stale = it == seen_.end() || it->second != oldest.at;
    if (!stale && seen_.size() <= options_.capacity && now - oldest.at < options_.window) {
      break;
    }
    if (!stale) {
      seen_.erase(it);
    }
    order_.pop_front();
  }
}

} // namespace herald::store
