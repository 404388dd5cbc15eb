// `[[apps.api_keys]]`: the REST API keys of an app, configured as SHA-256 digests.
#include <boost/test/unit_test.hpp>

#include <string>

#include "app/config.hpp"
#include "protocol/api_key.hpp"
#include "tests/app/config_test_helpers.hpp"

namespace app = herald::app;
using herald::protocol::api_scope;

namespace {

const std::string digest_a = herald::protocol::to_hex(herald::protocol::sha256("key-a"));
const std::string digest_b = herald::protocol::to_hex(herald::protocol::sha256("key-b"));

/// An app `name` with a WNS section and `keys` appended ([[apps.api_keys]] tables).
std::string app_toml(const std::string& name, const std::string& keys) {
  return "[[apps]]\nname = \"" + name +
         "\"\n[apps.wns]\nclient_id = \"c\"\nclient_secret = \"s\"\n" + keys;
}

std::string key_toml(const std::string& id, const std::string& digest, const std::string& scopes,
                     const std::string& extra = {}) {
  return "[[apps.api_keys]]\nid = \"" + id + "\"\nsha256 = \"" + digest + "\"\nscopes = " + scopes +
         "\n" + extra;
}

using herald::test::failing_key;

auto parse(const std::string& text) {
  return herald::test::parse_test_config(text);
}

} // namespace

BOOST_AUTO_TEST_CASE(keys_load_with_their_digest_scopes_and_rate) {
  auto uut = parse(app_toml(
      "demo", key_toml("backend", digest_a, R"(["register", "send"])", "rate_per_second = 2.5\n") +
                  key_toml("ops", digest_b, R"(["admin"])")));
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  const auto& keys = uut.value().apps.at(0).api_keys;
  BOOST_TEST_REQUIRE(keys.size() == 2u);
  BOOST_TEST(keys[0].id == "backend");
  BOOST_TEST((keys[0].digest == herald::protocol::sha256("key-a")));
  BOOST_TEST(keys[0].allows(api_scope::register_devices));
  BOOST_TEST(keys[0].allows(api_scope::send));
  BOOST_TEST(!keys[0].allows(api_scope::admin));
  BOOST_TEST(keys[0].rate_per_second.value() == 2.5);
  BOOST_TEST(!keys[1].rate_per_second.has_value());
  BOOST_TEST(keys[1].allows(api_scope::send));
  BOOST_TEST(parse(app_toml("demo", "")).value().apps.at(0).api_keys.empty());
}

BOOST_AUTO_TEST_CASE(every_bad_key_names_its_field) {
  const std::string reg = R"(["register"])";
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", "abc", reg))) ==
             "apps[0].api_keys[0].sha256");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", digest_a + "0", reg))) ==
             "apps[0].api_keys[0].sha256");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", digest_a, R"(["root"])"))) ==
             "apps[0].api_keys[0].scopes");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", digest_a, "[]"))) ==
             "apps[0].api_keys[0].scopes");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("bad id", digest_a, reg))) ==
             "apps[0].api_keys[0].id");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", digest_a, reg, "rate_per_second = 0\n"))) ==
             "apps[0].api_keys[0].rate_per_second");
  BOOST_TEST(failing_key(app_toml("demo", key_toml("k", digest_a, reg, "key = \"plain\"\n"))) ==
             "apps[0].api_keys[0].key");
  BOOST_TEST(
      failing_key(app_toml("demo", key_toml("k", digest_a, reg) + key_toml("k", digest_b, reg))) ==
      "apps[0].api_keys[1].id");
  BOOST_TEST(failing_key("[[apps]]\nname = \"demo\"\napi_keys = 3\n[apps.wns]\nclient_id = "
                         "\"c\"\nclient_secret = \"s\"\n") == "apps[0].api_keys");
}

BOOST_AUTO_TEST_CASE(a_key_belongs_to_one_app_only) {
  const std::string reg = R"(["register"])";
  auto shared =
      app_toml("one", key_toml("k", digest_a, reg)) + app_toml("two", key_toml("k", digest_a, reg));
  BOOST_TEST(failing_key(shared) == "apps[1].api_keys");
  auto apart =
      app_toml("one", key_toml("k", digest_a, reg)) + app_toml("two", key_toml("k", digest_b, reg));
  BOOST_TEST(failing_key(apart) == "(ok)");
}
