#include "actors/notification_log.hpp"

#include "protocol/json_writer.hpp"

namespace herald::actors {

notification_log::notification_log(std::size_t capacity, std::chrono::seconds retention)
    : capacity_(capacity), retention_(retention) {}

std::string notification_log::open(std::string app, protocol::lane lane, std::chrono::seconds ttl,
                                   std::vector<tracked_device> devices) {
  static constexpr char digits[] = "0123456789abcdef";
  const auto now = clock::now();
  std::lock_guard lock(mutex_);
  evict(now);
  std::string id;
  do {
    id.clear();
    for (int word = 0; word < 2; ++word) {
      auto bits = rng_();
      for (int i = 0; i < 16; ++i, bits >>= 4) {
        id += digits[bits & 0xF];
      }
    }
  } while (records_.contains(id));
  records_.emplace(id, record{std::move(app), lane, ttl, now, std::chrono::system_clock::now(),
                              std::move(devices)});
  order_.push_back(id);
  evict(now);
  return id;
}

void notification_log::settle(const std::string& id, std::size_t index,
                              protocol::delivery_state state, std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(id);
  if (it == records_.end() || index >= it->second.devices.size()) {
    return;
  }
  auto& device = it->second.devices[index];
  if (device.state == protocol::delivery_state::pending) {
    device.state = state;
    device.reason = reason;
  }
}

void notification_log::finish(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(id);
  if (it == records_.end()) {
    return;
  }
  for (auto& device : it->second.devices) {
    if (device.state == protocol::delivery_state::pending) {
      device.state = protocol::delivery_state::failed;
      device.reason = "dropped without a provider answer";
    }
  }
}

std::optional<std::string> notification_log::describe(std::string_view app,
                                                      std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(std::string(id));
  if (it == records_.end() || it->second.app != app ||
      clock::now() - it->second.opened > retention_) {
    return std::nullopt;
  }
  const auto& r = it->second;
  protocol::json_writer w;
  w.start_object();
  w.member("id", id);
  w.member("app", r.app);
  w.member("lane", protocol::to_string(r.lane));
  w.member("ttl", static_cast<std::int64_t>(r.ttl.count()));
  w.member("createdAtMs",
           static_cast<std::int64_t>(
               std::chrono::duration_cast<std::chrono::milliseconds>(r.created.time_since_epoch())
                   .count()));
  bool complete = true;
  w.key("outcomes");
  w.start_array();
  for (const auto& d : r.devices) {
    complete = complete && d.state != protocol::delivery_state::pending;
    w.start_object();
    w.member("deviceId", d.device_id);
    w.member("platform", protocol::to_string(d.channel));
    w.member("token", d.token);
    w.member("state", protocol::to_string(d.state));
    w.member("reason", d.reason);
    w.end_object();
  }
  w.end_array();
  w.key("complete");
  w.boolean(complete);
  w.end_object();
  return w.str();
}

std::size_t notification_log::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

void notification_log::evict(clock::time_point now) {
  while (!order_.empty()) {
    auto it = records_.find(order_.front());
    const bool stale = it == records_.end() || now - it->second.opened > retention_;
    if (!stale && records_.size() <= capacity_) {
      return;
    }
    if (it != records_.end()) {
      records_.erase(it);
    }
    order_.pop_front();
  }
}

} // namespace herald::actors
