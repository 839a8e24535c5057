#pragma once
// flock(2) on a folder, held for as long as the FolderLock lives. flock, not fcntl locks: those
// belong to the process, so two threads of one process would share them, and closing any descriptor
// of the file would drop them.

#include "core/result.hpp"

#include <filesystem>

namespace carnet::server {

/// A lock on a folder (the folder itself is locked; no lock file is left behind).
class FolderLock {
public:
    enum class Mode {
        Shared,    ///< several holders at once (the processes serving one data folder)
        Exclusive, ///< one holder, no shared one
    };
    /// Creates the folder if needed and locks it. Waits for a conflicting holder to let go, or with
    /// `wait` false returns at once a Busy error naming the folder.
    static Result<FolderLock> take(const std::filesystem::path& dir, Mode mode, bool wait = true);

    FolderLock(FolderLock&& other) noexcept;
    FolderLock& operator=(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();

private:
    explicit FolderLock(int fd)
        : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace carnet::server
