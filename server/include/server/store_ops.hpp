#pragma once
// Operations on a whole server store (docs/architecture.md, "Backups and migration"): copying a SQLite
// data folder into an empty PostgreSQL database (`carnet-server migrate-store`), and a consistent copy
// of a SQLite data folder while its server runs and writes (`carnet-server backup`).

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carnet::server {

/// What migrateStore copied.
struct StoreMigration {
    std::vector<std::pair<std::string, std::int64_t>> rows; ///< each table and its rows, in copy order
    std::uint64_t files = 0;                                ///< attachment and form media files copied
};

/// The tables migrateStore copies, parents before the tables that refer to them. Every table of the
/// SQLite schema is here but SQLite's own search index (record_search*, rebuilt by PostgreSQL's).
[[nodiscard]] std::span<const std::string_view> storeTables();

/// Copies the SQLite store of the data folder `from` (DIR/server.db, brought to this server's schema
/// first) into the PostgreSQL database `toUrl`, which must hold no data: every table, row for row with
/// its ids, change sequences and token hashes, read in one SQLite snapshot and written in one
/// PostgreSQL transaction (nothing is left half copied). A SQLite table it does not know is refused.
/// With `filesTo` (another folder than `from`), the attachments and form media files go there too
/// (the data folder the PostgreSQL servers will use); without, they stay in `from`.
Result<StoreMigration> migrateStore(const std::filesystem::path& from, const std::string& toUrl,
                                    const std::filesystem::path& filesTo = {});

/// What backupStore wrote.
struct StoreBackup {
    std::uintmax_t databaseBytes = 0; ///< size of the copied server.db
    std::uint64_t files = 0;          ///< attachment and form media files copied
};

/// Backs up the SQLite data folder `from` into `to` (a new or empty folder) while a server may be
/// running and writing on it: `to/server.db` is one snapshot of the database taken with SQLite's
/// online backup API and checked (PRAGMA integrity_check) before it gets its name, then the
/// attachments and form media files are copied (after the snapshot, so every file it refers to is
/// there; partial uploads are left out). `to` is then a data folder a server can run on.
Result<StoreBackup> backupStore(const std::filesystem::path& from, const std::filesystem::path& to);

} // namespace carnet::server
