#pragma once

#include <caf/actor.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api_key.hpp"
#include "protocol/apns_request.hpp"
#include "protocol/fcm_message.hpp"
#include "protocol/template.hpp"
#include "protocol/wns_request.hpp"

namespace herald::actors {

/// What a router needs to know about one app: how to encode its pushes and which sender
/// actors deliver them.
struct app_entry {
  std::string name;
  /// Registration lifetime when the client gives none; nullopt means "never expires".
  std::optional<std::chrono::seconds> registration_ttl = std::chrono::hours(24 * 180);
  std::optional<protocol::apns_settings> apns;
  caf::actor apns_sender;
  std::optional<protocol::fcm_settings> fcm;
  caf::actor fcm_sender;
  std::optional<protocol::wns_settings> wns;
  caf::actor wns_sender; ///< `spawn_wns_sender`: one pool per channel host.
  /// Named templates (`[[apps.templates]]`) for direct sends.
  protocol::alert_templates templates;
  /// Keys accepted by the app's REST routes (digests only); empty: none configured.
  std::vector<protocol::api_key> api_keys;
};

/// The apps served by this node, by name. Built once at start, then read-only and shared.
class app_directory {
public:
  void add(app_entry entry) { apps_.insert_or_assign(entry.name, std::move(entry)); }
  [[nodiscard]] const app_entry* find(std::string_view name) const {
    auto it = apps_.find(name);
    return it == apps_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] const std::map<std::string, app_entry, std::less<>>& all() const { return apps_; }

private:
  std::map<std::string, app_entry, std::less<>> apps_;
};

} // namespace herald::actors
