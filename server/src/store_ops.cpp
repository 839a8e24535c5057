#include "server/store_ops.hpp"

#include "core/db.hpp"
#include "pg.hpp"
#include "server/postgres_repository.hpp"
#include "server/sqlite_repository.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <thread>

namespace carnet::server {

namespace fs = std::filesystem;

namespace {

// Parents first, so that every foreign key finds its row. The schema test (repository_test.cpp) keeps
// both backends' tables and columns the same; migrateStore refuses a SQLite table missing here.
constexpr std::array<std::string_view, 14> kTables{
    "orgs",    "users",         "tokens",          "token_uses",     "devices",         "forms",     "counters",
    "records", "record_fields", "record_versions", "record_reviews", "applied_batches", "conflicts", "conflict_values"};

// Tables only SQLite has: its own, and the FTS5 search index (PostgreSQL indexes the same text itself).
bool sqliteOnly(std::string_view table) {
    return table.rfind("sqlite_", 0) == 0 || table.rfind("record_search", 0) == 0;
}

// Table and column names are spliced into statements: they come from the schema, and are checked.
bool plainName(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

constexpr std::size_t kCopyChunk = 1 << 20; ///< bytes sent to PostgreSQL at a time

// One value in COPY's text format: NULL is \N; backslash, tab, newline and carriage return escaped.
void appendCopyValue(std::string& out, const Stmt& st, int column) {
    if (st.isNull(column)) {
        out += "\\N";
        return;
    }
    for (const char c : st.text(column)) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out += c;
        }
    }
}

Result<std::vector<std::string>> sqliteColumns(Db& db, std::string_view table) {
    auto st = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    if (!st.ok()) return st.error();
    st->bind(1, table);
    std::vector<std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(st->text(0));
    }
    return out;
}

Result<std::vector<std::string>> postgresColumns(pg::Conn& conn, std::string_view table) {
    auto rows = conn.exec("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = $1 ORDER BY ordinal_position",
                          {table});
    if (!rows.ok()) return rows.error();
    std::vector<std::string> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(rows->text(i, 0));
    return out;
}

// Checks that the SQLite file has exactly the tables this copy knows (besides SQLite's own).
Result<void> checkTables(Db& db) {
    auto st = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    if (!st.ok()) return st.error();
    std::set<std::string, std::less<>> present;
    for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        const std::string name = st->text(0);
        if (sqliteOnly(name)) continue;
        if (std::find(kTables.begin(), kTables.end(), name) == kTables.end())
            return makeError(ErrorCode::Invalid,
                             db.path().string() + ": table '" + name + "' is not one migrate-store knows how to copy");
        present.insert(name);
    }
    for (const auto t : kTables)
        if (!present.contains(t))
            return makeError(ErrorCode::Invalid,
                             db.path().string() + ": no table '" + std::string(t) + "' (not a Carnet server database)");
    return {};
}

// Fails when the target holds any data (the change counter at 0 counts as empty).
Result<void> checkEmpty(pg::Conn& conn) {
    for (const auto t : kTables) {
        const std::string table(t);
        auto rows = conn.exec(t == "counters" ? "SELECT 1 FROM counters WHERE value <> 0 LIMIT 1"
                                              : "SELECT 1 FROM " + table + " LIMIT 1");
        if (!rows.ok()) return rows.error();
        if (!rows->empty())
            return makeError(ErrorCode::Conflict, "the target PostgreSQL database is not empty (table '" + table +
                                                      "' has data): migrate-store copies into an empty database "
                                                      "only, so that nothing there is mixed with or overwritten by "
                                                      "the copy");
    }
    return {};
}

// Copies one table, row for row, with COPY; returns the rows copied.
Result<std::int64_t> copyTable(Db& src, pg::Conn& dst, std::string_view table) {
    auto lite = sqliteColumns(src, table);
    if (!lite.ok()) return lite.error();
    auto postgres = postgresColumns(dst, table);
    if (!postgres.ok()) return postgres.error();
    const std::string name(table);
    std::string select, columns;
    for (const auto& c : *postgres) {
        if (!plainName(c))
            return makeError(ErrorCode::Invalid, "postgresql: column " + name + "." + c + " has an odd name");
        std::string expr;
        if (std::find(lite->begin(), lite->end(), c) != lite->end())
            expr = c;
        else if (c == "id")
            expr = "rowid"; // conflict_values: PostgreSQL's id keeps SQLite's rowid order (schema.cpp)
        else
            continue; // PostgreSQL's default
        select += (select.empty() ? "" : ", ") + expr;
        columns += (columns.empty() ? "" : ", ") + c;
    }
    for (const auto& c : *lite)
        if (std::find(postgres->begin(), postgres->end(), c) == postgres->end())
            return makeError(ErrorCode::Invalid, "postgresql: the target has no column " + name + "." + c +
                                                     " (schemas differ: run the same carnet-server version on both)");
    auto st = src.prepare("SELECT " + select + " FROM " + name);
    if (!st.ok()) return st.error();
    const int width = static_cast<int>(std::count(select.begin(), select.end(), ',')) + 1;
    std::int64_t sent = 0;
    auto copied = dst.copyIn("COPY " + name + " (" + columns + ") FROM STDIN", [&](std::string& chunk) -> Result<bool> {
        while (chunk.size() < kCopyChunk) {
            auto row = st->step();
            if (!row.ok()) return row.error();
            if (!*row) return false;
            for (int i = 0; i < width; ++i) {
                if (i > 0) chunk += '\t';
                appendCopyValue(chunk, *st, i);
            }
            chunk += '\n';
            ++sent;
        }
        return true;
    });
    if (!copied.ok()) return makeError(copied.error().code, name + ": " + copied.error().message);
    if (*copied != sent)
        return makeError(ErrorCode::Io,
                         name + ": " + std::to_string(sent) + " rows sent, " + std::to_string(*copied) + " stored");
    return sent;
}

// Identity and serial columns continue after the ids copied (the next organisation, conflict, review
// ... gets a new one).
Result<void> resetIdentities(pg::Conn& conn) {
    auto ids = conn.exec("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                         "current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')");
    if (!ids.ok()) return ids.error();
    for (int i = 0; i < ids->size(); ++i) {
        const std::string table = ids->text(i, 0), column = ids->text(i, 1);
        if (!plainName(table) || !plainName(column)) continue;
        if (auto r = conn.run("SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max(" + column + ") FROM " +
                                  table + "))",
                              {table, column});
            !r.ok())
            return r;
    }
    return {};
}

// The whole copy in the target's transaction `dst` (open), from the snapshot `src` (open).
Result<StoreMigration> copyStore(Db& src, pg::Conn& dst) {
    if (auto r = dst.run("SELECT value FROM counters FOR UPDATE"); !r.ok()) return r.error();
    if (auto r = checkEmpty(dst); !r.ok()) return r.error();
    if (auto r = dst.run("DELETE FROM counters"); !r.ok()) return r.error();
    StoreMigration out;
    for (const auto t : kTables) {
        auto n = copyTable(src, dst, t);
        if (!n.ok()) return n.error();
        out.rows.emplace_back(std::string(t), *n);
    }
    if (auto r = resetIdentities(dst); !r.ok()) return r.error();
    return out;
}

Error ioError(const fs::path& p, std::string_view what, const std::error_code& ec) {
    return makeError(ErrorCode::Io, p.string() + ": " + std::string(what) + ": " + ec.message());
}

// Copies the attachments and form media files of data folder `from` into `to` (same layout), leaving
// partial uploads out. Each file is written under a temporary name then renamed, so that a server
// reading `to` never finds half a file; a file already there is kept (files are named by their hash).
Result<std::uint64_t> copyDataFiles(const fs::path& from, const fs::path& to) {
    std::uint64_t copied = 0;
    for (const char* sub : {"attachments", "form-media"}) {
        const fs::path root = from / sub;
        std::error_code ec;
        if (!fs::is_directory(root, ec)) continue;
        fs::recursive_directory_iterator it(root, ec);
        if (ec) return ioError(root, "cannot read", ec);
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) return ioError(root, "cannot read", ec);
            const fs::directory_entry& e = *it;
            if (e.is_directory(ec)) {
                if (e.path().filename() == "partial") it.disable_recursion_pending();
                continue;
            }
            if (!e.is_regular_file(ec) || e.path().extension() == ".part" || e.path().extension() == ".tmp") continue;
            const fs::path target = to / fs::relative(e.path(), from, ec);
            if (ec) return ioError(e.path(), "cannot copy", ec);
            if (fs::exists(target, ec)) continue;
            fs::create_directories(target.parent_path(), ec);
            if (ec) return ioError(target.parent_path(), "cannot create", ec);
            fs::path temporary = target;
            temporary += ".tmp";
            fs::copy_file(e.path(), temporary, fs::copy_options::overwrite_existing, ec);
            if (ec) return ioError(target, "cannot copy", ec);
            fs::rename(temporary, target, ec);
            if (ec) return ioError(target, "cannot copy", ec);
            ++copied;
        }
    }
    return copied;
}

// The database file of a data folder, which must exist (never created here).
Result<fs::path> storeFile(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return makeError(ErrorCode::NotFound, dir.string() + ": no such folder (the server's --data folder)");
    const fs::path file = dir / "server.db";
    if (!fs::is_regular_file(file, ec))
        return makeError(ErrorCode::NotFound, dir.string() + ": no server.db here (not a SQLite server data folder)");
    return file;
}

} // namespace

std::span<const std::string_view> storeTables() {
    return kTables;
}

Result<StoreMigration> migrateStore(const fs::path& from, const std::string& toUrl, const fs::path& filesTo) {
    auto file = storeFile(from);
    if (!file.ok()) return file.error();
    if (!isPostgresUrl(toUrl))
        return makeError(ErrorCode::Invalid, "the target is not a PostgreSQL URI (postgresql://...)");
    {
        // Brings the SQLite file to this server's schema, as starting the server would.
        auto repo = SqliteRepository::open(*file);
        if (!repo.ok()) return repo.error();
    }
    {
        // Creates (or checks) the target's schema, as starting the server on it would.
        auto repo = PostgresRepository::open(toUrl);
        if (!repo.ok()) return repo.error();
    }
    auto src = Db::open(*file, DbOptions{.readOnly = true, .create = false});
    if (!src.ok()) return src.error();
    if (auto r = checkTables(*src); !r.ok()) return r.error();
    auto dst = pg::Conn::connect(toUrl);
    if (!dst.ok()) return dst.error();

    // One read transaction on SQLite (a snapshot, even with a server writing) and one write
    // transaction on PostgreSQL.
    if (auto r = src->exec("BEGIN"); !r.ok()) return r.error();
    if (auto r = src->scalar("SELECT count(*) FROM counters"); !r.ok()) return r.error(); // takes the snapshot
    if (auto r = dst->script("BEGIN"); !r.ok()) return r.error();
    auto copied = [&]() -> Result<StoreMigration> {
        auto out = copyStore(*src, *dst);
        if (!out.ok()) return out;
        // The files after the snapshot (a device uploads an attachment before the push that names
        // it, so every file the copied records name is complete by now) and before the commit.
        std::error_code ec;
        if (filesTo.empty() || fs::equivalent(from, filesTo, ec)) return out;
        fs::create_directories(filesTo, ec);
        if (ec) return ioError(filesTo, "cannot create", ec);
        auto files = copyDataFiles(from, filesTo);
        if (!files.ok()) return files.error();
        out->files = *files;
        return out;
    }();
    if (!copied.ok()) {
        if (auto r = dst->script("ROLLBACK"); !r.ok()) return makeError(r.error().code, copied.error().message);
        return copied.error();
    }
    if (auto r = dst->script("COMMIT"); !r.ok()) return r.error();
    if (auto r = src->exec("COMMIT"); !r.ok()) return r.error();
    // Fresh statistics for the planner after a bulk load.
    if (auto r = dst->script("ANALYZE"); !r.ok()) return r.error();
    return copied;
}

Result<StoreBackup> backupStore(const fs::path& from, const fs::path& to) {
    auto file = storeFile(from);
    if (!file.ok()) return file.error();
    std::error_code ec;
    if (fs::exists(to, ec) && !(fs::is_directory(to, ec) && fs::is_empty(to, ec)))
        return makeError(ErrorCode::Conflict,
                         to.string() + ": exists and is not an empty folder (a backup goes into a new folder)");
    auto src = Db::open(*file, DbOptions{.readOnly = true, .create = false});
    if (!src.ok()) return src.error();
    auto version = src->scalar("PRAGMA user_version");
    if (!version.ok()) return version.error();
    if (*version == 0) return makeError(ErrorCode::Invalid, file->string() + ": not a Carnet server database");
    fs::create_directories(to, ec);
    if (ec) return ioError(to, "cannot create", ec);

    // Whatever fails, the folder is left empty as it was found.
    auto failed = [&](Error e) -> Error {
        std::error_code ignored;
        for (const auto& entry : fs::directory_iterator(to, ignored))
            fs::remove_all(entry.path(), ignored);
        return e;
    };
    const fs::path part = to / "server.db.part";
    {
        sqlite3* raw = nullptr;
        const int opened = sqlite3_open_v2(part.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        std::unique_ptr<sqlite3, int (*)(sqlite3*)> dest(raw, &sqlite3_close);
        if (opened != SQLITE_OK)
            return failed(makeError(
                ErrorCode::Io, part.string() + ": cannot create: " + (raw ? sqlite3_errmsg(raw) : "out of memory")));
        // One step copies every page inside one read transaction of the source: a snapshot, while
        // the server's writers go on into its WAL. Only taking the read lock can be busy (briefly).
        int rc = SQLITE_BUSY;
        for (int attempt = 0; attempt < 200 && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED); ++attempt) {
            sqlite3_backup* backup = sqlite3_backup_init(dest.get(), "main", src->handle(), "main");
            if (!backup) return failed(makeError(ErrorCode::Io, part.string() + ": " + sqlite3_errmsg(dest.get())));
            rc = sqlite3_backup_step(backup, -1);
            const int finished = sqlite3_backup_finish(backup);
            if (rc == SQLITE_DONE) rc = finished;
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (rc != SQLITE_OK && rc != SQLITE_DONE)
            return failed(makeError(rc == SQLITE_FULL ? ErrorCode::NoSpace : ErrorCode::Io,
                                    file->string() + ": backup: " + sqlite3_errstr(rc)));
    }
    {
        auto copy = Db::open(part, DbOptions{.readOnly = false, .create = false});
        if (!copy.ok()) return failed(copy.error());
        auto st = copy->prepare("PRAGMA integrity_check");
        if (!st.ok()) return failed(st.error());
        auto row = st->step();
        if (!row.ok()) return failed(row.error());
        if (!*row || st->text(0) != "ok")
            return failed(makeError(ErrorCode::Io, part.string() + ": the copy fails its integrity check: " +
                                                       (*row ? st->text(0) : std::string("no answer"))));
    }
    const fs::path db = to / "server.db";
    fs::rename(part, db, ec);
    if (ec) return failed(ioError(db, "cannot rename", ec));
    StoreBackup out;
    out.databaseBytes = fs::file_size(db, ec);
    auto files = copyDataFiles(from, to);
    if (!files.ok()) return failed(files.error());
    out.files = *files;
    return out;
}

} // namespace carnet::server
