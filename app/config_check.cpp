#include "app/config.hpp"

#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>

#include "app/config_reader.hpp"
#include "app/http_listeners.hpp"

// check_config_files: the checks that need the file system (see config.hpp).
namespace herald::app {
namespace {

struct bio_free {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct x509_free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

config_result<void> require_file(const std::string& key, const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return config_failure(key, "file not found: " + file.string());
  }
  if (!std::filesystem::is_regular_file(file, ec)) {
    return config_failure(key, "not a regular file: " + file.string());
  }
  std::ifstream probe(file);
  if (!probe) {
    return config_failure(key, "cannot read " + file.string() + " (permissions?)");
  }
  return config_ok();
}

/// Loads a PEM private key from memory; never echoes the text in errors.
pkey_ptr load_private_key(std::string_view pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return nullptr;
  }
  return pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

config_result<std::string> read_all(const std::string& key, const std::filesystem::path& file) {
  HERALD_CONFIG_TRY(require_file(key, file));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

config_result<void> check_ca_file(const std::string& key, const std::filesystem::path& file) {
  if (file.empty()) {
    return config_ok();
  }
  auto pem = read_all(key, file);
  HERALD_CONFIG_TRY(pem);
  bio_ptr bio(BIO_new_mem_buf(pem.value().data(), static_cast<int>(pem.value().size())));
  std::unique_ptr<X509, x509_free> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    return config_failure(key, "no PEM certificate in " + file.string());
  }
  return config_ok();
}

// APNs token authentication uses an ES256 key: the .p8 file is a PKCS#8 PEM P-256 EC key
// (Apple, "Establishing a token-based connection to APNs").
config_result<void> check_apns(const std::string& path, const apns_config& apns) {
  const auto key = path + ".key_file";
  auto pem = read_all(key, apns.key_file);
  HERALD_CONFIG_TRY(pem);
  const auto pkey = load_private_key(pem.value());
  if (!pkey) {
    return config_failure(key, "not a PEM private key: " + apns.key_file.string());
  }
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_group_name(pkey.get(), group, sizeof group, &len) != 1 ||
      std::string_view(group, len) != "prime256v1") {
    return config_failure(key,
                          "not an EC P-256 key (APNs .p8 keys are): " + apns.key_file.string());
  }
  return check_ca_file(path + ".ca_file", apns.ca_file);
}

// A Google service account key file is JSON with "type": "service_account", "client_email",
// a PEM RSA "private_key" and "project_id" (Google Cloud, "Create and delete service
// account keys").
config_result<void> check_fcm(const std::string& path, fcm_config& fcm) {
  const auto key = path + ".service_account_file";
  const auto& file = fcm.service_account_file;
  auto text = read_all(key, file);
  HERALD_CONFIG_TRY(text);
  rapidjson::Document doc;
  doc.Parse(text.value().data(), text.value().size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return config_failure(key, "not a JSON object: " + file.string());
  }
  const auto field = [&doc](const char* name) -> std::string {
    const auto it = doc.FindMember(name);
    return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  if (field("type") != "service_account") {
    return config_failure(key, "\"type\" is not \"service_account\" in " + file.string());
  }
  if (field("client_email").empty()) {
    return config_failure(key, "no \"client_email\" in " + file.string());
  }
  const auto pkey = load_private_key(field("private_key"));
  if (!pkey || EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
    return config_failure(key, "\"private_key\" is not a PEM RSA key in " + file.string());
  }
  if (fcm.project_id.empty()) {
    fcm.project_id = field("project_id");
  }
  if (fcm.project_id.empty()) {
    return config_failure(path + ".project_id",
                          "not set, and no \"project_id\" in " + file.string());
  }
  return check_ca_file(path + ".ca_file", fcm.ca_file);
}

} // namespace

config_result<void> check_config_files(config& cfg) {
  std::error_code ec;
  if (std::filesystem::exists(cfg.node.data_dir, ec) &&
      !std::filesystem::is_directory(cfg.node.data_dir, ec)) {
    return config_failure("node.data_dir", "not a directory: " + cfg.node.data_dir.string());
  }
  if (!cfg.http.tls_cert_file.empty()) {
    HERALD_CONFIG_TRY(require_file("http.tls_cert_file", cfg.http.tls_cert_file));
    HERALD_CONFIG_TRY(require_file("http.tls_key_file", cfg.http.tls_key_file));
    // Loads the PEM files as the listener will: not PEM, or a key for another certificate.
    HERALD_CONFIG_TRY(make_http_server_options(cfg.http));
  }
  for (std::size_t i = 0; i < cfg.apps.size(); ++i) {
    auto& app = cfg.apps[i];
    const auto path = "apps[" + std::to_string(i) + "]";
    if (app.apns) {
      HERALD_CONFIG_TRY(check_apns(path + ".apns", *app.apns));
    }
    if (app.fcm) {
      HERALD_CONFIG_TRY(check_fcm(path + ".fcm", *app.fcm));
    }
    if (app.wns) {
      HERALD_CONFIG_TRY(check_ca_file(path + ".wns.ca_file", app.wns->ca_file));
    }
  }
  return config_ok();
}

} // namespace herald::app
