#include "protocol/rest_routes.hpp"

#include <array>

namespace herald::protocol {

namespace {

constexpr std::array routes{
    rest_route_info{rest_route::put_device, "PUT", "/v1/apps/{app}/devices/{deviceId}",
                    api_scope::register_devices, "put_device"},
    rest_route_info{rest_route::get_device, "GET", "/v1/apps/{app}/devices/{deviceId}",
                    api_scope::register_devices, "get_device"},
    rest_route_info{rest_route::delete_device, "DELETE", "/v1/apps/{app}/devices/{deviceId}",
                    api_scope::register_devices, "delete_device"},
    rest_route_info{rest_route::list_identity_devices, "GET",
                    "/v1/apps/{app}/identities/{rawId}/devices", api_scope::register_devices,
                    "list_identity_devices"},
    rest_route_info{rest_route::delete_identity_devices, "DELETE",
                    "/v1/apps/{app}/identities/{rawId}/devices", api_scope::register_devices,
                    "delete_identity_devices"},
    rest_route_info{rest_route::export_devices, "GET", "/v1/apps/{app}/devices:export",
                    api_scope::admin, "export_devices"},
    rest_route_info{rest_route::import_devices, "POST", "/v1/apps/{app}/devices:import",
                    api_scope::admin, "import_devices"},
    rest_route_info{rest_route::send_notification, "POST", "/v1/apps/{app}/notifications",
                    api_scope::send, "send_notification"},
    rest_route_info{rest_route::get_notification, "GET",
                    "/v1/apps/{app}/notifications/{notificationId}", api_scope::send,
                    "get_notification"},
};

/// Cuts the next `/`-separated segment off `rest` (which starts after a `/`).
std::string_view next_segment(std::string_view& rest) {
  auto slash = rest.find('/');
  auto seg = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  return seg;
}

/// Matches one template against a path; fills `params` on success.
bool match_path(std::string_view tmpl, std::string_view path,
                std::vector<std::string_view>& params) {
  if (tmpl.empty() || path.empty() || tmpl.front() != '/' || path.front() != '/') {
    return false;
  }
  params.clear();
  tmpl.remove_prefix(1);
  path.remove_prefix(1);
  bool tmpl_done = false;
  bool path_done = false;
  while (!tmpl_done && !path_done) {
    tmpl_done = tmpl.find('/') == std::string_view::npos;
    path_done = path.find('/') == std::string_view::npos;
    auto t = next_segment(tmpl);
    auto p = next_segment(path);
    if (t.size() >= 2 && t.front() == '{' && t.back() == '}') {
      if (p.empty()) {
        return false;
      }
      params.push_back(p);
    } else if (t != p) {
      return false;
    }
  }
  return tmpl_done && path_done;
}

} // namespace

std::span<const rest_route_info> rest_routes() noexcept {
  return routes;
}

rest_match match_rest_route(std::string_view method, std::string_view path) {
  rest_match out;
  std::vector<std::string_view> params;
  for (const auto& r : routes) {
    if (!match_path(r.path, path, params)) {
      continue;
    }
    if (r.method == method) {
      out.route = &r;
      out.params = std::move(params);
      out.allow.clear();
      return out;
    }
    if (!out.allow.empty()) {
      out.allow += ", ";
    }
    out.allow += r.method;
  }
  return out;
}

} // namespace herald::protocol
