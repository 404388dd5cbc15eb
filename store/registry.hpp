#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/registration.hpp"
#include "store/store_error.hpp"

namespace herald::store {

/// The device registry: which devices (and push channels) belong to which identity.
///
/// One interface for every engine (SQLite now, PostgreSQL for clusters). A registration is
/// keyed by (app, device id, platform); "unexpired" means `expires_at` empty or later than
/// `now`. Times are stored with millisecond precision.
/// Threading: an implementation object is not thread-safe unless it says so; give each
/// thread (or actor) its own.
class registry {
public:
  using time_point = std::chrono::system_clock::time_point;

  virtual ~registry();

  /// Inserts or replaces the registration for (app, device id, platform): identity, token,
  /// environment, locale, tags, `updated_at` and `expires_at` all take the given values.
  [[nodiscard]] virtual result<void> upsert(const protocol::registration& r) = 0;

  /// `upsert` of each registration, in order, in one transaction: all are written or none
  /// (group commit: one disk flush for many writes). An empty span does nothing.
  [[nodiscard]] virtual result<void>
  upsert_all(std::span<const protocol::registration> registrations) = 0;

  /// `upsert_all`, also returning the identities the batch takes a registration away from:
  /// for each written (app, device id, platform) that another identity held just before
  /// (expired or not), that identity (in no particular order, possibly repeated). A cache
  /// keyed by identity must forget them. This version reads each device before the write;
  /// an engine may do both in one statement.
  [[nodiscard]] virtual result<std::vector<std::string>>
  upsert_all_displacing(std::span<const protocol::registration> registrations);

  /// Unexpired registrations of an identity across all apps, ordered by app, device, platform.
  [[nodiscard]] virtual result<std::vector<protocol::registration>>
  find_by_identity(std::string_view identity, time_point now) = 0;

  /// Unexpired registrations (one per platform) of one device of one app.
  [[nodiscard]] virtual result<std::vector<protocol::registration>>
  find_device(std::string_view app, std::string_view device_id, time_point now) = 0;

  /// One page of an app's unexpired registrations in (device id, platform) order (the
  /// engine's text order), those after (`after_device`, `after_platform`), at most `limit`:
  /// an export walks the app page by page with the last row as the next key. An empty
  /// `after_device` starts at the beginning.
  [[nodiscard]] virtual result<std::vector<protocol::registration>>
  list_app(std::string_view app, time_point now, std::string_view after_device,
           std::string_view after_platform, std::size_t limit) = 0;

  /// Removes a device's registrations, all platforms or one; returns how many were removed.
  [[nodiscard]] virtual result<std::size_t>
  remove_device(std::string_view app, std::string_view device_id,
                std::optional<protocol::platform> channel) = 0;

  /// Removes every registration of an identity within one app; returns how many.
  [[nodiscard]] virtual result<std::size_t> remove_identity(std::string_view app,
                                                            std::string_view identity) = 0;

  /// Removes registrations holding a token a provider reported dead. With `dead_since`, a
  /// registration updated after it is kept: APNs's 410 `timestamp` says when the token
  /// stopped being valid, and a later registration may carry it again legitimately
  /// (Apple, "Handling notification responses from APNs"). Returns whether any was removed.
  [[nodiscard]] virtual result<bool> prune_token(std::string_view app, protocol::platform channel,
                                                 std::string_view token,
                                                 std::optional<time_point> dead_since) = 0;

  /// Removes every registration whose `expires_at` is at or before `now`; returns how many.
  [[nodiscard]] virtual result<std::size_t> purge_expired(time_point now) = 0;
};

} // namespace herald::store
