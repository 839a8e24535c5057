#pragma once
// Content-addressed attachments (photos, signatures) uploaded in resumable chunks: a partial file
// grows only at its current end, and becomes the attachment once its SHA-256 matches its name.

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server {

/// How far an upload got.
struct UploadState {
    std::uint64_t received = 0;
    bool complete = false;
};

/// What appending a chunk did.
enum class AppendOutcome {
    Appended,       ///< stored; see the state for completion
    OffsetMismatch, ///< the offset is not what was received: resume from state.received
    HashMismatch,   ///< the declared total was reached but the bytes do not hash to the name: discarded
    TooLong,        ///< more bytes than the declared total
};

/// Attachments under one folder, one sub-folder per organisation (an organisation never sees or
/// probes another's by hash): DIR/<org id>/<sha256> complete, DIR/<org id>/partial/<sha256>.part
/// partial. A partial upload left alone for longer than its lifetime is removed.
class AttachmentStore {
public:
    /// How long an abandoned partial upload is kept (from its last chunk), by default.
    static constexpr std::chrono::seconds kDefaultPartLifetime{24 * 3600};

    explicit AttachmentStore(std::filesystem::path dir)
        : m_dir(std::move(dir)) {}
    /// Creates the folder; files of the layout before organisations (DIR/<sha256>) are moved to the
    /// folder of each organisation in `referencedBy(sha256)` (those whose records name the file),
    /// and old partial files are dropped (devices upload them again). Expired partial uploads go.
    Result<void> init(const std::function<Result<std::vector<std::int64_t>>(std::string_view)>& referencedBy = {});
    /// Sets how long an abandoned partial upload is kept.
    void setPartLifetime(std::chrono::seconds lifetime) { m_partLifetime = lifetime; }
    /// The state of an upload of organisation `orgId` (0 bytes when unknown). `sha256` must be 64
    /// lowercase hex.
    Result<UploadState> state(std::int64_t orgId, std::string_view sha256);
    /// The file of the complete attachment `sha256` of organisation `orgId`; nullopt when that
    /// organisation has no complete attachment by that name (another organisation's is never found).
    Result<std::optional<std::filesystem::path>> completeFile(std::int64_t orgId, std::string_view sha256);
    /// Appends `data` at `offset`. With `total`, the upload completes (or is refused) when `total`
    /// bytes are in; without, it completes as soon as the bytes hash to the name. Starting an upload
    /// removes the organisation's expired partial uploads.
    Result<AppendOutcome> append(std::int64_t orgId, std::string_view sha256, std::uint64_t offset,
                                 std::string_view data, std::optional<std::uint64_t> total, UploadState& after);
    /// Removes the partial uploads of `orgId` whose last chunk is older than the lifetime; returns
    /// how many went.
    Result<int> expireParts(std::int64_t orgId);

private:
    [[nodiscard]] std::filesystem::path orgDir(std::int64_t orgId) const { return m_dir / std::to_string(orgId); }
    [[nodiscard]] std::filesystem::path partOf(std::int64_t orgId, std::string_view sha256) const {
        return orgDir(orgId) / "partial" / (std::string(sha256) + ".part");
    }
    Result<UploadState> stateLocked(std::int64_t orgId, std::string_view sha256);
    std::filesystem::path m_dir;
    std::chrono::seconds m_partLifetime = kDefaultPartLifetime;
    std::mutex m_mutex; // appends to one folder are serialised (a partial file has one writer)
};

} // namespace carnet::server
