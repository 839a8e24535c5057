#pragma once
// The server's domain types: accounts, records with per-field metadata, versions and conflicts.
// Plain data shared by the services and every Repository implementation.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server {

/// What a user may do and see.
enum class Role {
    Ambassador,  ///< own records and records assigned to them
    Coordinator, ///< the organisation's records, resolves conflicts
    Admin,       ///< as coordinator
};
/// "ambassador", "coordinator", "admin".
[[nodiscard]] std::string_view roleName(Role role);
/// Parses a role name.
[[nodiscard]] std::optional<Role> parseRole(std::string_view name);

/// An organisation; organisations never see each other's records.
struct Org {
    std::int64_t id = 0;
    std::string name;
};

/// A user account.
struct User {
    std::int64_t id = 0;
    std::string name;
    Role role = Role::Ambassador;
    std::int64_t orgId = 0;
    std::string orgName;
    std::string passwordHash; ///< argon2id string (libsodium)
    bool disabled = false;    ///< deactivated by a coordinator: no login, no live token (schema 12)
    /// Given a temporary password by a coordinator: every route but changing it answers 403 until
    /// the user chose their own (schema 12).
    bool mustChangePassword = false;
    std::string lastActive = {}; ///< read by listUsers only: the last use of any of their tokens ("" = never)
};

/// What a coordinator changes on an account (Repository::updateUser); unset members stay.
struct UserChange {
    std::optional<Role> role;
    std::optional<std::string> passwordHash; ///< with `mustChangePassword` below
    bool mustChangePassword = false;         ///< written only with `passwordHash`
    std::optional<bool> disabled;
    bool revokeTokens = false; ///< every token of the user stops working at once
};

/// When a token is live (AuthService, docs/security.md): ISO 8601 UTC times.
struct TokenWindow {
    std::string createdFrom; ///< tokens created before are past their lifetime
    std::string usedFrom;    ///< tokens last used before were left idle too long
    std::string touchBefore; ///< tokens last used before get `now` as their last use
    std::string now;
};

/// Which records a reader may see: an organisation, narrowed to one user's records for ambassadors.
struct Scope {
    std::int64_t orgId = 0;
    std::optional<std::int64_t> userId; ///< set: created by or assigned to this user only
};
/// The scope of `user`.
[[nodiscard]] Scope scopeOf(const User& user);

/// The owner of a form every organisation sees: published by the server's operator
/// (`carnet-server form publish` without `--org`, the built-in field forms).
inline constexpr std::int64_t kSharedForms = 0;

/// A published form version, owned by one organisation (or shared: kSharedForms).
struct FormRow {
    std::string formId, version, hash;
    std::string body; ///< canonical JSON, the text the hash is computed on
    std::int64_t orgId = kSharedForms;
    /// A draft (schema 15): only these devices receive it in their pulls until it is published;
    /// nullopt = published to every device of the organisation.
    std::optional<std::vector<std::string>> draftDevices = std::nullopt;
};

/// Who last wrote one field, and its value then (null once removed).
struct FieldMeta {
    nlohmann::json value;
    std::int64_t version = 0;
    std::string deviceId;
};

/// A record's current state.
struct RecordState {
    std::string recordId;
    std::int64_t orgId = 0;
    std::string orgName;
    std::int64_t createdBy = 0;
    std::optional<std::int64_t> assignedTo;
    std::string kind, formId, formVersion, status, author;
    std::int64_t version = 0;   ///< 0: does not exist yet
    std::int64_t changeSeq = 0; ///< server-wide change sequence of the last write
    nlohmann::json answers = nlohmann::json::object();
    /// The answers as stored JSON text, with `answers` left empty: read for a pull page, and written
    /// by saveVersion when set (a new record pushed as canonical text keeps that text).
    std::string answersText;
    std::map<std::string, FieldMeta> fields; ///< every field ever written (loaded for writes only)
    std::string createdDevice;               ///< the device of version 1 ("" for records stored before schema 4)
    std::string echoDevice;                  ///< the device holding exactly this version (VersionRow), or empty
    std::vector<std::string> conflicts;      ///< fields with an open conflict
    /// For a pull page only: each open conflict's values, field -> [{"value", "device_id", "version"}...].
    nlohmann::json conflictValues = nlohmann::json::object();
    std::vector<std::string> erased; ///< fields erased for good: never written again
};
/// True when `scope` may see `record`.
[[nodiscard]] bool visible(const Scope& scope, const RecordState& record);

/// The order of a record list.
enum class RecordOrder {
    Change,    ///< by change sequence (the last write received), paged by `cursor`
    Interview, ///< by interview time (see RecordListRow::interviewAt), then change sequence; paged by `offset`
};

/// Filters for browsing records (console, exports); everything set must match.
struct RecordQuery {
    Scope scope;
    std::string formId, status, author; ///< "" = any; author matches the creating user's name or the author field
    std::string formVersion;            ///< "" = any; else only records written with this version of the form
    std::string fromDate, toDate;       ///< "YYYY-MM-DD", "" = open; compared with the last change's date (UTC)
    bool onInterviewDate = false;       ///< from/to compare with the interview's day (interviewAt) instead
    /// "" = any; else search terms (searchTerms), every one the start of a word of the answers' text
    /// values (the search index, docs/console.md)
    std::vector<std::string> terms;
    /// "" = any; else the state of the record's latest review (ReviewRow; "received" also matches a
    /// record never reviewed)
    std::string review;
    RecordOrder order = RecordOrder::Change;
    std::int64_t cursor = 0;   ///< change sequence to continue after (0 = from the start; Change only)
    std::size_t offset = 0;    ///< rows skipped (Interview order)
    bool newestFirst = false;  ///< console lists go backwards, exports forwards
    bool withConflicts = true; ///< load each record's open conflicts (exports do not need them)
    std::size_t limit = 100;
};

/// Text folded for search: lower case, common Latin accents removed, spaces and hyphens collapsed
/// (field::foldName's folding), so "DIALLO" and "Diallo", "Hélène" and "helene" match.
[[nodiscard]] std::string foldText(std::string_view text);

/// The words of a search as the search index holds them: `text` folded (foldText), cut at every ASCII
/// character that is not a letter or a digit, at most kMaxSearchTerms of them ("Noël-Martin, 06 12" ->
/// noel, martin, 06, 12). Only letters, digits and non-ASCII bytes remain, so a term is safe to
/// quote in an FTS5 or tsquery expression.
[[nodiscard]] std::vector<std::string> searchTerms(std::string_view text);

/// The most words one search uses (the rest are dropped).
inline constexpr std::size_t kMaxSearchTerms = 12;

/// A coordinator's review of a record (docs/console.md, "Review"): kept one after the other, the latest
/// is the record's review state.
struct ReviewRow {
    std::string recordId;
    std::string state;        ///< received, approved, has_issues or rejected (isReviewState)
    std::string comment;      ///< "" = none
    std::string userName;     ///< who reviewed
    std::int64_t version = 0; ///< the record's version that was reviewed
    std::string at;           ///< when (UTC ISO 8601); set by Repository::addReview
};
/// The review states, as ODK Central names them: "received" (not reviewed, or set back), "approved",
/// "has_issues", "rejected".
[[nodiscard]] bool isReviewState(std::string_view state);

/// One record in a list, with when it last changed and who created it.
struct RecordListRow {
    RecordState record;
    std::string updatedAt; ///< ISO 8601 UTC of the current version
    std::string createdByName;
    /// When the interview took place: the answer `end`, else `start` (the form's own time stamps, as
    /// XLSForm names them), else when the server received the record's first version.
    std::string interviewAt;
};

/// A registered device with what it reported on its last sync.
struct DeviceRow {
    std::string deviceId, name, userName, registeredAt;
    std::int64_t userId = 0, orgId = 0;       ///< the owner and their organisation
    std::string appVersion;                   ///< the app's version it last reported ("" = never, schema 12)
    std::string revokedAt;                    ///< revoked by a coordinator: its syncs are refused ("" = live)
    std::string lastSeen;                     ///< last push or pull ("" = never)
    std::string lastSync;                     ///< last pull, the end of a sync ("" = never)
    std::optional<std::int64_t> pending;      ///< outbox entries the device reported (nullopt = not reported)
    std::optional<std::int64_t> draftsBehind; ///< drafts left on an older form version (nullopt = not reported)
};

/// What a device reports about itself on a sync request.
struct DeviceReport {
    std::optional<std::int64_t> pending, draftsBehind;
    bool endOfSync = false;                     ///< a pull: the device has the latest forms
    std::optional<std::string> appVersion = {}; ///< the app's version (schema 12)
};

/// What a coordinator changes on a device (Repository::updateDevice); unset members stay.
struct DeviceChange {
    std::optional<std::string> name;
    bool revoke = false; ///< its syncs are refused from now on (the revocation is never undone)
};

/// Whether a draft's devices include `deviceId` (never for "").
[[nodiscard]] bool draftNames(const std::vector<std::string>& devices, std::string_view deviceId);

/// A form version (published or a draft) with when it was published.
struct FormListRow {
    std::string formId, version, hash, publishedAt; ///< publishedAt: when uploaded, or published if a draft was
    std::int64_t orgId = kSharedForms;
    std::optional<std::vector<std::string>> draftDevices = std::nullopt; ///< a draft's devices (FormRow)
};

/// One kept version of a record.
struct VersionRow {
    std::int64_t version = 0;
    std::string status, formVersion, deviceId, userName;
    nlohmann::json answers = nlohmann::json::object(); ///< as read back (saveVersion writes the state's)
    std::vector<std::string> changed;                  ///< fields this version changed
    std::string receivedAt; ///< read only: when the server wrote this version (UTC, ISO 8601; "" if unknown)
    /// When the device made the edits of this version, by its clock (Mutation::editedAt; "" when the
    /// device did not say, and for versions the server made).
    std::string editedAt;
    /// Written only: this version wrote every answer it has (a new record whose answers came as text,
    /// Mutation::fieldsText), so `changed` is left empty and stored as implied: read back, it lists
    /// the version's answers.
    bool changedEveryAnswer = false;
    /// Written only: the device whose own copy is exactly this version (a clean write of its own on
    /// top of a version it also held): a pull by that device skips the record. "" for any other write.
    std::string echoDevice;
};
/// The history row of `state`'s version (already bumped), written by `deviceId` for `userName`.
[[nodiscard]] VersionRow versionRowOf(const RecordState& state, std::string_view deviceId, std::string_view userName,
                                      std::vector<std::string> changed);

/// One value of a field in conflict.
struct ConflictValue {
    nlohmann::json value;
    std::string deviceId;
    std::int64_t version = 0;
};

/// An open conflict on one field of one record.
struct ConflictRow {
    std::string recordId, field;
    std::vector<ConflictValue> values;
};

} // namespace carnet::server
