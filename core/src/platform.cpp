// The only file that calls the operating system directly (docs/platforms.md). POSIX (Linux, Android,
// iOS, macOS) and Windows branches; every other file goes through carnet::platform.
#include "core/platform.hpp"

#include "core/ids.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>
#else
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace carnet::platform {

namespace fs = std::filesystem;

namespace {

Error fileError(const fs::path& p, std::string_view what, int err) {
    return makeError(err == ENOSPC ? ErrorCode::NoSpace : ErrorCode::Io,
                     utf8Path(p) + ": " + std::string(what) + ": " + std::strerror(err));
}

#ifdef _WIN32
int openForWrite(const fs::path& p, bool append) {
    int fd = -1;
    const int flags = _O_WRONLY | _O_CREAT | _O_BINARY | _O_NOINHERIT | (append ? _O_APPEND : _O_TRUNC);
    if (_wsopen_s(&fd, p.c_str(), flags, _SH_DENYNO, _S_IREAD | _S_IWRITE) != 0) return -1;
    return fd;
}
int writeSome(int fd, const char* data, std::size_t n) {
    return _write(fd, data, static_cast<unsigned>(n > 0x40000000 ? 0x40000000 : n));
}
int flushToDisk(int fd) {
    return _commit(fd);
}
int closeFile(int fd) {
    return _close(fd);
}
#else
int openForWrite(const fs::path& p, bool append) {
    return ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
}
long writeSome(int fd, const char* data, std::size_t n) {
    return static_cast<long>(::write(fd, data, n));
}
int flushToDisk(int fd) {
    return ::fsync(fd);
}
int closeFile(int fd) {
    return ::close(fd);
}
#endif

// Writes all of `data` at the file's position; errno's value on failure (ENOSPC for a short write).
int writeChunk(int fd, std::string_view data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = writeSome(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : ENOSPC;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

// Opens, writes every chunk `next` gives, flushes to the disk, closes; the file is left as it is on
// failure.
Result<void> writeChunks(const fs::path& p, const std::function<Result<std::string_view>()>& next, bool append) {
    const int fd = openForWrite(p, append);
    if (fd < 0) return fileError(p, "cannot open for writing", errno);
    for (;;) {
        auto chunk = next();
        if (!chunk.ok()) {
            closeFile(fd);
            return chunk.error();
        }
        if (chunk->empty()) break;
        if (const int err = writeChunk(fd, *chunk); err != 0) {
            closeFile(fd);
            return fileError(p, "write failed", err);
        }
    }
    if (flushToDisk(fd) != 0) {
        const int err = errno;
        closeFile(fd);
        return fileError(p, "flush to disk failed", err);
    }
    if (closeFile(fd) != 0) return fileError(p, "close failed", errno);
    return {};
}

Result<void> writeAll(const fs::path& p, std::string_view data, bool append) {
    bool given = data.empty();
    return writeChunks(
        p,
        [&]() -> Result<std::string_view> {
            if (given) return std::string_view();
            given = true;
            return data;
        },
        append);
}

} // namespace

Result<void> writeFileDurably(const fs::path& path, std::string_view data) {
    bool given = data.empty();
    return writeFileDurably(path, [&]() -> Result<std::string_view> {
        if (given) return std::string_view();
        given = true;
        return data;
    });
}

Result<void> writeFileDurably(const fs::path& path, const std::function<Result<std::string_view>()>& next) {
    const fs::path tmp = path.parent_path() / (".tmp-" + newUuid());
    if (auto w = writeChunks(tmp, next, false); !w.ok()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        return w.error();
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return makeError(ErrorCode::Io, utf8Path(path) + ": rename failed: " + ec.message());
    }
    return syncDirectory(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

Result<void> appendFileDurably(const fs::path& path, std::string_view data) {
    return writeAll(path, data, true);
}

Result<void> syncDirectory(const fs::path& dir) {
#ifdef _WIN32
    static_cast<void>(dir.empty()); // NTFS journals renames and creations: nothing to flush
    return {};
#else
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fileError(dir, "cannot open folder", errno);
    const bool ok = ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) return fileError(dir, "flush to disk failed", err);
    return {};
#endif
}

Result<void> ensureWritableDirectory(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return makeError(ErrorCode::Io, utf8Path(dir) + ": " + ec.message());
    // Creating a file is the one test that means the same everywhere (access(W_OK) does not exist on
    // Windows, and says nothing about a read-only mount's quota or an Android scoped folder).
    const fs::path probe = dir / (".probe-" + newUuid());
    const int fd = openForWrite(probe, false);
    if (fd < 0) return makeError(ErrorCode::Io, utf8Path(dir) + ": " + std::strerror(errno));
    closeFile(fd);
    fs::remove(probe, ec);
    return {};
}

Result<std::vector<FileEntry>> listFiles(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return makeError(ErrorCode::NotFound, utf8Path(dir) + ": not a folder");
    std::vector<FileEntry> out;
    for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec)) {
        const fs::path& p = it->path();
        const std::string name = utf8Path(p.filename());
        if (name.empty() || name[0] == '.' || !it->is_regular_file(ec)) continue;
        FileEntry e;
        e.name = name;
#ifdef _WIN32
        struct _stat64 st {};
        if (_wstat64(p.c_str(), &st) != 0) continue;
#else
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) continue;
#endif
        e.size = static_cast<std::uint64_t>(st.st_size);
        e.modified = static_cast<std::time_t>(st.st_mtime);
        out.push_back(std::move(e));
    }
    if (ec) return makeError(ErrorCode::Io, utf8Path(dir) + ": " + ec.message());
    return out;
}

fs::path mediaDirectory() {
#if defined(__ANDROID__)
    return "/storage/emulated/0/DCIM/Camera";
#elif defined(_WIN32)
    const char* profile = std::getenv("USERPROFILE");
    return profile && *profile ? fs::path(profile) / "Pictures" : fs::path();
#else
    if (const char* xdg = std::getenv("XDG_PICTURES_DIR"); xdg && *xdg) return xdg;
    const char* home = std::getenv("HOME");
    return home && *home ? fs::path(home) / "Pictures" : fs::path();
#endif
}

std::tm localTime(std::time_t t) {
    std::tm tm{};
#ifdef _WIN32
    localtime_s(&tm, &t);
#else
    localtime_r(&t, &tm);
#endif
    return tm;
}

std::tm utcTime(std::time_t t) {
    std::tm tm{};
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    return tm;
}

fs::path tempDirectory(const fs::path& dataDir) {
    return dataDir / "tmp";
}

Result<void> useSqliteTempDirectory(const fs::path& dir) {
    if (auto w = ensureWritableDirectory(dir); !w.ok()) return w.error();
    const std::string utf8 = utf8Path(fs::absolute(dir));
#ifdef _WIN32
    if (sqlite3_win32_set_directory8(SQLITE_WIN32_TEMP_DIRECTORY_TYPE, utf8.c_str()) != SQLITE_OK)
        return makeError(ErrorCode::Io, utf8 + ": SQLite refused the temp folder");
#else
    // sqlite3_temp_directory is SQLite's documented global for this; it must come from sqlite3_mprintf.
    char* copy = sqlite3_mprintf("%s", utf8.c_str());
    if (!copy) return makeError(ErrorCode::Internal, "out of memory");
    char* previous = sqlite3_temp_directory;
    sqlite3_temp_directory = copy;
    sqlite3_free(previous);
#endif
    return {};
}

std::string storedPath(const fs::path& dataDir, const fs::path& path) {
    const fs::path base = dataDir.lexically_normal();
    const fs::path p = path.lexically_normal();
    const fs::path rel = p.lexically_relative(base);
    const std::u8string text =
        (!rel.empty() && *rel.begin() != ".." && !rel.is_absolute()) ? rel.generic_u8string() : p.generic_u8string();
    return std::string(text.begin(), text.end());
}

fs::path resolveStoredPath(const fs::path& dataDir, std::string_view stored) {
    const fs::path p(std::u8string(stored.begin(), stored.end()));
    return p.is_absolute() ? p : dataDir / p;
}

std::string utf8Path(const fs::path& path) {
    const std::u8string s = path.u8string();
    return std::string(s.begin(), s.end());
}

SignalsBlocked::SignalsBlocked() {
#ifndef _WIN32
    static_assert(sizeof(sigset_t) <= sizeof(m_previous));
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, reinterpret_cast<sigset_t*>(m_previous));
#endif
}

SignalsBlocked::~SignalsBlocked() {
#ifndef _WIN32
    pthread_sigmask(SIG_SETMASK, reinterpret_cast<sigset_t*>(m_previous), nullptr);
#endif
}

} // namespace carnet::platform
