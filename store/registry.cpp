#include "store/registry.hpp"

namespace herald::store {

// Anchors the vtable in this library.
registry::~registry() = default;

result<std::vector<std::string>>
registry::upsert_all_displacing(std::span<const protocol::registration> registrations) {
  // Before any real expiry: a read at this instant sees expired rows too.
  constexpr time_point any_time{};
  std::vector<std::string> displaced;
  for (const auto& r : registrations) {
    auto before = find_device(r.app, r.device_id, any_time);
    if (!before) {
      return before.error();
    }
    for (const auto& old : before.value()) {
      if (old.channel == r.channel && old.identity != r.identity) {
        displaced.push_back(old.identity);
      }
    }
  }
  auto done = registrations.size() == 1 ? upsert(registrations.front()) : upsert_all(registrations);
  if (!done) {
    return done.error();
  }
  return displaced;
}

} // namespace herald::store
