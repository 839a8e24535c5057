#include "server/attachments.hpp"
#include "server/folder_lock.hpp"

#include "core/platform.hpp"

#include <sodium.h>

#include <fstream>
#include <system_error>
#include <utility>
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

Result<void>
AttachmentStore::init(const std::function<Result<std::vector<std::int64_t>>(std::string_view)>& referencedBy) {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) return ioError(m_dir, "cannot create", ec);
    std::vector<std::int64_t> orgs;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory()) {
            if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
                orgs.push_back(std::stoll(name));
            continue;
        }
        // The layout before organisations: one folder for all.
        if (name.size() == 64 + 5 && name.substr(64) == ".part") {
            std::filesystem::remove(entry.path(), ec);
            continue;
        }
        if (name.size() != 64 || !referencedBy) continue;
        auto owners = referencedBy(name);
        if (!owners.ok()) return owners.error();
        for (std::int64_t org : *owners) {
            std::filesystem::create_directories(orgDir(org), ec);
            if (ec) return ioError(orgDir(org), "cannot create", ec);
            std::filesystem::copy_file(entry.path(), orgDir(org) / name, std::filesystem::copy_options::skip_existing,
                                       ec);
            if (ec) return ioError(orgDir(org) / name, "cannot copy", ec);
        }
        for (std::int64_t org : *owners)
            if (auto synced = platform::syncDirectory(orgDir(org)); !synced.ok()) return synced.error();
        std::filesystem::remove(entry.path(), ec);
    }
    if (ec) return ioError(m_dir, "cannot list", ec);
    for (std::int64_t org : orgs)
        if (auto r = expireParts(org); !r.ok()) return r.error();
    return {};
}

Result<int> AttachmentStore::expireParts(std::int64_t orgId) {
    const auto dir = orgDir(orgId) / "partial";
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return 0;
    const auto oldest = std::filesystem::file_time_type::clock::now() - m_partLifetime;
    int removed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::error_code fileEc;
        const auto written = entry.last_write_time(fileEc);
        if (!fileEc && written < oldest && std::filesystem::remove(entry.path(), fileEc)) ++removed;
    }
    if (ec) return ioError(dir, "cannot list", ec);
    return removed;
}

Result<UploadState> AttachmentStore::state(std::int64_t orgId, std::string_view sha256) {
    std::lock_guard lock(m_mutex);
    return stateLocked(orgId, sha256);
}

Result<UploadState> AttachmentStore::stateLocked(std::int64_t orgId, std::string_view sha256) {
    const auto done = orgDir(orgId) / std::string(sha256);
    const auto part = partOf(orgId, sha256);
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

Result<std::optional<std::filesystem::path>> AttachmentStore::completeFile(std::int64_t orgId,
                                                                           std::string_view sha256) {
    std::lock_guard lock(m_mutex);
    auto st = stateLocked(orgId, sha256);
    if (!st.ok()) return st.error();
    if (!st->complete) return std::optional<std::filesystem::path>();
    return std::optional<std::filesystem::path>(orgDir(orgId) / std::string(sha256));
}

Result<AppendOutcome> AttachmentStore::append(std::int64_t orgId, std::string_view sha256, std::uint64_t offset,
                                              std::string_view data, std::optional<std::uint64_t> total,
                                              UploadState& after) {
    std::lock_guard lock(m_mutex);
    // The processes serving one data folder (several carnet-server processes behind a load balancer)
    // append to a partial file one at a time, as the threads of one process do under m_mutex.
    auto folder = FolderLock::take(orgDir(orgId), FolderLock::Mode::Exclusive);
    if (!folder.ok()) return folder.error();
    if (offset == 0)
        if (auto swept = expireParts(orgId); !swept.ok()) return swept.error();
    auto cur = stateLocked(orgId, sha256);
    if (!cur.ok()) return cur.error();
    after = *cur;
    if (cur->complete) {
        // Already here: a retried last chunk is fine, anything else is resumed from the end (nothing to do).
        return offset == cur->received || data.empty() ? AppendOutcome::Appended : AppendOutcome::OffsetMismatch;
    }
    if (offset != cur->received) return AppendOutcome::OffsetMismatch;
    if (total && offset + data.size() > *total) return AppendOutcome::TooLong;

    const auto part = partOf(orgId, sha256);
    if (offset == 0) {
        std::error_code dirEc;
        std::filesystem::create_directories(part.parent_path(), dirEc);
        if (dirEc) return ioError(part.parent_path(), "cannot create", dirEc);
    }
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
        std::filesystem::rename(part, orgDir(orgId) / std::string(sha256), ec);
        if (ec) return ioError(part, "cannot rename", ec);
        if (auto synced = platform::syncDirectory(orgDir(orgId)); !synced.ok()) return synced.error();
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
