#pragma once
// What differs between Linux, Android, iOS and Windows, in one place: durable writes, directory sync,
// local time, the data folder's temp directory, and paths stored relative to the data folder.
// No file outside core/ calls fsync, open(O_DIRECTORY), unistd.h or localtime_r (docs/platforms.md).

#include "core/result.hpp"

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::platform {

/// Writes `data` to `path` so that a power cut leaves either the old file or the whole new one: a
/// temporary file beside it, flushed to the disk, renamed over `path`, then the folder flushed.
/// A full disk is ErrorCode::NoSpace; the message names the file.
Result<void> writeFileDurably(const std::filesystem::path& path, std::string_view data);
/// The same for content too large to hold in memory: the chunks `next` gives (an empty one ends it) are
/// written one after the other to the temporary file, which is then flushed and renamed as above. An
/// error from `next` stops the write and leaves no file.
Result<void> writeFileDurably(const std::filesystem::path& path, const std::function<Result<std::string_view>()>& next);
/// Appends `data` to `path` (created if missing) and flushes it to the disk before returning.
Result<void> appendFileDurably(const std::filesystem::path& path, std::string_view data);
/// Flushes a folder's entries (a rename, a new file) to the disk. Windows journals them itself: no-op.
Result<void> syncDirectory(const std::filesystem::path& dir);
/// Creates `dir` if needed and checks that this process can create files in it.
Result<void> ensureWritableDirectory(const std::filesystem::path& dir);

/// A file of a folder, as a file picker lists it.
struct FileEntry {
    std::string name; ///< UTF-8
    std::uint64_t size = 0;
    std::time_t modified = 0; ///< last write, seconds since the epoch
};
/// The regular files of `dir` (not its folders, not hidden files), in no order; NotFound when `dir`
/// is not a folder.
Result<std::vector<FileEntry>> listFiles(const std::filesystem::path& dir);
/// The folder where the device keeps its photos and videos, which the app's file picker lists by
/// default: Android's camera folder (`/storage/emulated/0/DCIM/Camera`), `$XDG_PICTURES_DIR` or
/// `$HOME/Pictures` on Linux, macOS and iOS (there the app's own sandbox: the photo library is not a
/// folder), `%USERPROFILE%\Pictures` on Windows; empty when the variable is not set.
[[nodiscard]] std::filesystem::path mediaDirectory();

/// The calendar fields of `t` in the device's time zone (TZ on POSIX).
[[nodiscard]] std::tm localTime(std::time_t t);
/// The calendar fields of `t` in UTC.
[[nodiscard]] std::tm utcTime(std::time_t t);

/// The data folder's own temp folder (`DIR/tmp`): Android gives a bundled SQLite no /tmp.
[[nodiscard]] std::filesystem::path tempDirectory(const std::filesystem::path& dataDir);
/// Creates `dir` and makes SQLite put its temporary files there (VACUUM, large sorts). Process-wide:
/// call once at start, before any database is opened (SQLite's rule for sqlite3_temp_directory).
Result<void> useSqliteTempDirectory(const std::filesystem::path& dir);

/// `path` as stored in a database: relative to `dataDir` with '/' separators when inside it (the
/// app's container moves on Android and iOS updates), unchanged (generic form) otherwise.
[[nodiscard]] std::string storedPath(const std::filesystem::path& dataDir, const std::filesystem::path& path);
/// The file a stored path names: relative ones are resolved against `dataDir`.
[[nodiscard]] std::filesystem::path resolveStoredPath(const std::filesystem::path& dataDir, std::string_view stored);
/// A path as UTF-8 text (SQLite file names, messages); Windows paths are UTF-16 inside.
[[nodiscard]] std::string utf8Path(const std::filesystem::path& path);

/// While alive, the calling thread receives no asynchronous signals (POSIX); threads started meanwhile
/// inherit the mask, so a signal meant for the process (SIGTERM) goes to a thread that handles it.
/// No-op on Windows.
class SignalsBlocked {
public:
    SignalsBlocked();
    ~SignalsBlocked();
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
    alignas(16) unsigned char m_previous[256]; // sigset_t, kept opaque so this header stays portable
};

} // namespace carnet::platform
