#pragma once
// The server's schema versions: one list, each version with its SQLite and its PostgreSQL statements,
// so that a new version cannot be written for one backend and forgotten for the other (a test checks
// that both backends end with the same tables and columns).

#include "core/db.hpp"

#include <span>
#include <string>
#include <string_view>

namespace carnet::server {

/// One schema version for both backends.
struct SchemaVersion {
    int version = 0;
    std::string_view sqlite;   ///< run on SQLite (PRAGMA user_version)
    std::string_view postgres; ///< run on PostgreSQL (table schema_version)
};

/// SQLite's record search index (schema 13): the statements that (re)index records, run in order in
/// the transaction that changed them.
struct SqliteSearchIndex {
    std::string ids;    ///< gives each record its stable number in the index
    std::string remove; ///< drops their old text
    std::string insert; ///< indexes their current answers
};

/// The statements for the records whose record_id matches `which` ("= ?1"; "" = every record).
[[nodiscard]] SqliteSearchIndex sqliteSearchIndex(std::string_view which);

/// Every version, oldest first (versions 1, 2, ... without gaps).
[[nodiscard]] std::span<const SchemaVersion> schemaVersions();
/// The SQLite side of schemaVersions(), for core's migrate().
[[nodiscard]] std::span<const Migration> sqliteMigrations();

} // namespace carnet::server
