#include "server/sqlite_repository.hpp"

#include "core/ids.hpp"
#include "core/platform.hpp"
#include "server/schema.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <optional>
#include <sqlite3.h>
#include <unordered_map>

namespace carnet::server {

using nlohmann::json;

namespace {

// The search index statements for one record (?1), made once.
const SqliteSearchIndex& searchIndexOfOne() {
    static const SqliteSearchIndex kOne = sqliteSearchIndex("= ?1");
    return kOne;
}

constexpr std::size_t kMaxIdleConnections = 16;

// The form versions organisation ?1 sees: its own, and the shared ones it has no own version of under
// the same id and version (its own wins, as in findForm).
constexpr std::string_view kVisibleForm =
    "(f.org_id = ?1 OR (f.org_id = 0 AND NOT EXISTS (SELECT 1 FROM forms o WHERE o.org_id = ?1 AND "
    "o.form_id = f.form_id AND o.version = f.version)))";

// Text stored by us is always valid JSON; a damaged row reads as null rather than throwing.
json parseStored(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json() : j;
}

std::vector<std::string> stringList(const json& j) {
    std::vector<std::string> out;
    if (j.is_array())
        for (const auto& s : j)
            if (s.is_string()) out.push_back(s.get<std::string>());
    return out;
}

// A form id or field name that may be written into SQL text ([A-Za-z0-9_], at most 64 bytes).
bool plainName(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.name, u.role, u.org_id, o.name, u.password_hash, u.disabled_at IS NOT NULL, "
    "u.must_change_password FROM users u JOIN orgs o ON o.id = u.org_id ";

User readUser(const Stmt& st) {
    User u;
    u.id = st.integer(0);
    u.name = st.text(1);
    u.role = parseRole(st.text(2)).value_or(Role::Ambassador);
    u.orgId = st.integer(3);
    u.orgName = st.text(4);
    u.passwordHash = st.text(5);
    u.disabled = st.integer(6) != 0;
    u.mustChangePassword = st.integer(7) != 0;
    return u;
}

Result<std::optional<User>> oneUser(Stmt& st) {
    auto row = st.step();
    if (!row.ok()) return row.error();
    std::optional<User> out;
    if (*row) out = readUser(st);
    st.reset();
    return out;
}

constexpr std::string_view kRecordColumns =
    "SELECT r.record_id, r.org_id, o.name, r.created_by, r.assigned_to, r.kind, r.form_id, r.form_version, "
    "r.status, r.author, r.version, r.change_seq, r.answers, r.erased, r.created_device, r.echo_device "
    "FROM records r JOIN orgs o ON o.id = r.org_id ";

constexpr int kRecordColumnCount = 16; ///< columns of kRecordColumns, read by readRecord

RecordState readRecord(const Stmt& st, bool answersAsText = false) {
    RecordState r;
    r.recordId = st.text(0);
    r.orgId = st.integer(1);
    r.orgName = st.text(2);
    r.createdBy = st.integer(3);
    if (!st.isNull(4)) r.assignedTo = st.integer(4);
    r.kind = st.text(5);
    r.formId = st.text(6);
    r.formVersion = st.text(7);
    r.status = st.text(8);
    r.author = st.text(9);
    r.version = st.integer(10);
    r.changeSeq = st.integer(11);
    if (answersAsText) {
        r.answersText = st.text(12);
    } else {
        r.answers = parseStored(st.text(12));
        if (!r.answers.is_object()) r.answers = json::object();
    }
    r.erased = stringList(parseStored(st.text(13)));
    if (!st.isNull(14)) r.createdDevice = st.text(14);
    if (!st.isNull(15)) r.echoDevice = st.text(15);
    return r;
}

// Statements prepared once and reused, for as long as the cache lives (one write transaction, one
// pull page): preparing (parsing SQL) was a fifth of a push's instructions when done per mutation.
class StmtCache {
public:
    explicit StmtCache(Db& db)
        : m_db(db) {}
    // The statement for `sql`, reset and ready to bind.
    Result<Stmt*> get(std::string_view sql) {
        auto it = m_stmts.find(sql);
        if (it == m_stmts.end()) {
            auto st = m_db.prepare(sql);
            if (!st.ok()) return st.error();
            it = m_stmts.emplace(std::string(sql), std::move(*st)).first;
        }
        it->second.reset();
        return &it->second;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    Db& m_db;
    std::unordered_map<std::string, Stmt, Hash, std::equal_to<>> m_stmts;
};

Result<std::vector<std::string>> openConflictFields(StmtCache& stmts, std::string_view recordId) {
    auto st = stmts.get("SELECT field FROM conflicts WHERE record_id = ? AND resolved_version IS NULL ORDER BY field");
    if (!st.ok()) return st.error();
    Stmt& q = **st;
    q.bind(1, recordId);
    std::vector<std::string> out;
    while (true) {
        auto row = q.step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(q.text(0));
    }
    q.reset();
    return out;
}

Result<std::optional<RecordState>> loadRecordOn(StmtCache& stmts, std::string_view recordId, bool withFields) {
    auto st = stmts.get(std::string(kRecordColumns) + "WHERE r.record_id = ?");
    if (!st.ok()) return st.error();
    Stmt& q = **st;
    q.bind(1, recordId);
    auto row = q.step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<RecordState>();
    RecordState r = readRecord(q);
    q.reset();
    auto conflicts = openConflictFields(stmts, recordId);
    if (!conflicts.ok()) return conflicts.error();
    r.conflicts = std::move(*conflicts);
    if (withFields) {
        auto f = stmts.get("SELECT field, value, version, device_id FROM record_fields WHERE record_id = ?");
        if (!f.ok()) return f.error();
        Stmt& fq = **f;
        fq.bind(1, recordId);
        while (true) {
            auto fr = fq.step();
            if (!fr.ok()) return fr.error();
            if (!*fr) break;
            r.fields[fq.text(0)] = FieldMeta{parseStored(fq.text(1)), fq.integer(2), fq.text(3)};
        }
        fq.reset();
        // Fields the record was created with and never written since have no row (schema 4).
        if (!r.createdDevice.empty())
            for (const auto& [name, value] : r.answers.items())
                if (!r.fields.contains(name)) r.fields.emplace(name, FieldMeta{value, 1, r.createdDevice});
    }
    return std::optional<RecordState>(std::move(r));
}

constexpr std::string_view kAssignSql =
    "UPDATE records SET assigned_to = ?, change_seq = ?, echo_device = NULL WHERE record_id = ?";

constexpr std::string_view kDeviceReportSql =
    "UPDATE devices SET last_seen = ?1, last_sync = CASE WHEN ?2 THEN ?1 ELSE last_sync END, "
    "pending = coalesce(?3, pending), drafts_behind = coalesce(?4, drafts_behind), "
    "app_version = coalesce(?6, app_version) WHERE device_id = ?5";

Result<std::int64_t> nextChangeSeq(StmtCache& stmts, const Db& db) {
    auto st = stmts.get("UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value");
    if (!st.ok()) return st.error();
    Stmt& q = **st;
    auto row = q.step();
    if (!row.ok()) return row.error();
    if (!*row) return makeError(ErrorCode::Internal, db.path().string() + ": change sequence counter is missing");
    const std::int64_t seq = q.integer(0);
    q.reset();
    return seq;
}

class SqliteWriteTx final : public WriteTx {
public:
    explicit SqliteWriteTx(Db& db)
        : m_db(db)
        , m_stmts(db) {}

    // Writes the change sequence counter back once for the whole transaction (saveVersion takes
    // numbers from memory); call before committing.
    Result<void> finish() {
        if (!m_nextSeq) return {};
        auto st = m_stmts.get("UPDATE counters SET value = ? WHERE name = 'change_seq'");
        if (!st.ok()) return st.error();
        return (*st)->bind(1, *m_nextSeq - 1).run();
    }

    Result<std::map<std::int64_t, json>> storedResults(std::string_view deviceId, std::int64_t fromSeq,
                                                       std::int64_t toSeq) override {
        // The requests whose seq range overlaps this one (usually none: a first try).
        auto st =
            m_stmts.get("SELECT results FROM applied_batches WHERE device_id = ? AND last_seq >= ? AND first_seq <= ?");
        if (!st.ok()) return st.error();
        (*st)->bind(1, deviceId).bind(2, fromSeq).bind(3, toSeq);
        std::map<std::int64_t, json> out;
        while (true) {
            auto row = (*st)->step();
            if (!row.ok()) return row.error();
            if (!*row) break;
            json results = parseStored((*st)->text(0));
            if (!results.is_array()) continue;
            for (auto& r : results) {
                const auto seq = r.is_object() ? r.value("seq", std::int64_t{0}) : 0;
                if (seq >= fromSeq && seq <= toSeq) out.emplace(seq, std::move(r));
            }
        }
        return out;
    }

    Result<void> storeResults(std::string_view deviceId, std::int64_t firstSeq, std::int64_t lastSeq,
                              std::string_view resultsJson) override {
        auto st =
            m_stmts.get("INSERT INTO applied_batches(device_id, first_seq, last_seq, results) VALUES (?, ?, ?, ?)");
        if (!st.ok()) return st.error();
        return (*st)->bind(1, deviceId).bind(2, firstSeq).bind(3, lastSeq).bind(4, resultsJson).run();
    }

    Result<std::optional<RecordState>> loadRecord(std::string_view recordId) override {
        return loadRecordOn(m_stmts, recordId, true);
    }

    Result<std::optional<json>> answersAt(std::string_view recordId, std::int64_t version) override {
        auto st = m_stmts.get("SELECT answers FROM record_versions WHERE record_id = ?1 AND version = ?2 UNION ALL "
                              "SELECT answers FROM records WHERE record_id = ?1 AND version = ?2");
        if (!st.ok()) return st.error();
        Stmt& q = **st;
        q.bind(1, recordId).bind(2, version);
        auto row = q.step();
        if (!row.ok()) return row.error();
        std::optional<json> out;
        if (*row) out = parseStored(q.text(0));
        q.reset();
        return out;
    }

    Result<bool> formExists(std::int64_t orgId, std::string_view formId, std::string_view version) override {
        auto st = m_stmts.get("SELECT 1 FROM forms WHERE form_id = ? AND version = ? AND org_id IN (0, ?)");
        if (!st.ok()) return st.error();
        (*st)->bind(1, formId).bind(2, version).bind(3, orgId);
        return (*st)->step();
    }

    Result<void> saveVersion(const RecordState& s, const VersionRow& v) override {
        auto taken = takeChangeSeq();
        if (!taken.ok()) return taken.error();
        const std::int64_t seq = *taken;
        const bool created = s.version == 1;
        if (!created) { // the current version joins the kept history, its list of changes spelt out
            auto keep = m_stmts.get(
                "INSERT INTO record_versions(record_id, version, status, form_version, device_id, user_name, "
                "answers, changed, created_at, edited_at) SELECT record_id, version, status, form_version, "
                "coalesce(version_device, ''), coalesce(version_user, ''), answers, "
                "coalesce(version_changed, (SELECT json_group_array(key) FROM json_each(records.answers))), "
                "coalesce(version_at, ''), coalesce(version_edited_at, '') FROM records "
                "WHERE record_id = ? AND version < ?");
            if (!keep.ok()) return keep.error();
            if (auto r = (*keep)->bind(1, s.recordId).bind(2, s.version).run(); !r.ok()) return r.error();
        }
        auto up = m_stmts.get(
            "INSERT INTO records(record_id, org_id, created_by, assigned_to, kind, form_id, form_version, status, "
            "author, version, change_seq, answers, created_device, echo_device, version_device, version_user, "
            "version_changed, version_at, version_edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?) "
            "ON CONFLICT(record_id) DO UPDATE SET form_version = excluded.form_version, status = excluded.status, "
            "kind = excluded.kind, author = excluded.author, version = excluded.version, "
            "change_seq = excluded.change_seq, answers = excluded.answers, echo_device = excluded.echo_device, "
            "version_device = excluded.version_device, version_user = excluded.version_user, "
            "version_changed = excluded.version_changed, version_at = excluded.version_at, "
            "version_edited_at = excluded.version_edited_at");
        if (!up.ok()) return up.error();
        (*up)->bind(1, s.recordId).bind(2, s.orgId).bind(3, s.createdBy);
        if (s.assignedTo)
            (*up)->bind(4, *s.assignedTo);
        else
            (*up)->bindNull(4);
        (*up)->bind(5, s.kind).bind(6, s.formId).bind(7, s.formVersion).bind(8, s.status).bind(9, s.author);
        std::string dumped;
        std::string_view answers = s.answersText;
        if (answers.empty()) answers = dumped = s.answers.dump();
        (*up)->bind(10, s.version).bind(11, seq).bind(12, answers);
        if (created)
            (*up)->bind(13, v.deviceId);
        else
            (*up)->bindNull(13);
        if (v.echoDevice.empty())
            (*up)->bindNull(14);
        else
            (*up)->bind(14, v.echoDevice);
        (*up)->bind(15, v.deviceId).bind(16, v.userName);
        std::string changed;
        if (v.changedEveryAnswer) {
            (*up)->bindNull(17);
        } else {
            sync::appendJsonStrings(changed, v.changed);
            (*up)->bind(17, changed);
        }
        (*up)->bind(18, nowIsoUtc());
        if (v.editedAt.empty())
            (*up)->bindNull(19);
        else
            (*up)->bind(19, v.editedAt);
        if (auto r = (*up)->run(); !r.ok()) return r.error();
        // The search index follows in the same transaction (schema 13).
        const SqliteSearchIndex& search = searchIndexOfOne();
        for (const std::string* sql : {&search.ids, &search.remove, &search.insert}) {
            auto st = m_stmts.get(*sql);
            if (!st.ok()) return st.error();
            if (auto r = (*st)->bind(1, s.recordId).run(); !r.ok()) return r.error();
        }

        auto field = m_stmts.get("INSERT INTO record_fields(record_id, field, value, version, device_id) "
                                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT(record_id, field) DO UPDATE SET "
                                 "value = excluded.value, version = excluded.version, device_id = excluded.device_id");
        if (!field.ok()) return field.error();
        for (const auto& name : v.changed) {
            auto it = s.fields.find(name);
            if (it == s.fields.end()) continue;
            // A new record's own answers: implied by `created_device` (loadRecordOn), no row.
            if (created && it->second.version == 1 && it->second.deviceId == v.deviceId && !it->second.value.is_null())
                continue;
            (*field)->bind(1, s.recordId).bind(2, name).bind(3, it->second.value.dump());
            (*field)->bind(4, it->second.version).bind(5, it->second.deviceId);
            if (auto r = (*field)->run(); !r.ok()) return r.error();
        }
        return {};
    }

    Result<void> addConflict(std::string_view recordId, std::string_view field,
                             const std::vector<ConflictValue>& values) override {
        auto find =
            m_db.prepare("SELECT id FROM conflicts WHERE record_id = ? AND field = ? AND resolved_version IS NULL");
        if (!find.ok()) return find.error();
        find->bind(1, recordId).bind(2, field);
        auto row = find->step();
        if (!row.ok()) return row.error();
        std::int64_t id = 0;
        std::int64_t opened = values.empty() ? 0 : values.back().version;
        if (*row) {
            id = find->integer(0);
            find->reset();
        } else {
            find->reset();
            auto ins =
                m_db.prepare("INSERT INTO conflicts(record_id, field, opened_version) VALUES (?, ?, ?) RETURNING id");
            if (!ins.ok()) return ins.error();
            ins->bind(1, recordId).bind(2, field).bind(3, opened);
            auto r = ins->step();
            if (!r.ok()) return r.error();
            id = ins->integer(0);
            ins->reset();
        }
        auto val = m_db.prepare("INSERT INTO conflict_values(conflict_id, value, device_id, version) "
                                "VALUES (?, ?, ?, ?)");
        if (!val.ok()) return val.error();
        for (const auto& v : values) {
            val->bind(1, id).bind(2, v.value.dump()).bind(3, v.deviceId).bind(4, v.version);
            if (auto r = val->run(); !r.ok()) return r.error();
        }
        return {};
    }

    Result<void> closeConflicts(std::string_view recordId, const std::vector<std::string>& fields,
                                std::int64_t version) override {
        auto st = m_db.prepare("UPDATE conflicts SET resolved_version = ? WHERE record_id = ? AND field = ? "
                               "AND resolved_version IS NULL");
        if (!st.ok()) return st.error();
        for (const auto& f : fields)
            if (auto r = st->bind(1, version).bind(2, recordId).bind(3, f).run(); !r.ok()) return r.error();
        return {};
    }

    Result<void> scrubFields(std::string_view recordId, const std::vector<std::string>& fields,
                             const std::vector<std::string>& erased, std::int64_t version) override {
        // Freed cells and pages are zeroed from here on (this connection), so the old values do not
        // linger in the file.
        if (auto r = m_db.exec("PRAGMA secure_delete = ON"); !r.ok()) return r.error();
        auto sel = m_db.prepare("SELECT version, answers FROM record_versions WHERE record_id = ?");
        if (!sel.ok()) return sel.error();
        sel->bind(1, recordId);
        std::vector<std::pair<std::int64_t, json>> rows;
        while (true) {
            auto row = sel->step();
            if (!row.ok()) return row.error();
            if (!*row) break;
            json answers = parseStored(sel->text(1));
            bool touched = false;
            for (const auto& f : fields)
                if (answers.is_object() && answers.erase(f) > 0) touched = true;
            if (touched) rows.emplace_back(sel->integer(0), std::move(answers));
        }
        sel->reset();
        auto up = m_db.prepare("UPDATE record_versions SET answers = ? WHERE record_id = ? AND version = ?");
        if (!up.ok()) return up.error();
        for (const auto& [v, answers] : rows)
            if (auto r = up->bind(1, answers.dump()).bind(2, recordId).bind(3, v).run(); !r.ok()) return r.error();
        auto values = m_db.prepare("UPDATE conflict_values SET value = 'null' WHERE conflict_id IN "
                                   "(SELECT id FROM conflicts WHERE record_id = ? AND field = ?)");
        auto meta = m_db.prepare("UPDATE record_fields SET value = 'null' WHERE record_id = ? AND field = ?");
        if (!values.ok()) return values.error();
        if (!meta.ok()) return meta.error();
        for (const auto& f : fields) {
            if (auto r = values->bind(1, recordId).bind(2, f).run(); !r.ok()) return r.error();
            if (auto r = meta->bind(1, recordId).bind(2, f).run(); !r.ok()) return r.error();
        }
        if (auto r = closeConflicts(recordId, fields, version); !r.ok()) return r;
        // A coordinator's comment may name the person: blanked too (state, reviewer and time stay).
        auto reviews = m_db.prepare("UPDATE record_reviews SET comment = '' WHERE record_id = ? AND comment <> ''");
        if (!reviews.ok()) return reviews.error();
        if (auto r = reviews->bind(1, recordId).run(); !r.ok()) return r.error();
        auto rec = m_db.prepare("UPDATE records SET erased = ? WHERE record_id = ?");
        if (!rec.ok()) return rec.error();
        return rec->bind(1, json(erased).dump()).bind(2, recordId).run();
    }

    Result<std::optional<RecordState>> findRecord(std::string_view recordId) override {
        return loadRecordOn(m_stmts, recordId, false);
    }

    Result<std::optional<User>> findUser(std::string_view name) override {
        auto st = m_stmts.get(std::string(kUserColumns) + "WHERE u.name = ?");
        if (!st.ok()) return st.error();
        (*st)->bind(1, name);
        return oneUser(**st);
    }

    Result<std::vector<RecordState>> linked(std::int64_t orgId, std::string_view formId, std::string_view field,
                                            std::string_view value) override {
        if (!plainName(formId) || !plainName(field))
            return makeError(ErrorCode::Invalid, "linked records: '" + std::string(formId) + "." + std::string(field) +
                                                     "' is not a plain name");
        std::vector<RecordState> out;
        if (value.empty()) return out;
        // The form and the path are SQL text, not parameters, so that the partial indexes (schema
        // 10) match the query.
        auto st = m_stmts.get(std::string(kRecordColumns) + "WHERE r.form_id = '" + std::string(formId) +
                              "' AND r.org_id = ? AND json_extract(r.answers, '$." + std::string(field) +
                              "') = ? ORDER BY r.change_seq");
        if (!st.ok()) return st.error();
        Stmt& q = **st;
        q.bind(1, orgId).bind(2, value);
        while (true) {
            auto row = q.step();
            if (!row.ok()) return row.error();
            if (!*row) break;
            out.push_back(readRecord(q));
        }
        q.reset();
        return out;
    }

    Result<void> assignRecord(std::string_view recordId, std::int64_t userId) override {
        auto seq = takeChangeSeq();
        if (!seq.ok()) return seq.error();
        auto st = m_stmts.get(kAssignSql);
        if (!st.ok()) return st.error();
        if (auto r = (*st)->bind(1, userId).bind(2, *seq).bind(3, recordId).run(); !r.ok()) return r.error();
        if (m_db.changes() == 0) return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
        return {};
    }

    Result<void> noteDeviceReport(std::string_view deviceId, const DeviceReport& report) override {
        auto st = m_stmts.get(kDeviceReportSql);
        if (!st.ok()) return st.error();
        Stmt& q = **st;
        q.bind(1, nowIsoUtc()).bind(2, std::int64_t{report.endOfSync ? 1 : 0});
        if (report.pending)
            q.bind(3, *report.pending);
        else
            q.bindNull(3);
        if (report.draftsBehind)
            q.bind(4, *report.draftsBehind);
        else
            q.bindNull(4);
        q.bind(5, deviceId);
        if (report.appVersion)
            q.bind(6, *report.appVersion);
        else
            q.bindNull(6);
        return q.run();
    }

private:
    // The next change sequence of this transaction (the counter is read once, written back by finish()).
    Result<std::int64_t> takeChangeSeq() {
        if (!m_nextSeq) {
            auto seq = nextChangeSeq(m_stmts, m_db);
            if (!seq.ok()) return seq.error();
            m_nextSeq = *seq;
        }
        return (*m_nextSeq)++;
    }

    Db& m_db;
    StmtCache m_stmts;
    std::optional<std::int64_t> m_nextSeq; ///< the next change sequence, once the counter was read
};

// carnet_fold(text): foldText for SQL (record search).
void sqlFold(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* text = sqlite3_value_text(argv[0]);
    if (text == nullptr) return sqlite3_result_null(ctx);
    try {
        const std::string folded = foldText(std::string_view(reinterpret_cast<const char*>(text),
                                                             static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
        auto* copy = static_cast<char*>(sqlite3_malloc64(folded.size() + 1));
        if (copy == nullptr) return sqlite3_result_error_nomem(ctx);
        std::memcpy(copy, folded.data(), folded.size() + 1);
        sqlite3_result_text64(ctx, copy, folded.size(), sqlite3_free, SQLITE_UTF8);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    }
}

// The SQL functions every connection has: carnet_fold.
void addSqlFunctions(Db& db) {
    sqlite3_create_function_v2(db.handle(), "carnet_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &sqlFold,
                               nullptr, nullptr, nullptr);
}

} // namespace

SqliteRepository::Lease::~Lease() {
    if (!m_repo) return;
    std::lock_guard lock(m_repo->m_mutex);
    if (m_repo->m_idle.size() < kMaxIdleConnections) m_repo->m_idle.push_back(std::move(m_db));
}

Result<std::unique_ptr<SqliteRepository>> SqliteRepository::open(const std::filesystem::path& file) {
    auto db = Db::open(file);
    if (!db.ok()) return db.error();
    addSqlFunctions(*db); // the migrations use them (schema 13)
    if (auto m = migrate(*db, sqliteMigrations()); !m.ok()) return m.error();
    auto checkpointDb = Db::open(file, DbOptions{.readOnly = false, .create = false});
    if (!checkpointDb.ok()) return checkpointDb.error();
    std::unique_ptr<SqliteRepository> repo(new SqliteRepository(file));
    repo->adopt(*db);
    repo->m_idle.push_back(std::move(*db));
    // The thread starts with every signal blocked: a process signal (SIGTERM: stop serving) must reach
    // the thread that waits for it, never end the process from here.
    {
        platform::SignalsBlocked blocked;
        repo->m_checkpointer = std::thread(&SqliteRepository::checkpointLoop, repo.get(), std::move(*checkpointDb));
    }
    return repo;
}

SqliteRepository::~SqliteRepository() {
    {
        std::lock_guard lock(m_checkpointMutex);
        m_stopping = true;
    }
    m_checkpointWake.notify_one();
    if (m_checkpointer.joinable()) m_checkpointer.join();
}

// SQLite's own automatic checkpoint runs inside the commit that crossed the threshold (1,000 pages),
// so one request in every few pushes paid for copying 4 MB into the database and syncing it: 12 % of
// the server's CPU in a 10,000-record push, all of it on the one writer's path. The same threshold
// now only wakes the checkpointer thread; a passive checkpoint never blocks writers or readers.
constexpr int kCheckpointPages = 1000;

void SqliteRepository::adopt(Db& db) {
    sqlite3_wal_hook(db.handle(), &SqliteRepository::onWalCommit, this); // replaces the automatic checkpoint
    addSqlFunctions(db);
}

int SqliteRepository::onWalCommit(void* repo, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) {
        auto* self = static_cast<SqliteRepository*>(repo);
        {
            std::lock_guard lock(self->m_checkpointMutex);
            self->m_checkpointDue = true;
        }
        self->m_checkpointWake.notify_one();
    }
    return SQLITE_OK;
}

void SqliteRepository::checkpointLoop(Db db) {
    while (true) {
        {
            std::unique_lock lock(m_checkpointMutex);
            m_checkpointWake.wait(lock, [&] { return m_checkpointDue || m_stopping; });
            if (m_stopping) return;
            m_checkpointDue = false;
        }
        // Best effort, as SQLite's automatic checkpoint: a busy or failed one is retried on the next
        // commit over the threshold, and the WAL keeps every commit durable meanwhile. The bulk is
        // copied beside the writers; then the few frames they committed meanwhile, with no write
        // transaction open, so that the WAL is wholly in the database and the next write starts it
        // over from the beginning (otherwise it only ever grows while pushes keep coming).
        (void)sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        std::lock_guard writing(m_writeMutex);
        (void)sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
}

Result<SqliteRepository::Lease> SqliteRepository::acquire() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_idle.empty()) {
            Db db = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(*this, std::move(db));
        }
    }
    auto db = Db::open(m_file, DbOptions{.readOnly = false, .create = false});
    if (!db.ok()) return db.error();
    adopt(*db);
    return Lease(*this, std::move(*db));
}

Result<std::int64_t> SqliteRepository::addOrg(std::string_view name) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    Db& db = lease->db();
    auto st = db.prepare("INSERT INTO orgs(name) VALUES (?) RETURNING id");
    if (!st.ok()) return st.error();
    auto row = st->bind(1, name).step();
    if (!row.ok()) {
        if (row.error().code == ErrorCode::Conflict)
            return makeError(ErrorCode::Conflict, "organisation '" + std::string(name) + "' already exists");
        return row.error();
    }
    const std::int64_t id = st->integer(0);
    st->reset();
    return id;
}

Result<std::optional<Org>> SqliteRepository::findOrg(std::string_view name) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare("SELECT id, name FROM orgs WHERE name = ?");
    if (!st.ok()) return st.error();
    auto row = st->bind(1, name).step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Org>();
    return std::optional<Org>(Org{st->integer(0), st->text(1)});
}

Result<std::vector<Org>> SqliteRepository::listOrgs() {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare("SELECT id, name FROM orgs ORDER BY id");
    if (!st.ok()) return st.error();
    std::vector<Org> out;
    for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(Org{st->integer(0), st->text(1)});
    }
    return out;
}

Result<std::int64_t> SqliteRepository::addUser(const User& user) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st =
        lease->db().prepare("INSERT INTO users(name, role, org_id, password_hash) VALUES (?, ?, ?, ?) RETURNING id");
    if (!st.ok()) return st.error();
    st->bind(1, user.name).bind(2, roleName(user.role)).bind(3, user.orgId).bind(4, user.passwordHash);
    auto row = st->step();
    if (!row.ok()) {
        if (row.error().code == ErrorCode::Conflict)
            return makeError(ErrorCode::Conflict, "user '" + user.name + "' already exists");
        return row.error();
    }
    const std::int64_t id = st->integer(0);
    st->reset();
    return id;
}

Result<std::optional<User>> SqliteRepository::findUser(std::string_view name) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string(kUserColumns) + "WHERE u.name = ?");
    if (!st.ok()) return st.error();
    st->bind(1, name);
    return oneUser(*st);
}

Result<void> SqliteRepository::addToken(std::string_view tokenHash, std::int64_t userId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st = lease->db().prepare("INSERT INTO tokens(token_hash, user_id, created_at) VALUES (?, ?, ?)");
    if (!st.ok()) return st.error();
    return st->bind(1, tokenHash).bind(2, userId).bind(3, nowIsoUtc()).run();
}

Result<std::optional<User>> SqliteRepository::useToken(std::string_view tokenHash, const TokenWindow& window) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    // A deactivated user's tokens are revoked with the deactivation; checked here too, so that none works.
    auto st = lease->db().prepare(
        "SELECT u.id, u.name, u.role, u.org_id, o.name, u.password_hash, u.disabled_at IS NOT NULL, "
        "u.must_change_password, coalesce(tu.last_used_at, t.created_at) < ?4 FROM users u "
        "JOIN orgs o ON o.id = u.org_id JOIN tokens t ON t.user_id = u.id "
        "LEFT JOIN token_uses tu ON tu.token_hash = t.token_hash WHERE t.token_hash = ?1 AND t.revoked_at IS NULL "
        "AND u.disabled_at IS NULL AND t.created_at >= ?2 AND coalesce(tu.last_used_at, t.created_at) >= ?3");
    if (!st.ok()) return st.error();
    st->bind(1, tokenHash).bind(2, window.createdFrom).bind(3, window.usedFrom).bind(4, window.touchBefore);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<User>();
    User u = readUser(*st);
    const bool touch = st->integer(8) != 0;
    st->reset();
    if (touch) {
        std::lock_guard writer(m_writeMutex); // every write queues here (see write())
        auto up = lease->db().prepare("INSERT INTO token_uses(token_hash, last_used_at) VALUES (?, ?) "
                                      "ON CONFLICT(token_hash) DO UPDATE SET last_used_at = excluded.last_used_at");
        if (!up.ok()) return up.error();
        if (auto r = up->bind(1, tokenHash).bind(2, window.now).run(); !r.ok()) return r.error();
    }
    return std::optional<User>(std::move(u));
}

Result<void> SqliteRepository::revokeToken(std::string_view tokenHash) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st = lease->db().prepare("UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL");
    if (!st.ok()) return st.error();
    return st->bind(1, nowIsoUtc()).bind(2, tokenHash).run();
}

Result<std::int64_t> SqliteRepository::registerDevice(std::string_view deviceId, std::int64_t userId,
                                                      std::string_view name) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    Db& db = lease->db();
    Tx tx(db);
    if (!tx.begun().ok()) return tx.begun().error();
    auto ins = db.prepare("INSERT INTO devices(device_id, user_id, name, registered_at) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT(device_id) DO NOTHING");
    if (!ins.ok()) return ins.error();
    if (auto r = ins->bind(1, deviceId).bind(2, userId).bind(3, name).bind(4, nowIsoUtc()).run(); !r.ok())
        return r.error();
    auto sel = db.prepare("SELECT user_id FROM devices WHERE device_id = ?");
    if (!sel.ok()) return sel.error();
    auto row = sel->bind(1, deviceId).step();
    if (!row.ok()) return row.error();
    const std::int64_t owner = *row ? sel->integer(0) : 0;
    sel->reset();
    if (auto r = tx.commit(); !r.ok()) return r.error();
    return owner;
}

Result<std::optional<std::int64_t>> SqliteRepository::deviceOwner(std::string_view deviceId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare("SELECT user_id FROM devices WHERE device_id = ?");
    if (!st.ok()) return st.error();
    auto row = st->bind(1, deviceId).step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(st->integer(0));
}

Result<void> SqliteRepository::insertForm(const FormRow& form) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st = lease->db().prepare("INSERT INTO forms(org_id, form_id, version, hash, body, published_at, "
                                  "draft_devices) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st.ok()) return st.error();
    st->bind(1, form.orgId).bind(2, form.formId).bind(3, form.version).bind(4, form.hash).bind(5, form.body);
    st->bind(6, nowIsoUtc());
    if (form.draftDevices)
        st->bind(7, json(*form.draftDevices).dump());
    else
        st->bindNull(7);
    auto r = st->run();
    if (!r.ok() && r.error().code == ErrorCode::Conflict)
        return makeError(ErrorCode::Conflict, "form " + form.formId + " " + form.version + " is already published");
    return r;
}

Result<std::optional<FormRow>> SqliteRepository::findForm(std::int64_t orgId, std::string_view formId,
                                                          std::string_view version) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    // The organisation's own version first, then the shared one.
    auto st = lease->db().prepare("SELECT form_id, version, hash, body, org_id, draft_devices FROM forms WHERE "
                                  "form_id = ?1 AND version = ?2 AND org_id IN (0, ?3) ORDER BY org_id DESC LIMIT 1");
    if (!st.ok()) return st.error();
    auto row = st->bind(1, formId).bind(2, version).bind(3, orgId).step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<FormRow>();
    FormRow out{st->text(0), st->text(1), st->text(2), st->text(3), st->integer(4)};
    if (!st->isNull(5)) out.draftDevices = stringList(parseStored(st->text(5)));
    return std::optional<FormRow>(std::move(out));
}

Result<std::vector<sync::FormRef>> SqliteRepository::listForms(std::int64_t orgId, std::string_view deviceId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string("SELECT form_id, version, hash, draft_devices FROM forms f WHERE ") +
                                  std::string(kVisibleForm) + " ORDER BY seq");
    if (!st.ok()) return st.error();
    st->bind(1, orgId);
    std::vector<sync::FormRef> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        if (!st->isNull(3) && !draftNames(stringList(parseStored(st->text(3))), deviceId)) continue;
        out.push_back(sync::FormRef{st->text(0), st->text(1), st->text(2)});
    }
    return out;
}

Result<void> SqliteRepository::setFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version,
                                            const std::optional<std::vector<std::string>>& devices) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st = lease->db().prepare(
        devices ? "UPDATE forms SET draft_devices = ?4 WHERE org_id = ?1 AND form_id = ?2 AND version = ?3 AND "
                  "draft_devices IS NOT NULL"
                : "UPDATE forms SET draft_devices = NULL, published_at = ?4 WHERE org_id = ?1 AND form_id = ?2 AND "
                  "version = ?3 AND draft_devices IS NOT NULL");
    if (!st.ok()) return st.error();
    st->bind(1, orgId).bind(2, formId).bind(3, version).bind(4, devices ? json(*devices).dump() : nowIsoUtc());
    if (auto r = st->run(); !r.ok()) return r;
    if (lease->db().changes() == 0)
        return makeError(ErrorCode::NotFound,
                         "no draft of form " + std::string(formId) + " version " + std::string(version));
    return {};
}

Result<void> SqliteRepository::deleteFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    auto st = lease->db().prepare(
        "DELETE FROM forms WHERE org_id = ?1 AND form_id = ?2 AND version = ?3 AND draft_devices IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM records r WHERE r.org_id = ?1 AND r.form_id = ?2 AND r.form_version = ?3)");
    if (!st.ok()) return st.error();
    st->bind(1, orgId).bind(2, formId).bind(3, version);
    if (auto r = st->run(); !r.ok()) return r;
    if (lease->db().changes() > 0) return {};
    auto draft = lease->db().prepare(
        "SELECT 1 FROM forms WHERE org_id = ? AND form_id = ? AND version = ? AND draft_devices IS NOT NULL");
    if (!draft.ok()) return draft.error();
    auto row = draft->bind(1, orgId).bind(2, formId).bind(3, version).step();
    if (!row.ok()) return row.error();
    if (!*row)
        return makeError(ErrorCode::NotFound,
                         "no draft of form " + std::string(formId) + " version " + std::string(version));
    return makeError(ErrorCode::Conflict, "records were written with the draft of form " + std::string(formId) +
                                              " version " + std::string(version) + "; publish it or keep it");
}

// Group commit. A write joins the queue; when no group is being committed, the thread that gets
// there first commits every queued write in one transaction, each under a savepoint (a write that
// fails is rolled back alone), then wakes their threads with their results. Writers that queued
// while a group was committing share the next one, and so share its fsync: under many devices at
// once the commits stop being one fsync per push. A write's result is given only after its group
// committed (or failed to), so no device is told "applied" before it is on disk.
struct SqliteRepository::QueuedWrite {
    const std::function<Result<void>(WriteTx&)>* body;
    std::optional<Result<void>> result;
    std::exception_ptr thrown; ///< rethrown on the writer's own thread
};

Result<void> SqliteRepository::write(const std::function<Result<void>(WriteTx&)>& body) {
    WriteInFlight counted(*this);
    QueuedWrite me{&body, std::nullopt, nullptr};
    std::unique_lock lock(m_groupMutex);
    m_queue.push_back(&me);
    m_groupDone.wait(lock, [&] { return me.result.has_value() || !m_leading; });
    if (!me.result) {
        m_leading = true;
        std::vector<QueuedWrite*> group;
        group.swap(m_queue);
        lock.unlock();
        commitGroup(group); // sets every result, under m_groupMutex
        lock.lock();
        m_leading = false;
        m_groupDone.notify_all();
    }
    if (me.thrown) std::rethrow_exception(me.thrown);
    return *me.result;
}

void SqliteRepository::commitGroup(const std::vector<QueuedWrite*>& group) {
    std::vector<Result<void>> results(group.size(), Result<void>{});
    std::vector<std::exception_ptr> thrown(group.size());
    bool committed = false;
    auto failAll = [&](const Error& e) {
        for (auto& r : results)
            if (r.ok()) r = e;
    };
    auto lease = acquire();
    if (!lease.ok()) {
        failAll(lease.error());
    } else {
        Db& db = lease->db();
        // SQLite takes one writer at a time; queueing here instead of in its busy handler (which polls
        // with sleeps) keeps 200 devices pushing at once from waiting past busy_timeout (503).
        std::lock_guard writer(m_writeMutex);
        Tx tx(db);
        if (!tx.begun().ok()) {
            failAll(tx.begun().error());
        } else {
            const bool alone = group.size() == 1;
            bool lost = false; // SQLite rolled the whole transaction back (disk full, I/O error)
            for (std::size_t i = 0; i < group.size() && !lost; ++i) {
                if (!alone)
                    if (auto r = db.exec("SAVEPOINT write"); !r.ok()) {
                        results[i] = r.error();
                        continue;
                    }
                Result<void> r{};
                try {
                    SqliteWriteTx wtx(db); // its statements are finalized before the savepoint ends
                    r = (*group[i]->body)(wtx);
                    if (r.ok()) r = wtx.finish();
                } catch (...) {
                    thrown[i] = std::current_exception();
                    r = makeError(ErrorCode::Internal, "a write threw an exception");
                }
                lost = ::sqlite3_get_autocommit(db.handle()) != 0;
                if (!lost && !alone) {
                    if (r.ok())
                        r = db.exec("RELEASE write");
                    else // undone alone; after ROLLBACK TO, RELEASE only closes the savepoint
                        lost = !db.exec("ROLLBACK TO write").ok() || !db.exec("RELEASE write").ok();
                }
                results[i] = std::move(r);
            }
            if (lost) {
                failAll(makeError(ErrorCode::Io, "the write transaction was rolled back by SQLite"));
            } else if (!alone || results[0].ok()) { // a lone failed write is rolled back by ~Tx
                if (auto c = tx.commit(); c.ok())
                    committed = true;
                else
                    failAll(c.error());
            }
        }
    }
    std::lock_guard lock(m_groupMutex);
    m_writes += group.size();
    if (committed) ++m_commits;
    for (std::size_t i = 0; i < group.size(); ++i) {
        group[i]->result = std::move(results[i]);
        group[i]->thrown = thrown[i];
    }
}

SqliteRepository::WriteStats SqliteRepository::writeStats() {
    std::lock_guard lock(m_groupMutex);
    return WriteStats{m_writes, m_commits, m_queue.size()};
}

Result<void> SqliteRepository::ping() {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    return lease->db().exec("SELECT 1 FROM orgs LIMIT 1");
}

Result<void> SqliteRepository::purgeFreedData() {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    // Rebuilt, the file keeps no freed page or cell with the erased values; the log still holds the
    // page images written before the erasure: copy back, then empty it.
    // The search index keeps a deleted text in its segments until they merge: merged first.
    if (auto r = lease->db().exec("INSERT INTO record_search(record_search) VALUES ('optimize')"); !r.ok()) return r;
    if (auto r = lease->db().exec("VACUUM"); !r.ok()) return r;
    return lease->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<ChangePage> SqliteRepository::changes(const Scope& scope, std::int64_t afterSeq, std::size_t limit,
                                             bool answersAsText, std::string_view skipEchoOf) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    Db& db = lease->db();
    // One read snapshot for the page and the counter it may move the cursor to.
    if (auto b = db.exec("BEGIN"); !b.ok()) return b.error();
    struct EndRead {
        Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } endRead{db};
    std::string sql = std::string(kRecordColumns) + "WHERE r.org_id = ?1 AND r.change_seq > ?2 ";
    if (scope.userId) sql += "AND (r.created_by = ?3 OR r.assigned_to = ?3) ";
    if (!skipEchoOf.empty()) sql += "AND (r.echo_device IS NULL OR r.echo_device <> ?4) ";
    sql += "ORDER BY r.change_seq LIMIT ?5";
    auto st = db.prepare(sql);
    if (!st.ok()) return st.error();
    st->bind(1, scope.orgId).bind(2, afterSeq);
    if (scope.userId) st->bind(3, *scope.userId);
    if (!skipEchoOf.empty()) st->bind(4, skipEchoOf);
    st->bind(5, static_cast<std::int64_t>(limit) + 1);
    ChangePage page;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        if (page.records.size() == limit) {
            page.more = true;
            break;
        }
        page.records.push_back(readRecord(*st, answersAsText));
    }
    st->reset();
    if (!page.more && !skipEchoOf.empty()) {
        auto seen = db.scalar("SELECT value FROM counters WHERE name = 'change_seq'");
        if (!seen.ok()) return seen.error();
        page.seenTo = *seen;
    }
    if (page.records.empty()) return page;
    // The page's open conflicts in one query (not one per record).
    json ids = json::array();
    std::unordered_map<std::string, RecordState*> byId;
    for (auto& r : page.records) {
        ids.push_back(r.recordId);
        byId.emplace(r.recordId, &r);
    }
    // With their values, so that a device shows both sides (docs/sync-protocol.md, "Conflicts").
    auto c = db.prepare("SELECT c.record_id, c.field, v.value, v.device_id, v.version FROM conflicts c "
                        "LEFT JOIN conflict_values v ON v.conflict_id = c.id WHERE c.resolved_version IS NULL AND "
                        "c.record_id IN (SELECT value FROM json_each(?)) ORDER BY c.record_id, c.field, v.rowid");
    if (!c.ok()) return c.error();
    c->bind(1, ids.dump());
    while (true) {
        auto row = c->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        auto it = byId.find(c->text(0));
        if (it == byId.end()) continue;
        RecordState& r = *it->second;
        const std::string field = c->text(1);
        if (r.conflicts.empty() || r.conflicts.back() != field) r.conflicts.push_back(field);
        if (c->isNull(2)) continue;
        r.conflictValues[field].push_back(
            json{{"value", parseStored(c->text(2))}, {"device_id", c->text(3)}, {"version", c->integer(4)}});
    }
    return page;
}

Result<std::optional<RecordState>> SqliteRepository::findRecord(std::string_view recordId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    StmtCache stmts(lease->db());
    return loadRecordOn(stmts, recordId, false);
}

Result<std::vector<VersionRow>> SqliteRepository::history(std::string_view recordId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    // The kept versions, then the current one (kept in `records`, schema version 6).
    auto st = lease->db().prepare(
        "SELECT version, status, form_version, device_id, user_name, answers, changed, created_at, edited_at FROM "
        "record_versions WHERE record_id = ?1 UNION ALL SELECT version, status, form_version, "
        "coalesce(version_device, ''), coalesce(version_user, ''), answers, version_changed, "
        "coalesce(version_at, ''), coalesce(version_edited_at, '') FROM records WHERE record_id = ?1 ORDER BY 1");
    if (!st.ok()) return st.error();
    st->bind(1, recordId);
    std::vector<VersionRow> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        VersionRow v;
        v.version = st->integer(0);
        v.status = st->text(1);
        v.formVersion = st->text(2);
        v.deviceId = st->text(3);
        v.userName = st->text(4);
        v.answers = parseStored(st->text(5));
        v.receivedAt = st->text(7);
        v.editedAt = st->text(8);
        if (st->isNull(6)) { // implied: every answer of a new record
            if (v.answers.is_object())
                for (const auto& [field, value] : v.answers.items())
                    v.changed.push_back(field);
        } else {
            v.changed = stringList(parseStored(st->text(6)));
        }
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<ConflictRow>> SqliteRepository::openConflicts(std::int64_t orgId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(
        "SELECT c.id, c.record_id, c.field, v.value, v.device_id, v.version FROM conflicts c "
        "JOIN records r ON r.record_id = c.record_id JOIN conflict_values v ON v.conflict_id = c.id "
        "WHERE r.org_id = ? AND c.resolved_version IS NULL ORDER BY c.id, v.rowid");
    if (!st.ok()) return st.error();
    st->bind(1, orgId);
    std::vector<ConflictRow> out;
    std::int64_t current = -1;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        if (st->integer(0) != current) {
            current = st->integer(0);
            out.push_back(ConflictRow{st->text(1), st->text(2), {}});
        }
        out.back().values.push_back(ConflictValue{parseStored(st->text(3)), st->text(4), st->integer(5)});
    }
    return out;
}

Result<void> SqliteRepository::assignRecord(std::string_view recordId, std::int64_t userId) {
    return write([&](WriteTx& tx) { return tx.assignRecord(recordId, userId); });
}

namespace {

// An FTS5 query: every term, as the start of a word ("noel"* "martin"*). Terms hold no '"'
// (searchTerms).
std::string ftsQuery(const std::vector<std::string>& terms) {
    std::string out;
    for (const auto& t : terms)
        out += (out.empty() ? "\"" : " \"") + t + "\"*";
    return out;
}

// When a listed record's interview took place (RecordListRow::interviewAt).
constexpr std::string_view kInterviewAt =
    "COALESCE(CASE WHEN json_type(r.answers, '$.end') = 'text' THEN json_extract(r.answers, '$.end') END, "
    "CASE WHEN json_type(r.answers, '$.start') = 'text' THEN json_extract(r.answers, '$.start') END, "
    "(SELECT v.created_at FROM record_versions v WHERE v.record_id = r.record_id AND v.version = 1), r.version_at)";

// The WHERE clause of a record list or count (records r joined with their creator cu), parameters
// numbered as bindRecordFilter binds them.
std::string recordFilter(const RecordQuery& q) {
    std::string sql = "WHERE r.org_id = ?1 ";
    if (q.scope.userId) sql += "AND (r.created_by = ?2 OR r.assigned_to = ?2) ";
    if (!q.formId.empty()) sql += "AND r.form_id = ?3 ";
    if (!q.status.empty()) sql += "AND r.status = ?4 ";
    if (!q.formVersion.empty()) sql += "AND r.form_version = ?13 ";
    if (!q.author.empty()) sql += "AND (cu.name = ?5 OR r.author = ?5) ";
    const std::string day = q.onInterviewDate ? "substr(" + std::string(kInterviewAt) + ", 1, 10)"
                                              : std::string("substr(r.version_at, 1, 10)");
    if (!q.fromDate.empty()) sql += "AND " + day + " >= ?6 ";
    if (!q.toDate.empty()) sql += "AND " + day + " <= ?7 ";
    if (!q.terms.empty())
        sql += "AND r.record_id IN (SELECT s.record_id FROM record_search f JOIN record_search_ids s "
               "ON s.id = f.rowid WHERE record_search MATCH ?10) ";
    if (!q.review.empty())
        sql += "AND coalesce((SELECT rv.state FROM record_reviews rv WHERE rv.record_id = r.record_id "
               "ORDER BY rv.id DESC LIMIT 1), 'received') = ?12 ";
    return sql;
}

void bindRecordFilter(Stmt& st, const RecordQuery& q) {
    st.bind(1, q.scope.orgId);
    if (q.scope.userId) st.bind(2, *q.scope.userId);
    if (!q.formId.empty()) st.bind(3, q.formId);
    if (!q.status.empty()) st.bind(4, q.status);
    if (!q.formVersion.empty()) st.bind(13, q.formVersion);
    if (!q.author.empty()) st.bind(5, q.author);
    if (!q.fromDate.empty()) st.bind(6, q.fromDate);
    if (!q.toDate.empty()) st.bind(7, q.toDate);
    if (!q.terms.empty()) st.bind(10, ftsQuery(q.terms));
    if (!q.review.empty()) st.bind(12, q.review);
}

} // namespace

Result<std::int64_t> SqliteRepository::countRecords(const RecordQuery& q) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st =
        lease->db().prepare("SELECT COUNT(*) FROM records r JOIN users cu ON cu.id = r.created_by " + recordFilter(q));
    if (!st.ok()) return st.error();
    bindRecordFilter(*st, q);
    auto row = st->step();
    if (!row.ok()) return row.error();
    const std::int64_t n = *row ? st->integer(0) : 0;
    st->reset();
    return n;
}

Result<std::vector<RecordListRow>> SqliteRepository::listRecords(const RecordQuery& q, bool& more) {
    more = false;
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    Db& db = lease->db();
    std::string sql = std::string(kRecordColumns.substr(0, kRecordColumns.find(" FROM "))) +
                      ", r.version_at, cu.name, " + std::string(kInterviewAt) +
                      " AS interview_at FROM records r JOIN orgs o ON o.id = r.org_id "
                      "JOIN users cu ON cu.id = r.created_by " +
                      recordFilter(q);
    const std::string dir = q.newestFirst ? " DESC" : "";
    if (q.order == RecordOrder::Change) {
        if (q.cursor > 0) sql += q.newestFirst ? "AND r.change_seq < ?8 " : "AND r.change_seq > ?8 ";
        sql += "ORDER BY r.change_seq" + dir + " LIMIT ?9";
    } else {
        sql += "ORDER BY interview_at" + dir + ", r.change_seq" + dir + " LIMIT ?9 OFFSET ?11";
    }
    auto st = db.prepare(sql);
    if (!st.ok()) return st.error();
    bindRecordFilter(*st, q);
    if (q.order == RecordOrder::Change && q.cursor > 0) st->bind(8, q.cursor);
    if (q.order != RecordOrder::Change) st->bind(11, static_cast<std::int64_t>(q.offset));
    st->bind(9, static_cast<std::int64_t>(q.limit) + 1);
    std::vector<RecordListRow> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        if (out.size() == q.limit) {
            more = true;
            break;
        }
        // The extra columns follow the record's own (kRecordColumnCount of them).
        RecordListRow r{readRecord(*st), st->isNull(kRecordColumnCount) ? std::string() : st->text(kRecordColumnCount),
                        st->text(kRecordColumnCount + 1),
                        st->isNull(kRecordColumnCount + 2) ? std::string() : st->text(kRecordColumnCount + 2)};
        out.push_back(std::move(r));
    }
    st->reset();
    if (!q.withConflicts) return out;
    StmtCache stmts(db);
    for (auto& r : out) {
        auto c = openConflictFields(stmts, r.record.recordId);
        if (!c.ok()) return c.error();
        r.record.conflicts = std::move(*c);
    }
    return out;
}

Result<std::vector<User>> SqliteRepository::listUsers(std::int64_t orgId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    // The last activity: the latest use of any of the user's tokens (a login counts as a use).
    auto st = lease->db().prepare(
        "SELECT u.id, u.name, u.role, u.org_id, o.name, '', u.disabled_at IS NOT NULL, u.must_change_password, "
        "(SELECT max(coalesce(tu.last_used_at, t.created_at)) FROM tokens t LEFT JOIN token_uses tu "
        "ON tu.token_hash = t.token_hash WHERE t.user_id = u.id) FROM users u JOIN orgs o ON o.id = u.org_id "
        "WHERE u.org_id = ? ORDER BY u.name");
    if (!st.ok()) return st.error();
    st->bind(1, orgId);
    std::vector<User> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(readUser(*st));
        if (!st->isNull(8)) out.back().lastActive = st->text(8);
    }
    return out;
}

Result<void> SqliteRepository::updateUser(std::int64_t userId, const UserChange& change) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    Db& db = lease->db();
    Tx tx(db);
    if (!tx.begun().ok()) return tx.begun().error();
    auto exists = db.prepare("SELECT 1 FROM users WHERE id = ?");
    if (!exists.ok()) return exists.error();
    auto row = exists->bind(1, userId).step();
    if (!row.ok()) return row.error();
    if (!*row) return makeError(ErrorCode::NotFound, "no user " + std::to_string(userId));
    exists->reset();
    const std::string now = nowIsoUtc();
    if (change.role) {
        auto st = db.prepare("UPDATE users SET role = ? WHERE id = ?");
        if (!st.ok()) return st.error();
        if (auto r = st->bind(1, roleName(*change.role)).bind(2, userId).run(); !r.ok()) return r.error();
    }
    if (change.passwordHash) {
        auto st = db.prepare("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?");
        if (!st.ok()) return st.error();
        st->bind(1, *change.passwordHash).bind(2, std::int64_t{change.mustChangePassword ? 1 : 0}).bind(3, userId);
        if (auto r = st->run(); !r.ok()) return r.error();
    }
    if (change.disabled) {
        auto st = db.prepare("UPDATE users SET disabled_at = CASE WHEN ?1 THEN coalesce(disabled_at, ?2) END "
                             "WHERE id = ?3");
        if (!st.ok()) return st.error();
        st->bind(1, std::int64_t{*change.disabled ? 1 : 0}).bind(2, now).bind(3, userId);
        if (auto r = st->run(); !r.ok()) return r.error();
    }
    if (change.revokeTokens) {
        auto st = db.prepare("UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
        if (!st.ok()) return st.error();
        if (auto r = st->bind(1, now).bind(2, userId).run(); !r.ok()) return r.error();
    }
    return tx.commit();
}

namespace {

constexpr std::string_view kDeviceColumns =
    "SELECT d.device_id, d.name, u.name, d.registered_at, d.last_seen, d.last_sync, d.pending, d.drafts_behind, "
    "d.user_id, u.org_id, d.app_version, d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id ";

DeviceRow readDevice(const Stmt& st) {
    DeviceRow d;
    d.deviceId = st.text(0);
    d.name = st.text(1);
    d.userName = st.text(2);
    d.registeredAt = st.text(3);
    if (!st.isNull(4)) d.lastSeen = st.text(4);
    if (!st.isNull(5)) d.lastSync = st.text(5);
    if (!st.isNull(6)) d.pending = st.integer(6);
    if (!st.isNull(7)) d.draftsBehind = st.integer(7);
    d.userId = st.integer(8);
    d.orgId = st.integer(9);
    if (!st.isNull(10)) d.appVersion = st.text(10);
    if (!st.isNull(11)) d.revokedAt = st.text(11);
    return d;
}

} // namespace

Result<std::optional<DeviceRow>> SqliteRepository::findDevice(std::string_view deviceId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string(kDeviceColumns) + "WHERE d.device_id = ?");
    if (!st.ok()) return st.error();
    auto row = st->bind(1, deviceId).step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<DeviceRow>();
    DeviceRow d = readDevice(*st);
    st->reset();
    return std::optional<DeviceRow>(std::move(d));
}

Result<void> SqliteRepository::updateDevice(std::string_view deviceId, const DeviceChange& change) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    Db& db = lease->db();
    Tx tx(db);
    if (!tx.begun().ok()) return tx.begun().error();
    auto st = db.prepare("UPDATE devices SET name = coalesce(?1, name), revoked_at = CASE WHEN ?2 THEN "
                         "coalesce(revoked_at, ?3) ELSE revoked_at END WHERE device_id = ?4 RETURNING 1");
    if (!st.ok()) return st.error();
    if (change.name)
        st->bind(1, *change.name);
    else
        st->bindNull(1);
    st->bind(2, std::int64_t{change.revoke ? 1 : 0}).bind(3, nowIsoUtc()).bind(4, deviceId);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return makeError(ErrorCode::NotFound, "no device " + std::string(deviceId));
    st->reset();
    return tx.commit();
}

Result<std::vector<DeviceRow>> SqliteRepository::listDevices(std::int64_t orgId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string(kDeviceColumns) + "WHERE u.org_id = ? ORDER BY u.name, d.device_id");
    if (!st.ok()) return st.error();
    st->bind(1, orgId);
    std::vector<DeviceRow> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(readDevice(*st));
    }
    return out;
}

Result<void> SqliteRepository::noteDeviceReport(std::string_view deviceId, const DeviceReport& report) {
    return write([&](WriteTx& tx) { return tx.noteDeviceReport(deviceId, report); });
}

Result<std::vector<std::int64_t>> SqliteRepository::orgsReferencing(std::string_view text) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare("SELECT DISTINCT org_id FROM records WHERE instr(answers, ?) > 0 ORDER BY org_id");
    if (!st.ok()) return st.error();
    st->bind(1, text);
    std::vector<std::int64_t> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(st->integer(0));
    }
    return out;
}

Result<std::vector<FormListRow>> SqliteRepository::listFormRows(std::int64_t orgId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st =
        lease->db().prepare(std::string("SELECT form_id, version, hash, published_at, org_id, draft_devices FROM forms "
                                        "f WHERE ") +
                            std::string(kVisibleForm) + " ORDER BY seq");
    if (!st.ok()) return st.error();
    st->bind(1, orgId);
    std::vector<FormListRow> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        FormListRow f{st->text(0), st->text(1), st->text(2), st->text(3), st->integer(4)};
        if (!st->isNull(5)) f.draftDevices = stringList(parseStored(st->text(5)));
        out.push_back(std::move(f));
    }
    return out;
}

namespace {

constexpr std::string_view kReviewColumns =
    "SELECT record_id, state, comment, user_name, version, created_at FROM record_reviews ";

ReviewRow readReview(Stmt& st) {
    return ReviewRow{st.text(0), st.text(1), st.text(2), st.text(3), st.integer(4), st.text(5)};
}

} // namespace

Result<ReviewRow> SqliteRepository::addReview(const ReviewRow& review) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    std::lock_guard writer(m_writeMutex); // every write queues here (see write())
    Db& db = lease->db();
    ReviewRow out = review;
    out.at = nowIsoUtc();
    // Only an existing record is reviewed (the foreign key is not enforced on every connection).
    auto st = db.prepare("INSERT INTO record_reviews(record_id, state, comment, user_name, version, created_at) "
                         "SELECT record_id, ?2, ?3, ?4, ?5, ?6 FROM records WHERE record_id = ?1 RETURNING id");
    if (!st.ok()) return st.error();
    st->bind(1, review.recordId)
        .bind(2, review.state)
        .bind(3, review.comment)
        .bind(4, review.userName)
        .bind(5, review.version)
        .bind(6, out.at);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return makeError(ErrorCode::NotFound, "no record " + review.recordId);
    st->reset();
    return out;
}

Result<std::vector<ReviewRow>> SqliteRepository::reviews(std::string_view recordId) {
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string(kReviewColumns) + "WHERE record_id = ? ORDER BY id");
    if (!st.ok()) return st.error();
    st->bind(1, recordId);
    std::vector<ReviewRow> out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(readReview(*st));
    }
    return out;
}

Result<std::map<std::string, ReviewRow>> SqliteRepository::latestReviews(const std::vector<std::string>& recordIds) {
    std::map<std::string, ReviewRow> out;
    if (recordIds.empty()) return out;
    auto lease = acquire();
    if (!lease.ok()) return lease.error();
    auto st = lease->db().prepare(std::string(kReviewColumns) +
                                  "WHERE id IN (SELECT max(id) FROM record_reviews WHERE record_id IN "
                                  "(SELECT value FROM json_each(?)) GROUP BY record_id)");
    if (!st.ok()) return st.error();
    st->bind(1, nlohmann::json(recordIds).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        ReviewRow r = readReview(*st);
        out.emplace(r.recordId, std::move(r));
    }
    return out;
}

} // namespace carnet::server
