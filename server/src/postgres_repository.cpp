#include "server/postgres_repository.hpp"

#include "core/ids.hpp"
#include "core/strings.hpp"
#include "postgres_common.hpp"
#include "server/schema.hpp"

#include <mutex>
#include <unordered_map>

namespace carnet::server {

using nlohmann::json;
using namespace pgrepo;

bool isPostgresUrl(std::string_view db) {
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

struct PostgresRepository::Pool {
    std::string url;
    std::mutex mutex;
    std::vector<pg::Conn> idle;
};

namespace {

constexpr std::size_t kMaxIdleConnections = 16;
constexpr int kMigrationLock = 3; ///< advisory lock class: one process migrates at a time

// A connection borrowed from the pool, given back when destroyed if it is still usable (connected,
// no transaction left open).
class Lease {
public:
    Lease(PostgresRepository::Pool& pool, pg::Conn conn)
        : m_pool(&pool)
        , m_conn(std::move(conn)) {}
    ~Lease() {
        if (!m_pool || !m_conn.healthy()) return;
        std::lock_guard lock(m_pool->mutex);
        if (m_pool->idle.size() < kMaxIdleConnections) m_pool->idle.push_back(std::move(m_conn));
    }
    Lease(Lease&& other) noexcept
        : m_pool(std::exchange(other.m_pool, nullptr))
        , m_conn(std::move(other.m_conn)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    pg::Conn& conn() { return m_conn; }

private:
    PostgresRepository::Pool* m_pool;
    pg::Conn m_conn;
};

Result<Lease> acquire(PostgresRepository::Pool& pool) {
    {
        std::lock_guard lock(pool.mutex);
        if (!pool.idle.empty()) {
            pg::Conn c = std::move(pool.idle.back());
            pool.idle.pop_back();
            return Lease(pool, std::move(c));
        }
    }
    auto c = pg::Conn::connect(pool.url);
    if (!c.ok()) return c.error();
    return Lease(pool, std::move(*c));
}

// Applies the schema versions the database lacks, all in one transaction (DDL is transactional in
// PostgreSQL), under an advisory lock so that processes started together migrate once.
Result<void> migrate(pg::Conn& conn) {
    if (auto r = conn.script("BEGIN"); !r.ok()) return r;
    auto body = [&]() -> Result<void> {
        if (auto r = conn.run("SELECT pg_advisory_xact_lock($1, 0)", {kMigrationLock}); !r.ok()) return r;
        if (auto r = conn.script("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)"); !r.ok())
            return r;
        auto v = conn.exec("SELECT coalesce(max(version), 0) FROM schema_version");
        if (!v.ok()) return v.error();
        const std::int64_t current = v->integer(0, 0);
        const auto versions = schemaVersions();
        if (current > versions.back().version)
            return makeError(ErrorCode::Invalid, "postgresql: the database has schema version " +
                                                     std::to_string(current) + ", newer than this server's " +
                                                     std::to_string(versions.back().version) +
                                                     " (written by a newer Carnet)");
        for (const auto& s : versions) {
            if (s.version <= current) continue;
            if (auto r = conn.script(s.postgres); !r.ok())
                return makeError(r.error().code,
                                 "schema version " + std::to_string(s.version) + ": " + r.error().message);
        }
        if (auto r = conn.run("DELETE FROM schema_version"); !r.ok()) return r;
        return conn.run("INSERT INTO schema_version VALUES ($1)", {versions.back().version});
    };
    if (auto r = body(); !r.ok()) {
        if (auto rb = conn.script("ROLLBACK"); !rb.ok()) return rb;
        return r;
    }
    return conn.script("COMMIT");
}

// The form versions organisation $1 sees: its own, and the shared ones it has no own version of.
constexpr std::string_view kVisibleForm =
    "(f.org_id = $1 OR (f.org_id = 0 AND NOT EXISTS (SELECT 1 FROM forms o WHERE o.org_id = $1 AND "
    "o.form_id = f.form_id AND o.version = f.version)))";

// When a listed record's interview took place (RecordListRow::interviewAt), as in SqliteRepository.
constexpr std::string_view kInterviewAt =
    "COALESCE(CASE WHEN jsonb_typeof(r.answers::jsonb -> 'end') = 'string' THEN r.answers::jsonb ->> 'end' END, "
    "CASE WHEN jsonb_typeof(r.answers::jsonb -> 'start') = 'string' THEN r.answers::jsonb ->> 'start' END, "
    "(SELECT v.created_at FROM record_versions v WHERE v.record_id = r.record_id AND v.version = 1), r.version_at)";

// Parameters numbered as they are added, for statements assembled from optional filters.
class Params {
public:
    std::string add(pg::Param p) {
        m_list.push_back(std::move(p));
        return "$" + std::to_string(m_list.size());
    }
    [[nodiscard]] const std::vector<pg::Param>& list() const { return m_list; }

private:
    std::vector<pg::Param> m_list;
};

// The WHERE clause of a record list or count (records r joined with their creator cu).
std::string recordFilter(const RecordQuery& q, Params& p) {
    std::string sql = "WHERE r.org_id = " + p.add(q.scope.orgId) + " ";
    if (q.scope.userId) {
        const std::string u = p.add(*q.scope.userId);
        sql += "AND (r.created_by = " + u + " OR r.assigned_to = " + u + ") ";
    }
    if (!q.formId.empty()) sql += "AND r.form_id = " + p.add(q.formId) + " ";
    if (!q.status.empty()) sql += "AND r.status = " + p.add(q.status) + " ";
    if (!q.formVersion.empty()) sql += "AND r.form_version = " + p.add(q.formVersion) + " ";
    if (!q.author.empty()) {
        const std::string a = p.add(q.author);
        sql += "AND (cu.name = " + a + " OR r.author = " + a + ") ";
    }
    const std::string day = q.onInterviewDate ? "substr(" + std::string(kInterviewAt) + ", 1, 10)"
                                              : std::string("substr(r.version_at, 1, 10)");
    if (!q.fromDate.empty()) sql += "AND " + day + " >= " + p.add(q.fromDate) + " ";
    if (!q.toDate.empty()) sql += "AND " + day + " <= " + p.add(q.toDate) + " ";
    if (!q.terms.empty()) {
        // Every term as the start of a word (noel:* & martin:*), on the index records_search (schema 13).
        std::string query;
        for (const auto& t : q.terms)
            query += (query.empty() ? "" : " & ") + t + ":*";
        sql +=
            "AND to_tsvector('simple', carnet_search_text(r.answers)) @@ to_tsquery('simple', " + p.add(query) + ") ";
    }
    if (!q.review.empty())
        sql += "AND coalesce((SELECT rv.state FROM record_reviews rv WHERE rv.record_id = r.record_id "
               "ORDER BY rv.id DESC LIMIT 1), 'received') = " +
               p.add(q.review) + " ";
    return sql;
}

} // namespace

PostgresRepository::PostgresRepository(std::unique_ptr<Pool> pool)
    : m_pool(std::move(pool)) {}

PostgresRepository::~PostgresRepository() = default;

Result<std::unique_ptr<PostgresRepository>> PostgresRepository::open(const std::string& url) {
    auto pool = std::make_unique<Pool>();
    pool->url = url;
    auto conn = pg::Conn::connect(url);
    if (!conn.ok()) return conn.error();
    if (auto r = migrate(*conn); !r.ok()) return r.error();
    pool->idle.push_back(std::move(*conn));
    return std::unique_ptr<PostgresRepository>(new PostgresRepository(std::move(pool)));
}

Result<std::int64_t> PostgresRepository::addOrg(std::string_view name) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec("INSERT INTO orgs(name) VALUES ($1) RETURNING id", {name});
    if (!rows.ok()) {
        if (rows.error().code == ErrorCode::Conflict)
            return makeError(ErrorCode::Conflict, "organisation '" + std::string(name) + "' already exists");
        return rows.error();
    }
    return rows->integer(0, 0);
}

Result<std::optional<Org>> PostgresRepository::findOrg(std::string_view name) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec("SELECT id, name FROM orgs WHERE name = $1", {name});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<Org>();
    return std::optional<Org>(Org{rows->integer(0, 0), rows->text(0, 1)});
}

Result<std::vector<Org>> PostgresRepository::listOrgs() {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec("SELECT id, name FROM orgs ORDER BY id");
    if (!rows.ok()) return rows.error();
    std::vector<Org> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(Org{rows->integer(i, 0), rows->text(i, 1)});
    return out;
}

Result<std::int64_t> PostgresRepository::addUser(const User& user) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec("INSERT INTO users(name, role, org_id, password_hash) VALUES ($1, $2, $3, $4) RETURNING id",
                           {user.name, roleName(user.role), user.orgId, user.passwordHash});
    if (!rows.ok()) {
        if (rows.error().code == ErrorCode::Conflict)
            return makeError(ErrorCode::Conflict, "user '" + user.name + "' already exists");
        return rows.error();
    }
    return rows->integer(0, 0);
}

Result<std::optional<User>> PostgresRepository::findUser(std::string_view name) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(std::string(kUserColumns) + "WHERE u.name = $1", {name});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<User>();
    return std::optional<User>(readUser(*rows, 0));
}

Result<void> PostgresRepository::addToken(std::string_view tokenHash, std::int64_t userId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    return lease->conn().run("INSERT INTO tokens(token_hash, user_id, created_at) VALUES ($1, $2, $3)",
                             {tokenHash, userId, nowIsoUtc()});
}

Result<std::optional<User>> PostgresRepository::useToken(std::string_view tokenHash, const TokenWindow& window) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec("SELECT u.id, u.name, u.role, u.org_id, o.name, u.password_hash, u.disabled_at IS NOT NULL, "
                           "u.must_change_password, coalesce(tu.last_used_at, t.created_at) < $4 FROM users u "
                           "JOIN orgs o ON o.id = u.org_id JOIN tokens t ON t.user_id = u.id "
                           "LEFT JOIN token_uses tu ON tu.token_hash = t.token_hash WHERE t.token_hash = $1 AND "
                           "t.revoked_at IS NULL AND u.disabled_at IS NULL AND t.created_at >= $2 AND "
                           "coalesce(tu.last_used_at, t.created_at) >= $3",
                           {tokenHash, window.createdFrom, window.usedFrom, window.touchBefore});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<User>();
    User u = readUser(*rows, 0);
    if (rows->text(0, 8) == "t") {
        auto up = lease->conn().run("INSERT INTO token_uses(token_hash, last_used_at) VALUES ($1, $2) "
                                    "ON CONFLICT(token_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
                                    {tokenHash, window.now});
        if (!up.ok()) return up.error();
    }
    return std::optional<User>(std::move(u));
}

Result<void> PostgresRepository::revokeToken(std::string_view tokenHash) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    return lease->conn().run("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
                             {nowIsoUtc(), tokenHash});
}

Result<std::int64_t> PostgresRepository::registerDevice(std::string_view deviceId, std::int64_t userId,
                                                        std::string_view name) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    if (auto r = lease->conn().run("INSERT INTO devices(device_id, user_id, name, registered_at) VALUES "
                                   "($1, $2, $3, $4) ON CONFLICT(device_id) DO NOTHING",
                                   {deviceId, userId, name, nowIsoUtc()});
        !r.ok())
        return r.error();
    auto rows = lease->conn().exec("SELECT user_id FROM devices WHERE device_id = $1", {deviceId});
    if (!rows.ok()) return rows.error();
    return rows->empty() ? 0 : rows->integer(0, 0);
}

Result<std::optional<std::int64_t>> PostgresRepository::deviceOwner(std::string_view deviceId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec("SELECT user_id FROM devices WHERE device_id = $1", {deviceId});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(rows->integer(0, 0));
}

Result<void> PostgresRepository::insertForm(const FormRow& form) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    const std::optional<std::string> draft =
        form.draftDevices ? std::optional<std::string>(json(*form.draftDevices).dump()) : std::nullopt;
    auto r = lease->conn().run("INSERT INTO forms(org_id, form_id, version, hash, body, published_at, draft_devices) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                               {form.orgId, form.formId, form.version, form.hash, form.body, nowIsoUtc(),
                                draft ? pg::Param(*draft) : pg::Param(std::nullopt)});
    if (!r.ok() && r.error().code == ErrorCode::Conflict)
        return makeError(ErrorCode::Conflict, "form " + form.formId + " " + form.version + " is already published");
    return r;
}

Result<std::optional<FormRow>> PostgresRepository::findForm(std::int64_t orgId, std::string_view formId,
                                                            std::string_view version) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec("SELECT form_id, version, hash, body, org_id, draft_devices FROM forms WHERE "
                                   "form_id = $1 AND version = $2 AND org_id IN (0, $3) ORDER BY org_id DESC LIMIT 1",
                                   {formId, version, orgId});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<FormRow>();
    FormRow out{rows->text(0, 0), rows->text(0, 1), rows->text(0, 2), rows->text(0, 3), rows->integer(0, 4)};
    if (!rows->isNull(0, 5)) out.draftDevices = stringList(parseStored(rows->text(0, 5)));
    return std::optional<FormRow>(std::move(out));
}

Result<std::vector<sync::FormRef>> PostgresRepository::listForms(std::int64_t orgId, std::string_view deviceId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(std::string("SELECT form_id, version, hash, draft_devices FROM forms f WHERE ") +
                                       std::string(kVisibleForm) + " ORDER BY seq",
                                   {orgId});
    if (!rows.ok()) return rows.error();
    std::vector<sync::FormRef> out;
    for (int i = 0; i < rows->size(); ++i) {
        if (!rows->isNull(i, 3) && !draftNames(stringList(parseStored(rows->text(i, 3))), deviceId)) continue;
        out.push_back(sync::FormRef{rows->text(i, 0), rows->text(i, 1), rows->text(i, 2)});
    }
    return out;
}

Result<void> PostgresRepository::setFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version,
                                              const std::optional<std::vector<std::string>>& devices) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    const std::string value = devices ? json(*devices).dump() : nowIsoUtc();
    auto rows = lease->conn().exec(
        devices ? "UPDATE forms SET draft_devices = $4 WHERE org_id = $1 AND form_id = $2 AND version = $3 AND "
                  "draft_devices IS NOT NULL"
                : "UPDATE forms SET draft_devices = NULL, published_at = $4 WHERE org_id = $1 AND form_id = $2 AND "
                  "version = $3 AND draft_devices IS NOT NULL",
        {orgId, formId, version, value});
    if (!rows.ok()) return rows.error();
    if (rows->affected() == 0)
        return makeError(ErrorCode::NotFound,
                         "no draft of form " + std::string(formId) + " version " + std::string(version));
    return {};
}

Result<void> PostgresRepository::deleteFormDraft(std::int64_t orgId, std::string_view formId,
                                                 std::string_view version) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(
        "DELETE FROM forms WHERE org_id = $1 AND form_id = $2 AND version = $3 AND draft_devices IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM records r WHERE r.org_id = $1 AND r.form_id = $2 AND r.form_version = $3)",
        {orgId, formId, version});
    if (!rows.ok()) return rows.error();
    if (rows->affected() > 0) return {};
    auto draft = lease->conn().exec(
        "SELECT 1 FROM forms WHERE org_id = $1 AND form_id = $2 AND version = $3 AND draft_devices IS NOT NULL",
        {orgId, formId, version});
    if (!draft.ok()) return draft.error();
    if (draft->empty())
        return makeError(ErrorCode::NotFound,
                         "no draft of form " + std::string(formId) + " version " + std::string(version));
    return makeError(ErrorCode::Conflict, "records were written with the draft of form " + std::string(formId) +
                                              " version " + std::string(version) + "; publish it or keep it");
}

Result<void> PostgresRepository::write(const std::function<Result<void>(WriteTx&)>& body) {
    WriteInFlight counted(*this);
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    pg::Conn& conn = lease->conn();
    if (auto r = conn.script("BEGIN"); !r.ok()) return r;
    auto inside = [&]() -> Result<void> {
        PgWriteTx tx(conn);
        if (auto r = body(tx); !r.ok()) return r;
        if (auto r = tx.finish(); !r.ok()) return r;
        if (m_beforeCommit) m_beforeCommit();
        return {};
    };
    if (auto r = inside(); !r.ok()) {
        // A connection whose rollback failed is not given back to the pool (Lease checks it).
        if (auto rb = conn.script("ROLLBACK"); !rb.ok()) return r;
        return r;
    }
    return conn.script("COMMIT");
}

Result<void> PostgresRepository::ping() {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    return lease->conn().script("SELECT 1 FROM orgs LIMIT 1");
}

Result<void> PostgresRepository::purgeFreedData() {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    // Marks the erased values' dead row versions free (docs/architecture.md, "PostgreSQL", for what
    // this does not reach).
    return lease->conn().script("VACUUM records, record_versions, record_fields, conflict_values");
}

Result<ChangePage> PostgresRepository::changes(const Scope& scope, std::int64_t afterSeq, std::size_t limit,
                                               bool answersAsText, std::string_view skipEchoOf) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    pg::Conn& conn = lease->conn();
    // One snapshot for the page and the counter the cursor may move to. Sequences are assigned in
    // commit order, so a snapshot holds every change up to the counter and none after it.
    if (auto b = conn.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !b.ok()) return b.error();
    auto page = [&]() -> Result<ChangePage> {
        Params p;
        std::string sql = std::string(kRecordColumns) + "WHERE r.org_id = " + p.add(scope.orgId) +
                          " AND r.change_seq > " + p.add(afterSeq) + " ";
        if (scope.userId) {
            const std::string u = p.add(*scope.userId);
            sql += "AND (r.created_by = " + u + " OR r.assigned_to = " + u + ") ";
        }
        if (!skipEchoOf.empty()) sql += "AND (r.echo_device IS NULL OR r.echo_device <> " + p.add(skipEchoOf) + ") ";
        sql += "ORDER BY r.change_seq LIMIT " + p.add(static_cast<std::int64_t>(limit) + 1);
        auto rows = conn.execList(sql, p.list());
        if (!rows.ok()) return rows.error();
        ChangePage out;
        for (int i = 0; i < rows->size(); ++i) {
            if (out.records.size() == limit) {
                out.more = true;
                break;
            }
            out.records.push_back(readRecord(*rows, i, answersAsText));
        }
        if (!out.more && !skipEchoOf.empty()) {
            auto seen = conn.exec("SELECT value FROM counters WHERE name = 'change_seq'");
            if (!seen.ok()) return seen.error();
            out.seenTo = seen->empty() ? 0 : seen->integer(0, 0);
        }
        if (out.records.empty()) return out;
        json ids = json::array();
        std::unordered_map<std::string, RecordState*> byId;
        for (auto& r : out.records) {
            ids.push_back(r.recordId);
            byId.emplace(r.recordId, &r);
        }
        auto c = conn.exec("SELECT c.record_id, c.field, v.value, v.device_id, v.version FROM conflicts c "
                           "LEFT JOIN conflict_values v ON v.conflict_id = c.id WHERE c.resolved_version IS NULL AND "
                           "c.record_id IN (SELECT json_array_elements_text($1::json)) "
                           "ORDER BY c.record_id, c.field, v.id",
                           {ids.dump()});
        if (!c.ok()) return c.error();
        for (int i = 0; i < c->size(); ++i) {
            auto it = byId.find(c->text(i, 0));
            if (it == byId.end()) continue;
            RecordState& r = *it->second;
            const std::string field = c->text(i, 1);
            if (r.conflicts.empty() || r.conflicts.back() != field) r.conflicts.push_back(field);
            if (c->isNull(i, 2)) continue;
            r.conflictValues[field].push_back(json{
                {"value", parseStored(c->text(i, 2))}, {"device_id", c->text(i, 3)}, {"version", c->integer(i, 4)}});
        }
        return out;
    }();
    if (auto e = conn.script("COMMIT"); !e.ok()) return e.error();
    return page;
}

Result<std::optional<RecordState>> PostgresRepository::findRecord(std::string_view recordId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    return pgrepo::loadRecord(lease->conn(), recordId, false, false);
}

Result<std::vector<VersionRow>> PostgresRepository::history(std::string_view recordId) {
    if (invalidUtf8At(recordId) != std::string_view::npos)
        return std::vector<VersionRow>(); // no such record (loadRecord)
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(
        "SELECT version, status, form_version, device_id, user_name, answers, changed, created_at, edited_at FROM "
        "record_versions WHERE record_id = $1 UNION ALL SELECT version, status, form_version, "
        "coalesce(version_device, ''), coalesce(version_user, ''), answers, version_changed, "
        "coalesce(version_at, ''), coalesce(version_edited_at, '') FROM records WHERE record_id = $1 ORDER BY 1",
        {recordId});
    if (!rows.ok()) return rows.error();
    std::vector<VersionRow> out;
    for (int i = 0; i < rows->size(); ++i) {
        VersionRow v;
        v.version = rows->integer(i, 0);
        v.status = rows->text(i, 1);
        v.formVersion = rows->text(i, 2);
        v.deviceId = rows->text(i, 3);
        v.userName = rows->text(i, 4);
        v.answers = parseStored(rows->text(i, 5));
        v.receivedAt = rows->text(i, 7);
        v.editedAt = rows->text(i, 8);
        if (rows->isNull(i, 6)) { // implied: every answer of a new record
            if (v.answers.is_object())
                for (const auto& [field, value] : v.answers.items())
                    v.changed.push_back(field);
        } else {
            v.changed = stringList(parseStored(rows->text(i, 6)));
        }
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<ConflictRow>> PostgresRepository::openConflicts(std::int64_t orgId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec("SELECT c.id, c.record_id, c.field, v.value, v.device_id, v.version FROM conflicts c "
                           "JOIN records r ON r.record_id = c.record_id JOIN conflict_values v ON v.conflict_id = c.id "
                           "WHERE r.org_id = $1 AND c.resolved_version IS NULL ORDER BY c.id, v.id",
                           {orgId});
    if (!rows.ok()) return rows.error();
    std::vector<ConflictRow> out;
    std::int64_t current = -1;
    for (int i = 0; i < rows->size(); ++i) {
        if (rows->integer(i, 0) != current) {
            current = rows->integer(i, 0);
            out.push_back(ConflictRow{rows->text(i, 1), rows->text(i, 2), {}});
        }
        out.back().values.push_back(
            ConflictValue{parseStored(rows->text(i, 3)), rows->text(i, 4), rows->integer(i, 5)});
    }
    return out;
}

Result<void> PostgresRepository::assignRecord(std::string_view recordId, std::int64_t userId) {
    return write([&](WriteTx& tx) { return tx.assignRecord(recordId, userId); });
}

Result<std::int64_t> PostgresRepository::countRecords(const RecordQuery& q) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    Params p;
    const std::string sql =
        "SELECT COUNT(*) FROM records r JOIN users cu ON cu.id = r.created_by " + recordFilter(q, p);
    auto rows = lease->conn().execList(sql, p.list());
    if (!rows.ok()) return rows.error();
    return rows->empty() ? 0 : rows->integer(0, 0);
}

Result<std::vector<RecordListRow>> PostgresRepository::listRecords(const RecordQuery& q, bool& more) {
    more = false;
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    Params p;
    std::string sql = std::string(kRecordColumns.substr(0, kRecordColumns.find(" FROM "))) +
                      ", r.version_at, cu.name, " + std::string(kInterviewAt) +
                      " AS interview_at FROM records r JOIN orgs o ON o.id = r.org_id "
                      "JOIN users cu ON cu.id = r.created_by " +
                      recordFilter(q, p);
    const std::string dir = q.newestFirst ? " DESC" : "";
    if (q.order == RecordOrder::Change) {
        if (q.cursor > 0)
            sql += (q.newestFirst ? "AND r.change_seq < " : "AND r.change_seq > ") + p.add(q.cursor) + " ";
        sql += "ORDER BY r.change_seq" + dir + " LIMIT " + p.add(static_cast<std::int64_t>(q.limit) + 1);
    } else {
        sql += "ORDER BY interview_at" + dir + ", r.change_seq" + dir + " LIMIT " +
               p.add(static_cast<std::int64_t>(q.limit) + 1) + " OFFSET " + p.add(static_cast<std::int64_t>(q.offset));
    }
    auto rows = lease->conn().execList(sql, p.list());
    if (!rows.ok()) return rows.error();
    std::vector<RecordListRow> out;
    constexpr int n = kRecordColumnCount;
    for (int i = 0; i < rows->size(); ++i) {
        if (out.size() == q.limit) {
            more = true;
            break;
        }
        out.push_back(RecordListRow{readRecord(*rows, i), rows->isNull(i, n) ? std::string() : rows->text(i, n),
                                    rows->text(i, n + 1),
                                    rows->isNull(i, n + 2) ? std::string() : rows->text(i, n + 2)});
    }
    if (!q.withConflicts) return out;
    for (auto& r : out) {
        auto c = lease->conn().exec(
            "SELECT field FROM conflicts WHERE record_id = $1 AND resolved_version IS NULL ORDER BY field",
            {r.record.recordId});
        if (!c.ok()) return c.error();
        for (int i = 0; i < c->size(); ++i)
            r.record.conflicts.push_back(c->text(i, 0));
    }
    return out;
}

Result<std::vector<User>> PostgresRepository::listUsers(std::int64_t orgId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    // The last activity: the latest use of any of the user's tokens (a login counts as a use).
    auto rows = lease->conn().exec(
        "SELECT u.id, u.name, u.role, u.org_id, o.name, '', u.disabled_at IS NOT NULL, u.must_change_password, "
        "(SELECT max(coalesce(tu.last_used_at, t.created_at)) FROM tokens t LEFT JOIN token_uses tu "
        "ON tu.token_hash = t.token_hash WHERE t.user_id = u.id) FROM users u JOIN orgs o ON o.id = u.org_id "
        "WHERE u.org_id = $1 ORDER BY u.name",
        {orgId});
    if (!rows.ok()) return rows.error();
    std::vector<User> out;
    for (int i = 0; i < rows->size(); ++i) {
        out.push_back(readUser(*rows, i));
        if (!rows->isNull(i, 8)) out.back().lastActive = rows->text(i, 8);
    }
    return out;
}

Result<void> PostgresRepository::updateUser(std::int64_t userId, const UserChange& change) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    // One statement, so all of it commits or none does.
    auto opt = [](const std::optional<std::string>& v) { return v ? pg::Param(*v) : pg::Param(std::nullopt); };
    auto rows = lease->conn().exec(
        "WITH u AS (UPDATE users SET role = coalesce($2::text, role), password_hash = coalesce($3::text, "
        "password_hash), must_change_password = CASE WHEN $3::text IS NULL THEN must_change_password ELSE $4::bigint "
        "END, disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5::boolean THEN "
        "coalesce(disabled_at, $6) ELSE NULL END WHERE id = $1 RETURNING id), "
        "t AS (UPDATE tokens SET revoked_at = $6 WHERE $7::boolean AND revoked_at IS NULL AND user_id IN "
        "(SELECT id FROM u) RETURNING 1) SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM t)",
        {userId, opt(change.role ? std::optional<std::string>(std::string(roleName(*change.role))) : std::nullopt),
         opt(change.passwordHash), std::int64_t{change.mustChangePassword ? 1 : 0},
         change.disabled ? pg::Param(*change.disabled) : pg::Param(std::nullopt), nowIsoUtc(), change.revokeTokens});
    if (!rows.ok()) return rows.error();
    if (rows->integer(0, 0) == 0) return makeError(ErrorCode::NotFound, "no user " + std::to_string(userId));
    return {};
}

namespace {

constexpr std::string_view kDeviceColumns =
    "SELECT d.device_id, d.name, u.name, d.registered_at, d.last_seen, d.last_sync, d.pending, d.drafts_behind, "
    "d.user_id, u.org_id, d.app_version, d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id ";

DeviceRow readDevice(const pg::Rows& rows, int i) {
    DeviceRow d;
    d.deviceId = rows.text(i, 0);
    d.name = rows.text(i, 1);
    d.userName = rows.text(i, 2);
    d.registeredAt = rows.text(i, 3);
    if (!rows.isNull(i, 4)) d.lastSeen = rows.text(i, 4);
    if (!rows.isNull(i, 5)) d.lastSync = rows.text(i, 5);
    if (!rows.isNull(i, 6)) d.pending = rows.integer(i, 6);
    if (!rows.isNull(i, 7)) d.draftsBehind = rows.integer(i, 7);
    d.userId = rows.integer(i, 8);
    d.orgId = rows.integer(i, 9);
    if (!rows.isNull(i, 10)) d.appVersion = rows.text(i, 10);
    if (!rows.isNull(i, 11)) d.revokedAt = rows.text(i, 11);
    return d;
}

} // namespace

Result<std::optional<DeviceRow>> PostgresRepository::findDevice(std::string_view deviceId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(std::string(kDeviceColumns) + "WHERE d.device_id = $1", {deviceId});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<DeviceRow>();
    return std::optional<DeviceRow>(readDevice(*rows, 0));
}

Result<void> PostgresRepository::updateDevice(std::string_view deviceId, const DeviceChange& change) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(
        "UPDATE devices SET name = coalesce($1::text, name), revoked_at = CASE WHEN $2::boolean THEN "
        "coalesce(revoked_at, $3) ELSE revoked_at END WHERE device_id = $4 RETURNING 1",
        {change.name ? pg::Param(*change.name) : pg::Param(std::nullopt), change.revoke, nowIsoUtc(), deviceId});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return makeError(ErrorCode::NotFound, "no device " + std::string(deviceId));
    return {};
}

Result<std::vector<DeviceRow>> PostgresRepository::listDevices(std::int64_t orgId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec(std::string(kDeviceColumns) + "WHERE u.org_id = $1 ORDER BY u.name, d.device_id", {orgId});
    if (!rows.ok()) return rows.error();
    std::vector<DeviceRow> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(readDevice(*rows, i));
    return out;
}

Result<void> PostgresRepository::noteDeviceReport(std::string_view deviceId, const DeviceReport& report) {
    return write([&](WriteTx& tx) { return tx.noteDeviceReport(deviceId, report); });
}

Result<std::vector<std::int64_t>> PostgresRepository::orgsReferencing(std::string_view text) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec("SELECT DISTINCT org_id FROM records WHERE strpos(answers, $1) > 0 ORDER BY org_id", {text});
    if (!rows.ok()) return rows.error();
    std::vector<std::int64_t> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(rows->integer(i, 0));
    return out;
}

Result<std::vector<FormListRow>> PostgresRepository::listFormRows(std::int64_t orgId) {
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows =
        lease->conn().exec(std::string("SELECT form_id, version, hash, published_at, org_id, draft_devices FROM forms "
                                       "f WHERE ") +
                               std::string(kVisibleForm) + " ORDER BY seq",
                           {orgId});
    if (!rows.ok()) return rows.error();
    std::vector<FormListRow> out;
    for (int i = 0; i < rows->size(); ++i) {
        FormListRow f{rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3), rows->integer(i, 4)};
        if (!rows->isNull(i, 5)) f.draftDevices = stringList(parseStored(rows->text(i, 5)));
        out.push_back(std::move(f));
    }
    return out;
}

namespace {

constexpr std::string_view kReviewColumns =
    "SELECT record_id, state, comment, user_name, version, created_at FROM record_reviews ";

ReviewRow readReview(const pg::Rows& rows, int i) {
    return ReviewRow{rows.text(i, 0), rows.text(i, 1),    rows.text(i, 2),
                     rows.text(i, 3), rows.integer(i, 4), rows.text(i, 5)};
}

} // namespace

Result<ReviewRow> PostgresRepository::addReview(const ReviewRow& review) {
    if (invalidUtf8At(review.recordId) != std::string_view::npos)
        return makeError(ErrorCode::NotFound, "no record with this id");
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    ReviewRow out = review;
    out.at = nowIsoUtc();
    auto rows =
        lease->conn().exec("INSERT INTO record_reviews(record_id, state, comment, user_name, version, created_at) "
                           "SELECT record_id, $2, $3, $4, $5, $6 FROM records WHERE record_id = $1 RETURNING id",
                           {review.recordId, review.state, review.comment, review.userName, review.version, out.at});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return makeError(ErrorCode::NotFound, "no record " + review.recordId);
    return out;
}

Result<std::vector<ReviewRow>> PostgresRepository::reviews(std::string_view recordId) {
    if (invalidUtf8At(recordId) != std::string_view::npos) return std::vector<ReviewRow>();
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    auto rows = lease->conn().exec(std::string(kReviewColumns) + "WHERE record_id = $1 ORDER BY id", {recordId});
    if (!rows.ok()) return rows.error();
    std::vector<ReviewRow> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(readReview(*rows, i));
    return out;
}

Result<std::map<std::string, ReviewRow>> PostgresRepository::latestReviews(const std::vector<std::string>& recordIds) {
    std::map<std::string, ReviewRow> out;
    if (recordIds.empty()) return out;
    auto lease = acquire(*m_pool);
    if (!lease.ok()) return lease.error();
    // Ids that are not UTF-8 name no record (and PostgreSQL would refuse the text).
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& id : recordIds)
        if (invalidUtf8At(id) == std::string_view::npos) ids.push_back(id);
    auto rows = lease->conn().exec(std::string(kReviewColumns) +
                                       "WHERE id IN (SELECT max(id) FROM record_reviews WHERE record_id IN "
                                       "(SELECT jsonb_array_elements_text($1::jsonb)) GROUP BY record_id)",
                                   {ids.dump()});
    if (!rows.ok()) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
        ReviewRow r = readReview(*rows, i);
        out.emplace(r.recordId, std::move(r));
    }
    return out;
}

} // namespace carnet::server
