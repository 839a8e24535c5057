#pragma once
// Content-addressed attachments (photos, signatures) uploaded in resumable chunks: a partial file
// grows only at its current end, and becomes the attachment once its SHA-256 matches its name.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

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

/// Attachments under one folder: DIR/<sha256> complete, DIR/<sha256>.part partial.
class AttachmentStore {
public:
    explicit AttachmentStore(std::filesystem::path dir)
        : m_dir(std::move(dir)) {}
    /// Creates the folder.
    Result<void> init();
    /// The state of an upload (0 bytes when unknown). `sha256` must be 64 lowercase hex.
    Result<UploadState> state(std::string_view sha256);
    /// Appends `data` at `offset`. With `total`, the upload completes (or is refused) when `total`
    /// bytes are in; without, it completes as soon as the bytes hash to the name.
    Result<AppendOutcome> append(std::string_view sha256, std::uint64_t offset, std::string_view data,
                                 std::optional<std::uint64_t> total, UploadState& after);

private:
    Result<UploadState> stateLocked(std::string_view sha256);
    std::filesystem::path m_dir;
    std::mutex m_mutex; // appends to one folder are serialised (a partial file has one writer)
};

} // namespace carnet::server
