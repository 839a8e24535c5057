#include "server/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace carnet::server {

namespace {

Error lockError(const std::filesystem::path& dir, std::string_view what, int err) {
    return makeError(ErrorCode::Io, dir.string() + ": " + std::string(what) + ": " +
                                        std::error_code(err, std::generic_category()).message());
}

} // namespace

Result<FolderLock> FolderLock::take(const std::filesystem::path& dir, Mode mode, bool wait) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return makeError(ErrorCode::Io, dir.string() + ": cannot create: " + ec.message());
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return lockError(dir, "cannot open", errno);
    const int op = (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    while (::flock(fd, op) != 0) {
        const int err = errno;
        if (err == EINTR) continue;
        ::close(fd);
        if (err == EWOULDBLOCK) return makeError(ErrorCode::Busy, dir.string() + ": locked by another process", true);
        return lockError(dir, "cannot lock", err);
    }
    return FolderLock(fd);
}

FolderLock::FolderLock(FolderLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

FolderLock::~FolderLock() {
    if (m_fd >= 0) ::close(m_fd); // closing the last descriptor releases the lock
}

} // namespace carnet::server
