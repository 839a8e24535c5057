#pragma once
// SQLite with RAII: one Db per thread, prepared statements, transactions that roll back unless
// committed, and ordered schema migrations recorded in PRAGMA user_version.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace carnet {

class Db;

/// A prepared statement; reset automatically before it is reused.
class Stmt {
public:
    Stmt() = default;
    ~Stmt();
    Stmt(Stmt&& other) noexcept;
    Stmt& operator=(Stmt&& other) noexcept;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    /// Binds a parameter (1-based).
    Stmt& bind(int index, std::string_view text);
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, double value);
    Stmt& bindNull(int index);
    /// Steps once: true when a row is available, false when done; errors are returned.
    Result<bool> step();
    /// Runs to completion, ignoring rows.
    Result<void> run();
    /// Resets for re-execution (bindings cleared).
    void reset();

    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] bool isNull(int column) const;

private:
    friend class Db;
    Stmt(sqlite3_stmt* stmt, Db* db)
        : m_stmt(stmt)
        , m_db(db) {}
    sqlite3_stmt* m_stmt = nullptr;
    Db* m_db = nullptr;
};

/// How durable commits must be.
enum class Durability {
    Full,   ///< synchronous=FULL: a commit that returned survives power loss
    Normal, ///< synchronous=NORMAL: for benchmarks and throw-away data only
};

/// Options for opening a database.
struct DbOptions {
    bool readOnly = false;
    bool create = true;
    Durability durability = Durability::Full;
    int busyTimeoutMs = 5000;
};

/// One connection to one SQLite file.
class Db {
public:
    /// Opens (and creates) a database file in WAL mode; errors name the file.
    static Result<Db> open(const std::filesystem::path& path, const DbOptions& options = {});
    Db() = default;
    ~Db();
    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    /// Runs one or more statements without results.
    Result<void> exec(std::string_view sql);
    /// Prepares one statement.
    Result<Stmt> prepare(std::string_view sql);
    /// Reads a single integer (first column of the first row), e.g. a PRAGMA.
    Result<std::int64_t> scalar(std::string_view sql);
    /// Rows changed by the last statement.
    [[nodiscard]] std::int64_t changes() const;
    /// The file this connection is on.
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    /// An Error for the last failure, naming the file; transient when SQLite was busy.
    [[nodiscard]] Error lastError(std::string_view what) const;
    /// The raw handle, for the few things the wrapper does not cover.
    [[nodiscard]] sqlite3* handle() const { return m_db; }

private:
    sqlite3* m_db = nullptr;
    std::filesystem::path m_path;
};

/// A write transaction (BEGIN IMMEDIATE); rolls back when destroyed without commit().
class Tx {
public:
    /// Begins; check ok() before use.
    explicit Tx(Db& db);
    ~Tx();
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    /// Whether BEGIN succeeded.
    [[nodiscard]] const Result<void>& begun() const { return m_begun; }
    /// Commits; with synchronous=FULL the data is on disk when this returns ok.
    Result<void> commit();

private:
    Db& m_db;
    Result<void> m_begun;
    bool m_open = false;
};

/// One schema step: after it runs, PRAGMA user_version == version.
struct Migration {
    int version;
    std::string_view sql;
};

/// Applies the migrations newer than the file's user_version, each in its own transaction, in order.
/// Refuses a file whose version is newer than the newest migration (written by a newer Carnet).
Result<int> migrate(Db& db, std::span<const Migration> migrations);

} // namespace carnet
