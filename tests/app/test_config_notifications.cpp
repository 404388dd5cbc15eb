// Direct-send configuration: `[[apps.templates]]` and `[notifications]`.
#include <boost/test/unit_test.hpp>

#include <string>

#include "app/config.hpp"
#include "tests/app/config_test_helpers.hpp"

namespace app = herald::app;
using namespace std::chrono_literals;

namespace {

const std::string app_head = "[[apps]]\nname = \"demo\"\n[apps.wns]\nclient_id = \"c\"\n"
                             "client_secret = \"s\"\n";

using herald::test::failing_key;

auto parse(const std::string& text) {
  return herald::test::parse_test_config(text);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_notifications)

BOOST_AUTO_TEST_CASE(templates_load_by_name_and_retention_has_defaults) {
  auto uut = parse(app_head + "[[apps.templates]]\nname = \"greeting\"\ntitle = \"Hi {name}\"\n"
                              "body = \"{count} new\"\n[[apps.templates]]\nname = \"ping\"\n"
                              "body = \"ping\"\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& templates = uut.value().apps.at(0).templates;
  BOOST_TEST_REQUIRE(templates.size() == 2u);
  BOOST_TEST(templates.at("greeting").title == "Hi {name}");
  BOOST_TEST(templates.at("greeting").body == "{count} new");
  BOOST_TEST(templates.at("ping").title.empty());
  BOOST_TEST((uut.value().notifications.retention == 1h));
  BOOST_TEST(uut.value().notifications.max_tracked == 10000u);
}

BOOST_AUTO_TEST_CASE(the_notifications_section_is_read_and_bounded) {
  auto uut = parse("[notifications]\nretention = \"10m\"\nmax_tracked = 50\n");
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST((uut.value().notifications.retention == 10min));
  BOOST_TEST(uut.value().notifications.max_tracked == 50u);
  BOOST_TEST(failing_key("[notifications]\nmax_tracked = 0\n") == "notifications.max_tracked");
  BOOST_TEST(failing_key("[notifications]\nretention = \"soon\"\n") == "notifications.retention");
  BOOST_TEST(failing_key("[notifications]\nkeep = 1\n") == "notifications.keep");
}

BOOST_AUTO_TEST_CASE(every_bad_template_names_its_field) {
  BOOST_TEST(failing_key("[[apps]]\nname = \"demo\"\ntemplates = 3\n[apps.wns]\nclient_id = "
                         "\"c\"\nclient_secret = \"s\"\n") == "apps[0].templates");
  BOOST_TEST(failing_key(app_head + "[[apps.templates]]\ntitle = \"t\"\n") ==
             "apps[0].templates[0].name");
  BOOST_TEST(failing_key(app_head + "[[apps.templates]]\nname = \"t\"\n") ==
             "apps[0].templates[0]");
  BOOST_TEST(failing_key(app_head + "[[apps.templates]]\nname = \"t\"\nbody = \"b\"\n"
                                    "sound = \"x\"\n") == "apps[0].templates[0].sound");
  BOOST_TEST(failing_key(app_head + "[[apps.templates]]\nname = \"t\"\nbody = \"b\"\n"
                                    "[[apps.templates]]\nname = \"t\"\nbody = \"c\"\n") ==
             "apps[0].templates[1].name");
}

BOOST_AUTO_TEST_SUITE_END()
