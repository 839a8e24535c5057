#include "core/db.hpp"

#include "core/platform.hpp"

#include <sqlite3.h>

#include <utility>

namespace carnet {

Stmt::~Stmt() {
    if (m_stmt) sqlite3_finalize(m_stmt);
}
Stmt::Stmt(Stmt&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_db(other.m_db) {}
Stmt& Stmt::operator=(Stmt&& other) noexcept {
    if (this != &other) {
        if (m_stmt) sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db = other.m_db;
    }
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
    sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}
Stmt& Stmt::bind(int index, double value) {
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}
Stmt& Stmt::bindNull(int index) {
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Result<bool> Stmt::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error e = m_db->lastError("step");
    sqlite3_reset(m_stmt);
    return e;
}

Result<void> Stmt::run() {
    while (true) {
        auto r = step();
        if (!r.ok()) return r.error();
        if (!*r) break;
    }
    reset();
    return {};
}

void Stmt::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string Stmt::text(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
std::int64_t Stmt::integer(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}
double Stmt::real(int column) const {
    return sqlite3_column_double(m_stmt, column);
}
bool Stmt::isNull(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Result<Db> Db::open(const std::filesystem::path& path, const DbOptions& options) {
    Db db;
    db.m_path = path;
    int flags = options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (options.create && !options.readOnly) flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(platform::utf8Path(path).c_str(), &db.m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = db.lastError("open");
        return e;
    }
    sqlite3_extended_result_codes(db.m_db, 1);
    sqlite3_busy_timeout(db.m_db, options.busyTimeoutMs);
    // Reading the schema is the first thing that notices a file that is not a database.
    if (auto r = db.scalar("PRAGMA schema_version"); !r.ok()) return r.error();
    if (!options.readOnly) {
        if (auto r = db.exec("PRAGMA journal_mode=WAL"); !r.ok()) return r.error();
    }
    const char* sync = options.durability == Durability::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    if (auto r = db.exec(sync); !r.ok()) return r.error();
    if (auto r = db.exec("PRAGMA foreign_keys=ON"); !r.ok()) return r.error();
    return db;
}

Db::~Db() {
    if (m_db) sqlite3_close_v2(m_db);
}
Db::Db(Db&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_path(std::move(other.m_path)) {}
Db& Db::operator=(Db&& other) noexcept {
    if (this != &other) {
        if (m_db) sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Error Db::lastError(std::string_view what) const {
    const int code = m_db ? sqlite3_extended_errcode(m_db) : SQLITE_CANTOPEN;
    const std::string msg = m_db ? sqlite3_errmsg(m_db) : "cannot open";
    const int primary = code & 0xff;
    const bool busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    ErrorCode ec = busy ? ErrorCode::Busy : ErrorCode::Io;
    if (primary == SQLITE_CONSTRAINT) ec = ErrorCode::Conflict;
    if (primary == SQLITE_FULL) ec = ErrorCode::NoSpace;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) ec = ErrorCode::Invalid;
    return makeError(ec, platform::utf8Path(m_path) + ": " + std::string(what) + ": " + msg, busy);
}

Result<void> Db::exec(std::string_view sql) {
    const std::string s(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        Error e = lastError("exec");
        if (err) sqlite3_free(err);
        return e;
    }
    return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return lastError("prepare");
    return Stmt(stmt, this);
}

Result<std::int64_t> Db::scalar(std::string_view sql) {
    auto st = prepare(sql);
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return row.error();
    return *row ? st->integer(0) : std::int64_t{0};
}

std::int64_t Db::changes() const {
    return sqlite3_changes64(m_db);
}

Tx::Tx(Db& db)
    : m_db(db) {
    m_begun = db.exec("BEGIN IMMEDIATE");
    m_open = m_begun.ok();
}

Tx::~Tx() {
    if (m_open) (void)m_db.exec("ROLLBACK");
}

Result<void> Tx::commit() {
    if (!m_open) return makeError(ErrorCode::Internal, "commit without an open transaction");
    auto r = m_db.exec("COMMIT");
    if (r.ok()) m_open = false;
    return r;
}

Result<int> migrate(Db& db, std::span<const Migration> migrations) {
    auto current = db.scalar("PRAGMA user_version");
    if (!current.ok()) return current.error();
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    if (*current > newest)
        return makeError(ErrorCode::Invalid, platform::utf8Path(db.path()) + ": schema version " +
                                                 std::to_string(*current) + " is newer than this program's (" +
                                                 std::to_string(newest) + ")");
    for (const auto& m : migrations) {
        if (m.version <= *current) continue;
        Tx tx(db);
        if (!tx.begun().ok()) return tx.begun().error();
        if (auto r = db.exec(m.sql); !r.ok()) return r.error();
        if (auto r = db.exec("PRAGMA user_version=" + std::to_string(m.version)); !r.ok()) return r.error();
        if (auto r = tx.commit(); !r.ok()) return r.error();
    }
    return newest;
}

} // namespace carnet
