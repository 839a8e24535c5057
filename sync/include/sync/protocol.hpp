#pragma once
// The sync wire protocol shared by the device and the server (docs/sync-protocol.md). Types and their
// JSON forms only: no transport, no storage.

#include "core/result.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::sync {

constexpr int kProtocolVersion = 1; ///< sent and checked on every exchange
constexpr std::string_view kProtocolHeader = "Carnet-Protocol";
constexpr std::size_t kMaxPushBatch = 500;            ///< mutations per push request
constexpr std::size_t kMaxPullLimit = 1000;           ///< changes per pull page
constexpr std::size_t kMaxBodyBytes = 8u << 20;       ///< JSON request bodies
constexpr std::size_t kMaxChunkBytes = 64u << 20;     ///< attachment chunks
constexpr std::size_t kMediaChunkBytes = 1u << 20;    ///< at most what a form media download returns per request
constexpr std::size_t kUploadChunkBytes = 256u << 10; ///< what a device sends per attachment PUT (slow links progress)

/// What the server did with one mutation.
/// Discarded: the record was deleted, or every field written was erased; the device drops the mutation.
enum class MutationStatus { Applied, Merged, Conflict, Rejected, Discarded };
[[nodiscard]] std::string_view statusName(MutationStatus s);
[[nodiscard]] std::optional<MutationStatus> parseMutationStatus(std::string_view s);

constexpr std::size_t kMaxEditedAt = 40; ///< Mutation::editedAt's longest text
/// Whether `s` may be a Mutation::editedAt: ISO 8601 characters only (digits, - : T Z . +), at most
/// kMaxEditedAt of them. Anything else makes the mutation malformed.
[[nodiscard]] bool editedAtFits(std::string_view s);

/// One outbox entry on the wire.
struct Mutation {
    std::int64_t seq = 0;
    std::string recordId;
    std::int64_t baseVersion = 0;
    std::string op;                                    ///< create, set, finalize, migrate, delete, erase
    nlohmann::json changes = nlohmann::json::object(); ///< {"fields": {...}, ...}
    /// The device's time of the last edit the mutation carries (UTC, ISO 8601; "" from older devices):
    /// kept with the version it makes (docs/sync-protocol.md, "Push").
    std::string editedAt;
    /// changes.fields as canonical JSON text (sync/canonical_json.hpp) when a server read the push without
    /// parsing them (readCanonicalPush) and every answer in them has a non-empty name and a non-null
    /// value (canonicalAnswers): `changes` has no "fields" then. Empty otherwise.
    std::string fieldsText;
};
[[nodiscard]] nlohmann::json toJson(const Mutation& m);
[[nodiscard]] Result<Mutation> mutationFromJson(const nlohmann::json& j);
/// The same, taking the changes out of `j` instead of copying them (a server reading a push).
[[nodiscard]] Result<Mutation> mutationFromJson(nlohmann::json&& j);
/// The mutation's changes.fields (parsed from `fieldsText` when kept as text); {} when it has none.
[[nodiscard]] nlohmann::json fieldsOf(const Mutation& m);

/// A push request body: {"device_id": ..., "mutations": [...], "pending": n}.
struct PushRequest {
    std::string deviceId;
    std::vector<Mutation> mutations;
    std::optional<std::int64_t> pending; ///< the device's outbox entries left, when it sent a count
};
/// Why pushRequestFromJson refused a body: the HTTP status and error code a server answers with.
struct PushBodyError {
    int status = 400; ///< 413 for more than kMaxPushBatch mutations
    std::string code; ///< missing_field, batch_too_large, bad_mutation
    std::string message;
};
/// The full reading of a parsed push body (any body readCanonicalPush declines); nullopt with `error`
/// filled when it is not a push request.
[[nodiscard]] std::optional<PushRequest> pushRequestFromJson(nlohmann::json&& body, PushBodyError& error);
/// The body as a device writes it (pushBody): the mutations' changes as the outbox keeps them, copied
/// in unparsed. `changesText` holds each entry's changes object as JSON text ("" for {}).
struct PushEntryText {
    std::int64_t seq = 0;
    std::string_view recordId;
    std::int64_t baseVersion = 0;
    std::string_view op;
    std::string_view changesText;
    std::string_view editedAt; ///< left out of the body when empty
};
[[nodiscard]] std::string pushBody(std::string_view deviceId, const std::vector<PushEntryText>& entries);
/// Reads a push body the way devices write it, without a JSON tree for the answers: each mutation's
/// changes.fields is checked to be canonical and kept as text (Mutation::fieldsText) when it only sets
/// values, which a server can store as it is. std::nullopt for any body it does not take whole (whitespace, another key
/// order inside the answers, an erase, more than kMaxPushBatch mutations, anything invalid): the
/// caller then parses the body with nlohmann::json and reads it with pushRequestFromJson, which
/// reports what is wrong with it. What it returns equals what that reading gives
/// (tests/sync/canonical_json_test.cpp, fuzz/push_reader_fuzz.cpp).
[[nodiscard]] std::optional<PushRequest> readCanonicalPush(std::string_view body);

/// The server's answer for one mutation.
struct MutationResult {
    std::int64_t seq = 0;
    MutationStatus status = MutationStatus::Applied;
    std::int64_t version = 0;        ///< the record's version after it (0 when rejected)
    std::vector<std::string> fields; ///< merged fields, or fields in conflict
    std::string reason;              ///< rejected only: human text
    std::string code;                ///< rejected only: why, for the device (see rejectionMayPass)
};
[[nodiscard]] nlohmann::json toJson(const MutationResult& r);

/// Why the server held (rejected) a mutation: the `code` of a rejected result.
namespace reject {
constexpr std::string_view kUnknownFormVersion = "unknown_form_version"; ///< may pass once the version is published
constexpr std::string_view kUnknownRecord = "unknown_record";            ///< may pass once the record's create passes
constexpr std::string_view kNotAssigned = "not_assigned";                ///< may pass once the record is assigned
constexpr std::string_view kOtherOrganisation = "other_organisation";    ///< never passes
constexpr std::string_view kFormMismatch = "form_mismatch";              ///< never passes (a create under another form)
constexpr std::string_view kBaseAhead = "base_ahead";                    ///< never passes (the device's state is wrong)
constexpr std::string_view kBadMutation = "bad_mutation";                ///< never passes (malformed)
} // namespace reject
/// Whether a mutation held with `code` may pass when sent again later (the cause can go away). An
/// unknown or missing code (an older server) counts as "may pass": sending again costs one request.
[[nodiscard]] bool rejectionMayPass(std::string_view code);
/// Appends the same bytes as toJson(r).dump(), without building the tree.
void appendJson(std::string& out, const MutationResult& r);
[[nodiscard]] Result<MutationResult> mutationResultFromJson(const nlohmann::json& j);

/// A record version as pulled.
struct RemoteRecord {
    std::string recordId;
    std::int64_t version = 0;
    std::string kind, formId, formVersion, status, author, org;
    nlohmann::json answers = nlohmann::json::object();
    std::vector<std::string> conflicts; ///< fields flagged for a coordinator
    /// Each open conflict's values, field -> [{"value", "device_id", "version"}...] (sent when there is any).
    nlohmann::json conflictValues = nlohmann::json::object();
    std::vector<std::string> erased; ///< fields erased for good (personal data): dropped, never written again
};
[[nodiscard]] nlohmann::json toJson(const RemoteRecord& r);
[[nodiscard]] Result<RemoteRecord> remoteRecordFromJson(const nlohmann::json& j);
/// Appends `s` as a JSON string: the bytes nlohmann's dump() writes for it (invalid UTF-8 replaced
/// by U+FFFD).
void appendJsonString(std::string& out, std::string_view s);
/// Appends a JSON array of strings the same way.
void appendJsonStrings(std::string& out, const std::vector<std::string>& list);
/// Appends the JSON text of `r` with `answersJson` (a JSON object as text, e.g. as a server stores it)
/// as its answers; `r.answers` is not read. The same bytes as toJson(r).dump() with those answers: a
/// server sends a pull page without parsing and re-serialising every record.
void appendJson(std::string& out, const RemoteRecord& r, std::string_view answersJson);

/// A published form version in the catalogue.
struct FormRef {
    std::string formId, version, hash;
};
[[nodiscard]] nlohmann::json toJson(const FormRef& f);
[[nodiscard]] Result<FormRef> formRefFromJson(const nlohmann::json& j);

/// The sha256 an attachment answer refers to: a photo/signature value is "<sha256 hex>" or
/// "<sha256 hex>.<extension>" (lower-case hex); nullopt for any other value.
[[nodiscard]] std::optional<std::string> attachmentHash(const nlohmann::json& value);
/// Whether JSON text may name an attachment: it holds 64 lower-case hex digits in a row. False means
/// no value in it is an attachment (so it need not be parsed to look). Looks at about one byte in 64
/// when the text has no long hex runs.
[[nodiscard]] bool mayNameAttachment(std::string_view text);

/// A JSON error body: {"error": code, "message": text}.
[[nodiscard]] nlohmann::json errorBody(std::string_view code, std::string_view message);

} // namespace carnet::sync
