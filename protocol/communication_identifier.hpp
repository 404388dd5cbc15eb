#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "protocol/json_access.hpp"
#include "protocol/result.hpp"

namespace herald::protocol {

/// What an ACS `rawId` names, after the prefix rules of the Azure Communication SDKs
/// (`CommunicationIdentifier` / `createIdentifierFromRawId`).
enum class identifier_kind {
  communication_user,   ///< `8:acs:`, `8:spool:`, `8:dod-acs:`, `8:gcch-acs:`.
  phone_number,         ///< `4:`.
  microsoft_teams_user, ///< `8:orgid:`, `8:dod:`, `8:gcch:`, `8:teamsvisitor:`.
  microsoft_teams_app,  ///< `28:orgid:`, `28:dod:`, `28:gcch:`, `28:dod-global:`,
                        ///< `28:gcch-global:` and bare `28:` (bots).
  unknown,              ///< Anything else, including the `{recipient-id}` doc placeholders.
};

/// The Microsoft cloud a Teams / ACS identity lives in.
enum class identifier_cloud { public_cloud, dod, gcch };

[[nodiscard]] std::string_view to_string(identifier_kind k) noexcept;
[[nodiscard]] std::string_view to_string(identifier_cloud c) noexcept;

/// One ACS identity, keyed by its normalised `rawId`.
///
/// Value type: cheap to move, no references into any JSON. Built from a rawId string
/// (`from_raw_id`) or from any JSON identifier shape ACS sends (`parse_communication_identifier`).
///
/// Normalisation: every rawId the SDKs produce is already canonical and `to_raw_id()` returns
/// it byte for byte. The only rewrite is for phone numbers: `4:` followed by digits with an
/// optional leading `+` and visual separators (space, `-`, `.`, `(`, `)`) becomes `4:+<digits>`
/// (E.164 form, as ACS itself writes phone rawIds), so `4:15555555555`, `4:+1 555 555 5555`
/// and `4:+15555555555` are one identity. SMS events write the same number with and without
/// `+`, and a registry keyed by rawId must see one key. Anything else after `4:` (e.g.
/// `4:anonymous`) is kept verbatim.
class communication_identifier {
public:
  /// An unknown identifier with an empty rawId.
  communication_identifier() = default;

  /// Classifies and normalises `raw_id`. Never fails: unrecognised prefixes give `unknown`.
  [[nodiscard]] static communication_identifier from_raw_id(std::string_view raw_id);

  /// The normalised rawId; equal to the input for every canonical rawId.
  [[nodiscard]] const std::string& to_raw_id() const noexcept { return raw_id_; }
  /// Moves the rawId out of an identifier that is being consumed (saves a copy per intent).
  [[nodiscard]] std::string release_raw_id() && noexcept { return std::move(raw_id_); }
  [[nodiscard]] identifier_kind kind() const noexcept { return kind_; }
  [[nodiscard]] identifier_cloud cloud() const noexcept { return cloud_; }
  /// True for Teams visitors (`8:teamsvisitor:`).
  [[nodiscard]] bool is_anonymous() const noexcept { return anonymous_; }

  /// The kind-specific id: the whole rawId for communication users (as the SDKs' `id`), the
  /// `+digits` value for phone numbers, the user / app id after the prefix for Teams, the whole
  /// rawId for unknown.
  [[nodiscard]] std::string_view id() const noexcept {
    return std::string_view{raw_id_}.substr(id_offset_);
  }

  /// Whether an app can have registered devices for this identity (ACS and Teams users).
  /// Phone numbers, bots and unknown ids never get app pushes.
  [[nodiscard]] bool can_receive_app_push() const noexcept {
    return kind_ == identifier_kind::communication_user ||
           kind_ == identifier_kind::microsoft_teams_user;
  }

  friend bool operator==(const communication_identifier& a,
                         const communication_identifier& b) noexcept {
    return a.raw_id_ == b.raw_id_;
  }

private:
  std::string raw_id_;
  std::size_t id_offset_ = 0;
  identifier_kind kind_ = identifier_kind::unknown;
  identifier_cloud cloud_ = identifier_cloud::public_cloud;
  bool anonymous_ = false;
};

/// Reads an identifier from any shape ACS events use:
/// a bare rawId string; `{"rawId": ...}` with or without `kind` (which is ignored: the rawId
/// prefix decides, as in the SDKs); `{"communicationIdentifier": {...}}` (call participants,
/// one level); `{"communicationUser": {"id": ...}}`; `{"phoneNumber": {"value": "+1..."}}`;
/// `{"microsoftTeamsUser": {"userId", "isAnonymous", "cloud"}}`;
/// `{"microsoftTeamsApp": {"appId", "cloud"}}`. Keys are matched case-insensitively.
/// Errors name the field relative to `v` (e.g. `rawId`); callers prefix their path.
[[nodiscard]] result<communication_identifier> parse_communication_identifier(const json::value& v);

/// Parses `json_text` as JSON, then as `parse_communication_identifier`.
[[nodiscard]] result<communication_identifier>
parse_communication_identifier_json(std::string_view json_text);

} // namespace herald::protocol
