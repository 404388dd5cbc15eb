#include <boost/test/unit_test.hpp>

#include "protocol/rest_routes.hpp"

using namespace herald::protocol;

BOOST_AUTO_TEST_CASE(a_device_path_matches_by_method_and_yields_its_parameters) {
  auto m = match_rest_route("GET", "/v1/apps/demo/devices/iphone%2D1");
  BOOST_TEST_REQUIRE(m.route != nullptr);
  BOOST_TEST((m.route->id == rest_route::get_device));
  BOOST_TEST_REQUIRE(m.params.size() == 2u);
  BOOST_TEST(m.params[0] == "demo");
  BOOST_TEST(m.params[1] == "iphone%2D1");
  BOOST_TEST(
      (match_rest_route("PUT", "/v1/apps/demo/devices/x").route->id == rest_route::put_device));
  BOOST_TEST((match_rest_route("DELETE", "/v1/apps/demo/devices/x").route->id ==
              rest_route::delete_device));
}

BOOST_AUTO_TEST_CASE(an_identity_path_keeps_the_colons_of_its_raw_id) {
  auto m = match_rest_route("DELETE", "/v1/apps/a/identities/8:acs:x_y/devices");
  BOOST_TEST_REQUIRE(m.route != nullptr);
  BOOST_TEST((m.route->id == rest_route::delete_identity_devices));
  BOOST_TEST(m.params[1] == "8:acs:x_y");
}

BOOST_AUTO_TEST_CASE(a_known_path_with_another_method_lists_the_allowed_ones) {
  auto m = match_rest_route("POST", "/v1/apps/demo/devices/x");
  BOOST_TEST(m.route == nullptr);
  BOOST_TEST(m.allow == "PUT, GET, DELETE");
  BOOST_TEST(match_rest_route("PUT", "/v1/apps/a/identities/b/devices").allow == "GET, DELETE");
}

BOOST_AUTO_TEST_CASE(paths_with_missing_extra_or_empty_segments_do_not_match) {
  for (const auto* path : {"/v1/apps/demo/devices/", "/v1/apps//devices/x", "/v1/apps/demo/devices",
                           "/v1/apps/demo/devices/x/y", "/v1/apps/demo/devices/x/",
                           "/v2/apps/a/devices/x", "v1/apps/a/devices/x", "", "/"}) {
    auto m = match_rest_route("GET", path);
    BOOST_TEST(m.route == nullptr, path);
    BOOST_TEST(m.allow.empty(), path);
  }
}

BOOST_AUTO_TEST_CASE(every_route_has_a_distinct_method_and_path_and_a_label) {
  std::size_t n = 0;
  for (const auto& a : rest_routes()) {
    BOOST_TEST(!a.label.empty());
    for (const auto& b : rest_routes()) {
      BOOST_TEST((&a == &b || a.method != b.method || a.path != b.path));
    }
    ++n;
  }
  BOOST_TEST(n >= 5u);
}
