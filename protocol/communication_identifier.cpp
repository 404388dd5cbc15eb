#include "protocol/communication_identifier.hpp"

#include <array>

namespace herald::protocol {

namespace {

struct prefix_rule {
  std::string_view prefix;
  identifier_kind kind;
  identifier_cloud cloud;
  bool anonymous;
  bool id_is_whole_raw_id; // communication users: the SDK's `id` is the full rawId
};

// Longest prefixes are not an issue: no prefix here is a prefix of another except bare `28:`,
// which is last. Source: Azure SDK `identifierModels` rawId rules.
constexpr std::array<prefix_rule, 15> rules{{
    {"8:acs:", identifier_kind::communication_user, identifier_cloud::public_cloud, false, true},
    {"8:spool:", identifier_kind::communication_user, identifier_cloud::public_cloud, false, true},
    {"8:dod-acs:", identifier_kind::communication_user, identifier_cloud::dod, false, true},
    {"8:gcch-acs:", identifier_kind::communication_user, identifier_cloud::gcch, false, true},
    {"8:orgid:", identifier_kind::microsoft_teams_user, identifier_cloud::public_cloud, false,
     false},
    {"8:dod:", identifier_kind::microsoft_teams_user, identifier_cloud::dod, false, false},
    {"8:gcch:", identifier_kind::microsoft_teams_user, identifier_cloud::gcch, false, false},
    {"8:teamsvisitor:", identifier_kind::microsoft_teams_user, identifier_cloud::public_cloud, true,
     false},
    {"28:orgid:", identifier_kind::microsoft_teams_app, identifier_cloud::public_cloud, false,
     false},
    {"28:dod:", identifier_kind::microsoft_teams_app, identifier_cloud::dod, false, false},
    {"28:gcch:", identifier_kind::microsoft_teams_app, identifier_cloud::gcch, false, false},
    {"28:dod-global:", identifier_kind::microsoft_teams_app, identifier_cloud::dod, false, false},
    {"28:gcch-global:", identifier_kind::microsoft_teams_app, identifier_cloud::gcch, false, false},
    {"28:", identifier_kind::microsoft_teams_app, identifier_cloud::public_cloud, false, false},
    {"4:", identifier_kind::phone_number, identifier_cloud::public_cloud, false, false},
}};

/// `+<digits>` when `s` is a phone number written with optional `+` and separators.
std::string normalise_phone(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 1);
  out.push_back('+');
  std::size_t i = (!s.empty() && s[0] == '+') ? 1 : 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      out.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::string{s}; // not a plain number (e.g. "anonymous"): keep verbatim
    }
  }
  return out.size() > 1 ? out : std::string{s};
}

std::string_view cloud_prefix_user(identifier_cloud c, bool anonymous) {
  if (anonymous) {
    return "8:teamsvisitor:";
  }
  switch (c) {
  case identifier_cloud::dod:
    return "8:dod:";
  case identifier_cloud::gcch:
    return "8:gcch:";
  case identifier_cloud::public_cloud:
    break;
  }
  return "8:orgid:";
}

std::string_view cloud_prefix_app(identifier_cloud c) {
  switch (c) {
  case identifier_cloud::dod:
    return "28:dod:";
  case identifier_cloud::gcch:
    return "28:gcch:";
  case identifier_cloud::public_cloud:
    break;
  }
  return "28:orgid:";
}

identifier_cloud parse_cloud(const json::value* v) {
  const std::string_view s = v ? json::view(*v) : std::string_view{};
  if (json::iequals(s, "dod")) {
    return identifier_cloud::dod;
  }
  if (json::iequals(s, "gcch")) {
    return identifier_cloud::gcch;
  }
  return identifier_cloud::public_cloud;
}

error field_error(errc code, std::string field, std::string message) {
  return error{code, std::move(field), std::move(message), -1};
}

} // namespace

std::string_view to_string(identifier_kind k) noexcept {
  switch (k) {
  case identifier_kind::communication_user:
    return "communicationUser";
  case identifier_kind::phone_number:
    return "phoneNumber";
  case identifier_kind::microsoft_teams_user:
    return "microsoftTeamsUser";
  case identifier_kind::microsoft_teams_app:
    return "microsoftTeamsApp";
  case identifier_kind::unknown:
    break;
  }
  return "unknown";
}

std::string_view to_string(identifier_cloud c) noexcept {
  switch (c) {
  case identifier_cloud::dod:
    return "dod";
  case identifier_cloud::gcch:
    return "gcch";
  case identifier_cloud::public_cloud:
    break;
  }
  return "public";
}

communication_identifier communication_identifier::from_raw_id(std::string_view raw_id) {
  communication_identifier out;
  for (const auto& rule : rules) {
    if (raw_id.substr(0, rule.prefix.size()) != rule.prefix) {
      continue;
    }
    out.kind_ = rule.kind;
    out.cloud_ = rule.cloud;
    out.anonymous_ = rule.anonymous;
    if (rule.kind == identifier_kind::phone_number) {
      out.raw_id_ = "4:";
      out.raw_id_ += normalise_phone(raw_id.substr(2));
    } else {
      out.raw_id_ = std::string{raw_id};
    }
    out.id_offset_ = rule.id_is_whole_raw_id ? 0 : rule.prefix.size();
    return out;
  }
  out.raw_id_ = std::string{raw_id};
  return out;
}

result<communication_identifier> parse_communication_identifier(const json::value& v) {
  if (v.IsString()) {
    return communication_identifier::from_raw_id(json::view(v));
  }
  if (!v.IsObject()) {
    return field_error(errc::invalid_field, "",
                       "identifier must be a string or an object, not " +
                           std::string{json::type_name(v)});
  }
  if (const auto* raw = json::find(v, "rawId"); raw && !raw->IsNull()) {
    if (!raw->IsString()) {
      return field_error(errc::invalid_field, "rawId", "must be a string");
    }
    return communication_identifier::from_raw_id(json::view(*raw));
  }
  // Call participant events wrap the identifier one level down, next to `role`.
  if (const auto* inner = json::find(v, "communicationIdentifier")) {
    if (!inner->IsObject() || json::find(*inner, "communicationIdentifier")) {
      return field_error(errc::invalid_field, "communicationIdentifier",
                         "must be an identifier object");
    }
    auto r = parse_communication_identifier(*inner);
    if (!r) {
      error e = r.error();
      e.field = "communicationIdentifier" + (e.field.empty() ? "" : "." + e.field);
      return e;
    }
    return r;
  }
  if (const auto* user = json::find(v, "communicationUser")) {
    const auto* id = json::find(*user, "id");
    if (!id || !id->IsString()) {
      return field_error(errc::missing_field, "communicationUser.id", "must be a string");
    }
    return communication_identifier::from_raw_id(json::view(*id));
  }
  if (const auto* phone = json::find(v, "phoneNumber")) {
    const auto* value = json::find(*phone, "value");
    if (!value || !value->IsString()) {
      return field_error(errc::missing_field, "phoneNumber.value", "must be a string");
    }
    std::string raw{"4:"};
    raw += json::view(*value);
    return communication_identifier::from_raw_id(raw);
  }
  if (const auto* teams = json::find(v, "microsoftTeamsUser")) {
    const auto* id = json::find(*teams, "userId");
    if (!id || !id->IsString()) {
      return field_error(errc::missing_field, "microsoftTeamsUser.userId", "must be a string");
    }
    const auto* anon = json::find(*teams, "isAnonymous");
    std::string raw{
        cloud_prefix_user(parse_cloud(json::find(*teams, "cloud")), anon && anon->IsTrue())};
    raw += json::view(*id);
    return communication_identifier::from_raw_id(raw);
  }
  if (const auto* app = json::find(v, "microsoftTeamsApp")) {
    const auto* id = json::find(*app, "appId");
    if (!id || !id->IsString()) {
      return field_error(errc::missing_field, "microsoftTeamsApp.appId", "must be a string");
    }
    std::string raw{cloud_prefix_app(parse_cloud(json::find(*app, "cloud")))};
    raw += json::view(*id);
    return communication_identifier::from_raw_id(raw);
  }
  return field_error(errc::missing_field, "rawId", "identifier has no rawId or known id object");
}

result<communication_identifier> parse_communication_identifier_json(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
      json_text.data(), json_text.size());
  if (doc.HasParseError()) {
    return field_error(errc::malformed_json, "", "identifier is not valid JSON");
  }
  return parse_communication_identifier(doc);
}

} // namespace herald::protocol
