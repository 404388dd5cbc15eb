#include "actors/registry_cache.hpp"

#include <algorithm>
#include <iterator>

namespace herald::actors {

namespace {

/// Same rule as the store's "unexpired": no expiry, or an expiry later than now.
bool unexpired(const protocol::registration& r, registry_cache::time_point now) {
  return !r.expires_at || *r.expires_at > now;
}

} // namespace

registry_cache::shared_registrations registry_cache::find_shared(std::string_view identity,
                                                                 time_point now) {
  auto it = index_.find(identity);
  if (it == index_.end()) {
    return nullptr;
  }
  if (options_.max_age && now - it->second->loaded_at >= *options_.max_age) {
    order_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  order_.splice(order_.begin(), order_, it->second);
  const auto& found = it->second->found;
  if (std::all_of(found->begin(), found->end(),
                  [now](const auto& r) { return unexpired(r, now); })) {
    return found;
  }
  auto out = std::make_shared<registrations>();
  out->reserve(found->size());
  std::copy_if(found->begin(), found->end(), std::back_inserter(*out),
               [now](const auto& r) { return unexpired(r, now); });
  return out;
}

std::optional<registry_cache::registrations> registry_cache::find(std::string_view identity,
                                                                  time_point now) {
  auto found = find_shared(identity, now);
  if (!found) {
    return std::nullopt;
  }
  return *found;
}

std::size_t registry_cache::put(std::string identity, registrations found, time_point now) {
  if (options_.capacity == 0) {
    return 0;
  }
  if (auto it = index_.find(identity); it != index_.end()) {
    it->second->found = std::make_shared<const registrations>(std::move(found));
    it->second->loaded_at = now;
    order_.splice(order_.begin(), order_, it->second);
    return 0;
  }
  std::size_t evicted = 0;
  while (index_.size() >= options_.capacity) {
    index_.erase(order_.back().identity);
    order_.pop_back();
    ++evicted;
  }
  order_.push_front(entry{identity, std::make_shared<const registrations>(std::move(found)), now});
  index_.emplace(std::move(identity), order_.begin());
  return evicted;
}

bool registry_cache::drop(std::string_view identity) {
  auto it = index_.find(identity);
  if (it == index_.end()) {
    return false;
  }
  order_.erase(it->second);
  index_.erase(it);
  return true;
}

std::size_t
registry_cache::drop_holding(const std::function<bool(const protocol::registration&)>& held) {
  std::size_t dropped = 0;
  for (auto it = order_.begin(); it != order_.end();) {
    if (std::any_of(it->found->begin(), it->found->end(), held)) {
      index_.erase(it->identity);
      it = order_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

void registry_cache::clear() noexcept {
  index_.clear();
  order_.clear();
}

} // namespace herald::actors
