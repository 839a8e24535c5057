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
constexpr std::size_t kUploadChunkBytes = 256u << 10; ///< what a device sends per attachment PUT (slow links progress)

/// What the server did with one mutation.
/// Discarded: the record was deleted, or every field written was erased; the device drops the mutation.
enum class MutationStatus { Applied, Merged, Conflict, Rejected, Discarded };
[[nodiscard]] std::string_view statusName(MutationStatus s);
[[nodiscard]] std::optional<MutationStatus> parseMutationStatus(std::string_view s);

/// One outbox entry on the wire.
struct Mutation {
    std::int64_t seq = 0;
    std::string recordId;
    std::int64_t baseVersion = 0;
    std::string op;                                    ///< create, set, finalize, migrate, delete, erase
    nlohmann::json changes = nlohmann::json::object(); ///< {"fields": {...}, ...}
};
[[nodiscard]] nlohmann::json toJson(const Mutation& m);
[[nodiscard]] Result<Mutation> mutationFromJson(const nlohmann::json& j);
/// The same, taking the changes out of `j` instead of copying them (a server reading a push).
[[nodiscard]] Result<Mutation> mutationFromJson(nlohmann::json&& j);

/// The server's answer for one mutation.
struct MutationResult {
    std::int64_t seq = 0;
    MutationStatus status = MutationStatus::Applied;
    std::int64_t version = 0;        ///< the record's version after it (0 when rejected)
    std::vector<std::string> fields; ///< merged fields, or fields in conflict
    std::string reason;              ///< rejected only
};
[[nodiscard]] nlohmann::json toJson(const MutationResult& r);
[[nodiscard]] Result<MutationResult> mutationResultFromJson(const nlohmann::json& j);

/// A record version as pulled.
struct RemoteRecord {
    std::string recordId;
    std::int64_t version = 0;
    std::string kind, formId, formVersion, status, author, org;
    nlohmann::json answers = nlohmann::json::object();
    std::vector<std::string> conflicts; ///< fields flagged for a coordinator
    std::vector<std::string> erased;    ///< fields erased for good (personal data): dropped, never written again
};
[[nodiscard]] nlohmann::json toJson(const RemoteRecord& r);
[[nodiscard]] Result<RemoteRecord> remoteRecordFromJson(const nlohmann::json& j);
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

/// A JSON error body: {"error": code, "message": text}.
[[nodiscard]] nlohmann::json errorBody(std::string_view code, std::string_view message);

} // namespace carnet::sync
