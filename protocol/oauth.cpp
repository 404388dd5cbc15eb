#include "protocol/oauth.hpp"

#include <cctype>
#include <charconv>

#include <rapidjson/document.h>

#include "protocol/https_target.hpp"
#include "protocol/json_writer.hpp"

namespace herald::protocol {

namespace {

constexpr std::chrono::seconds assertion_lifetime{3600}; // Google's maximum.

result<std::string> required_string(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    return error{errc::missing_field, name, std::string(name) + " is missing or empty"};
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

oauth_request form_post(const https_target& target, std::string body) {
  oauth_request out;
  out.authority = target.authority;
  out.request.path = target.path;
  out.request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  out.request.headers.emplace_back("accept", "application/json");
  out.request.body = std::move(body);
  return out;
}

} // namespace

std::string form_urlencode(std::string_view value) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0x0F]);
    }
  }
  return out;
}

result<google_service_account> parse_google_service_account(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return error{errc::malformed_json, {}, "service account file is not JSON"};
  }
  if (!doc.IsObject()) {
    return error{errc::wrong_shape, {}, "service account file is not a JSON object"};
  }
  google_service_account out;
  for (auto [name, field] :
       {std::pair{"client_email", &out.client_email}, std::pair{"private_key", &out.private_key},
        std::pair{"token_uri", &out.token_uri}, std::pair{"project_id", &out.project_id}}) {
    auto value = required_string(doc, name);
    if (!value) {
      return value.error();
    }
    *field = std::move(value).value();
  }
  if (auto target = split_https_url(out.token_uri, "token_uri"); !target) {
    return target.error();
  }
  return out;
}

result<std::string> make_google_assertion(const google_service_account& account,
                                          const rs256_signer& signer,
                                          std::chrono::system_clock::time_point iat) {
  const auto iat_s =
      std::chrono::duration_cast<std::chrono::seconds>(iat.time_since_epoch()).count();
  json_writer claims;
  claims.start_object();
  claims.member("iss", account.client_email);
  claims.member("scope", fcm_oauth_scope);
  claims.member("aud", account.token_uri);
  claims.member("iat", std::int64_t{iat_s});
  claims.member("exp", std::int64_t{iat_s + assertion_lifetime.count()});
  claims.end_object();
  return make_rs256_jws(signer, R"({"alg":"RS256","typ":"JWT"})", claims.str());
}

result<oauth_request> make_google_token_request(const google_service_account& account,
                                                const rs256_signer& signer,
                                                std::chrono::system_clock::time_point now) {
  auto target = split_https_url(account.token_uri, "token_uri");
  if (!target) {
    return target.error();
  }
  auto assertion = make_google_assertion(account, signer, now);
  if (!assertion) {
    return assertion.error();
  }
  // RFC 7523 §2.1 grant type, form-encoded (RFC 6749 Appendix B).
  std::string body = "grant_type=" + form_urlencode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                     "&assertion=" + form_urlencode(assertion.value());
  return form_post(target.value(), std::move(body));
}

result<oauth_request> make_wns_token_request(const wns_credentials& credentials) {
  if (credentials.client_id.empty()) {
    return error{errc::missing_field, "client_id", "WNS client id (Package SID) is empty"};
  }
  if (credentials.client_secret.empty()) {
    return error{errc::missing_field, "client_secret", "WNS client secret is empty"};
  }
  std::string body =
      "grant_type=client_credentials&client_id=" + form_urlencode(credentials.client_id) +
      "&client_secret=" + form_urlencode(credentials.client_secret) +
      "&scope=" + form_urlencode(wns_oauth_scope);
  return form_post(split_https_url(wns_token_url, "token_url").value(), std::move(body));
}

result<oauth_token> parse_oauth_token_response(const provider_response& response) {
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (doc.HasParseError()) {
    return error{errc::malformed_json,
                 {},
                 "token response (HTTP " + std::to_string(response.status) + ") is not JSON"};
  }
  if (!doc.IsObject()) {
    return error{errc::wrong_shape, {}, "token response is not a JSON object"};
  }
  if (const auto it = doc.FindMember("error"); it != doc.MemberEnd()) {
    std::string message = it->value.IsString() ? it->value.GetString() : "error";
    if (const auto d = doc.FindMember("error_description");
        d != doc.MemberEnd() && d->value.IsString()) {
      message += ": ";
      message += d->value.GetString();
    }
    return error{errc::invalid_field, "error", std::move(message)};
  }
  if (response.status != 200) {
    return error{
        errc::wrong_shape, {}, "token endpoint answered HTTP " + std::to_string(response.status)};
  }
  oauth_token out;
  auto token = required_string(doc, "access_token");
  if (!token) {
    return token.error();
  }
  out.access_token = std::move(token).value();
  if (const auto t = doc.FindMember("token_type"); t != doc.MemberEnd() && t->value.IsString()) {
    out.token_type = t->value.GetString();
  }
  const auto exp = doc.FindMember("expires_in");
  if (exp != doc.MemberEnd() && exp->value.IsInt64()) {
    out.expires_in = std::chrono::seconds{exp->value.GetInt64()};
  } else if (exp != doc.MemberEnd() && exp->value.IsString()) {
    std::int64_t v = 0;
    const std::string_view s(exp->value.GetString(), exp->value.GetStringLength());
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) {
      return error{errc::invalid_field, "expires_in", "expires_in is not a number"};
    }
    out.expires_in = std::chrono::seconds{v};
  } else {
    return error{errc::missing_field, "expires_in", "expires_in is missing"};
  }
  if (out.expires_in.count() <= 0) {
    return error{errc::invalid_field, "expires_in", "expires_in must be positive"};
  }
  return out;
}

} // namespace herald::protocol
