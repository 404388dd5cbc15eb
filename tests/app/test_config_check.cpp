#include "app/config.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace app = herald::app;

namespace {

const std::string data_dir = HERALD_TEST_DATA_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// JSON string literal of `text` (the PEM's newlines become \n).
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string service_account(const std::string& private_key, const std::string& project) {
  return R"({"type": "service_account", "project_id": ")" + project +
         R"(", "client_email": "herald@p.iam.gserviceaccount.com", "private_key": )" +
         json_string(private_key) + "}";
}

/// A loaded config with one app whose providers are given as TOML.
app::config load(const std::string& providers) {
  auto cfg = app::parse_config("[[apps]]\nname = \"contoso\"\n" + providers, app::config_env{});
  BOOST_TEST_REQUIRE(cfg.has_value(), (cfg ? "" : cfg.error().describe()));
  return cfg.value();
}

std::string apns_with_key(const std::string& key_file) {
  return "[apps.apns]\nteam_id = \"T\"\nkey_id = \"K\"\nbundle_id = \"b\"\nkey_file = \"" +
         key_file + "\"\n";
}

struct fixture {
  herald::test::temp_dir dir;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(config_check, fixture)

BOOST_AUTO_TEST_CASE(accepts_a_p256_apns_key) {
  auto uut = load(apns_with_key(data_dir + "/apns-test-key.p8"));
  auto r = app::check_config_files(uut);
  BOOST_TEST(r.has_value(), (r ? "" : r.error().describe()));
}

BOOST_AUTO_TEST_CASE(missing_apns_key_file_names_the_key) {
  auto uut = load(apns_with_key((dir / "AuthKey_X.p8").string()));
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].apns.key_file");
  BOOST_TEST(r.error().message.starts_with("file not found: "));
}

BOOST_AUTO_TEST_CASE(rejects_apns_keys_that_are_not_p256) {
  for (const auto* name : {"/ec-p384-key.pem", "/rs256-test-key.pem"}) {
    auto uut = load(apns_with_key(data_dir + name));
    auto r = app::check_config_files(uut);
    BOOST_TEST_REQUIRE(!r.has_value(), name);
    BOOST_TEST(r.error().key == "apps[0].apns.key_file");
  }
  write_file(dir / "garbage.p8", "not a key");
  auto uut = load(apns_with_key((dir / "garbage.p8").string()));
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].apns.key_file");
}

BOOST_AUTO_TEST_CASE(ca_file_must_hold_a_certificate) {
  write_file(dir / "ca.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  auto uut = load(apns_with_key(data_dir + "/apns-test-key.p8") + "ca_file = \"" +
                  (dir / "ca.pem").string() + "\"\n");
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].apns.ca_file");
}

BOOST_AUTO_TEST_CASE(wns_ca_file_must_hold_a_certificate) {
  write_file(dir / "ca.pem", "not a certificate");
  auto uut = load("[apps.wns]\nclient_id = \"c\"\nclient_secret = \"s\"\nca_file = \"" +
                  (dir / "ca.pem").string() + "\"\n");
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].wns.ca_file");
}

BOOST_AUTO_TEST_CASE(fcm_service_account_fills_the_project_id) {
  const auto file = dir / "sa.json";
  write_file(file, service_account(read_file(data_dir + "/rs256-test-key.pem"), "proj-1"));
  auto uut = load("[apps.fcm]\nservice_account_file = \"" + file.string() + "\"\n");
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().describe()));
  BOOST_TEST(uut.apps.at(0).fcm->project_id == "proj-1");
}

BOOST_AUTO_TEST_CASE(fcm_service_account_needs_an_rsa_key_and_a_project) {
  const auto file = dir / "sa.json";
  const auto toml = "[apps.fcm]\nservice_account_file = \"" + file.string() + "\"\n";

  write_file(file, service_account(read_file(data_dir + "/apns-test-key.p8"), "p"));
  auto uut = load(toml);
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].fcm.service_account_file");
  // The key text is a credential: errors name the file, never quote it.
  BOOST_TEST(r.error().describe().find("PRIVATE KEY") == std::string::npos);

  write_file(file, service_account(read_file(data_dir + "/rs256-test-key.pem"), ""));
  uut = load(toml);
  r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].fcm.project_id");

  write_file(file, "{\"type\": \"authorized_user\"}");
  uut = load(toml);
  r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "apps[0].fcm.service_account_file");
}

BOOST_AUTO_TEST_CASE(data_dir_that_is_a_file_is_rejected) {
  write_file(dir / "data", "");
  auto uut = load(apns_with_key(data_dir + "/apns-test-key.p8"));
  uut.node.data_dir = dir / "data";
  auto r = app::check_config_files(uut);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().key == "node.data_dir");
  uut.node.data_dir = dir / "not-yet";
  BOOST_TEST(app::check_config_files(uut).has_value());
}

/// A config whose listener uses `cert` and `key` (no apps).
app::config with_tls(const std::filesystem::path& cert, const std::filesystem::path& key) {
  auto cfg = app::parse_config("[http]\ntls_cert_file = \"" + cert.string() +
                                   "\"\ntls_key_file = \"" + key.string() + "\"\n",
                               app::config_env{});
  BOOST_TEST_REQUIRE(cfg.has_value(), (cfg ? "" : cfg.error().describe()));
  return cfg.value();
}

BOOST_AUTO_TEST_CASE(accepts_a_matching_tls_certificate_and_key) {
  auto pki = herald::test::make_test_pki(dir / "pki");
  auto uut = with_tls(pki.server_cert, pki.server_key);
  auto r = app::check_config_files(uut);
  BOOST_TEST(r.has_value(), (r ? "" : r.error().describe()));
}

BOOST_AUTO_TEST_CASE(tls_file_errors_name_the_key) {
  auto pki = herald::test::make_test_pki(dir / "pki");
  write_file(dir / "junk.pem", "not a certificate\n");
  struct example {
    std::filesystem::path cert, key;
    std::string error_key;
  };
  const std::vector<example> examples = {
      {dir / "missing.pem", pki.server_key, "http.tls_cert_file"},
      {pki.server_cert, dir / "missing.key", "http.tls_key_file"},
      {dir / "junk.pem", pki.server_key, "http.tls_cert_file"},
      {pki.server_cert, dir / "junk.pem", "http.tls_key_file"},
      // The CA's key does not belong to the server certificate.
      {pki.server_cert, pki.ca_key, "http.tls_key_file"},
  };
  for (const auto& e : examples) {
    auto uut = with_tls(e.cert, e.key);
    auto r = app::check_config_files(uut);
    BOOST_TEST_REQUIRE(!r.has_value(), e.cert << " + " << e.key);
    BOOST_TEST_MESSAGE(r.error().describe());
    BOOST_TEST(r.error().key == e.error_key);
  }
}

BOOST_AUTO_TEST_SUITE_END()
