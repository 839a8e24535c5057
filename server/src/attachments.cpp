#include "server/attachments.hpp"

#include "core/platform.hpp"

#include <sodium.h>

#include <fstream>
#include <system_error>
#include <vector>

namespace carnet::server {

namespace {

Error ioError(const std::filesystem::path& p, std::string_view what, const std::error_code& ec = {}) {
    return makeError(ErrorCode::Io, p.string() + ": " + std::string(what) + (ec ? ": " + ec.message() : ""));
}

Result<std::string> fileSha256(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return ioError(p, "cannot read");
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = in.gcount();
        if (n > 0)
            crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf.data()),
                                      static_cast<unsigned long long>(n));
    }
    if (in.bad()) return ioError(p, "read failed");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    std::string hex(sizeof digest * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
    hex.pop_back();
    return hex;
}

} // namespace

Result<void> AttachmentStore::init() {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) return ioError(m_dir, "cannot create", ec);
    return {};
}

Result<UploadState> AttachmentStore::state(std::string_view sha256) {
    std::lock_guard lock(m_mutex);
    return stateLocked(sha256);
}

Result<UploadState> AttachmentStore::stateLocked(std::string_view sha256) {
    const auto done = m_dir / std::string(sha256);
    const auto part = m_dir / (std::string(sha256) + ".part");
    std::error_code ec;
    if (std::filesystem::exists(done, ec)) {
        const auto size = std::filesystem::file_size(done, ec);
        if (ec) return ioError(done, "cannot stat", ec);
        return UploadState{size, true};
    }
    if (std::filesystem::exists(part, ec)) {
        const auto size = std::filesystem::file_size(part, ec);
        if (ec) return ioError(part, "cannot stat", ec);
        return UploadState{size, false};
    }
    return UploadState{0, false};
}

Result<AppendOutcome> AttachmentStore::append(std::string_view sha256, std::uint64_t offset, std::string_view data,
                                              std::optional<std::uint64_t> total, UploadState& after) {
    std::lock_guard lock(m_mutex);
    auto cur = stateLocked(sha256);
    if (!cur.ok()) return cur.error();
    after = *cur;
    if (cur->complete) {
        // Already here: a retried last chunk is fine, anything else is resumed from the end (nothing to do).
        return offset == cur->received || data.empty() ? AppendOutcome::Appended : AppendOutcome::OffsetMismatch;
    }
    if (offset != cur->received) return AppendOutcome::OffsetMismatch;
    if (total && offset + data.size() > *total) return AppendOutcome::TooLong;

    const auto part = m_dir / (std::string(sha256) + ".part");
    if (auto w = platform::appendFileDurably(part, data); !w.ok()) {
        // A short write leaves the partial file longer than what was acknowledged: cut it back.
        std::error_code trimEc;
        std::filesystem::resize_file(part, offset, trimEc);
        return w.error();
    }
    after.received = offset + data.size();
    if (total && after.received < *total) return AppendOutcome::Appended;

    auto hash = fileSha256(part);
    if (!hash.ok()) return hash.error();
    std::error_code ec;
    if (*hash == sha256) {
        std::filesystem::rename(part, m_dir / std::string(sha256), ec);
        if (ec) return ioError(part, "cannot rename", ec);
        if (auto synced = platform::syncDirectory(m_dir); !synced.ok()) return synced.error();
        after.complete = true;
        return AppendOutcome::Appended;
    }
    if (total) {
        std::filesystem::remove(part, ec);
        after = UploadState{0, false};
        return AppendOutcome::HashMismatch;
    }
    return AppendOutcome::Appended;
}

} // namespace carnet::server
