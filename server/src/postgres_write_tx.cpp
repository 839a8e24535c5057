#include "core/ids.hpp"
#include "core/strings.hpp"
#include "postgres_common.hpp"
#include "sync/protocol.hpp"

#include <algorithm>

namespace carnet::server::pgrepo {

using nlohmann::json;

namespace {

// Transaction-level advisory lock classes (pg_advisory_xact_lock(class, key)), released at commit.
constexpr int kRecordLock = 1; ///< a record id: writers of one record (also one not created yet) take turns
constexpr int kDeviceLock = 2; ///< a device id: one push of a device at a time, across processes

// A form id or field name that may be written into SQL text ([A-Za-z0-9_], at most 64 bytes).
bool plainName(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

} // namespace

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

RecordState readRecord(const pg::Rows& rows, int i, bool answersAsText) {
    RecordState r;
    r.recordId = rows.text(i, 0);
    r.orgId = rows.integer(i, 1);
    r.orgName = rows.text(i, 2);
    r.createdBy = rows.integer(i, 3);
    if (!rows.isNull(i, 4)) r.assignedTo = rows.integer(i, 4);
    r.kind = rows.text(i, 5);
    r.formId = rows.text(i, 6);
    r.formVersion = rows.text(i, 7);
    r.status = rows.text(i, 8);
    r.author = rows.text(i, 9);
    r.version = rows.integer(i, 10);
    r.changeSeq = rows.integer(i, 11);
    if (answersAsText) {
        r.answersText = rows.text(i, 12);
    } else {
        r.answers = parseStored(rows.text(i, 12));
        if (!r.answers.is_object()) r.answers = json::object();
    }
    r.erased = stringList(parseStored(rows.text(i, 13)));
    if (!rows.isNull(i, 14)) r.createdDevice = rows.text(i, 14);
    if (!rows.isNull(i, 15)) r.echoDevice = rows.text(i, 15);
    return r;
}

User readUser(const pg::Rows& rows, int i) {
    User u;
    u.id = rows.integer(i, 0);
    u.name = rows.text(i, 1);
    u.role = parseRole(rows.text(i, 2)).value_or(Role::Ambassador);
    u.orgId = rows.integer(i, 3);
    u.orgName = rows.text(i, 4);
    u.passwordHash = rows.text(i, 5);
    u.disabled = rows.text(i, 6) == "t";
    u.mustChangePassword = rows.integer(i, 7) != 0;
    return u;
}

Result<std::optional<RecordState>> loadRecord(pg::Conn& conn, std::string_view recordId, bool withFields, bool lock) {
    // PostgreSQL refuses text that is not UTF-8 (SQLite compares bytes): no stored record has such an id.
    if (invalidUtf8At(recordId) != std::string_view::npos) return std::optional<RecordState>();
    if (lock) {
        // The advisory lock also covers a record that does not exist yet (two first versions of one
        // record pushed at once); the row lock is what any other writer of the row waits on.
        if (auto l = conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", {kRecordLock, recordId}); !l.ok())
            return l.error();
    }
    auto rows = conn.exec(std::string(kRecordColumns) + "WHERE r.record_id = $1" + (lock ? " FOR UPDATE OF r" : ""),
                          {recordId});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<RecordState>();
    RecordState r = readRecord(*rows, 0);
    auto c = conn.exec("SELECT field FROM conflicts WHERE record_id = $1 AND resolved_version IS NULL ORDER BY field",
                       {recordId});
    if (!c.ok()) return c.error();
    for (int i = 0; i < c->size(); ++i)
        r.conflicts.push_back(c->text(i, 0));
    if (withFields) {
        auto f =
            conn.exec("SELECT field, value, version, device_id FROM record_fields WHERE record_id = $1", {recordId});
        if (!f.ok()) return f.error();
        for (int i = 0; i < f->size(); ++i)
            r.fields[f->text(i, 0)] = FieldMeta{parseStored(f->text(i, 1)), f->integer(i, 2), f->text(i, 3)};
        // Fields the record was created with and never written since have no row (schema 4).
        if (!r.createdDevice.empty())
            for (const auto& [name, value] : r.answers.items())
                if (!r.fields.contains(name)) r.fields.emplace(name, FieldMeta{value, 1, r.createdDevice});
    }
    return std::optional<RecordState>(std::move(r));
}

void PgWriteTx::touched(std::string_view recordId) {
    auto it = std::find(m_touched.begin(), m_touched.end(), recordId);
    if (it != m_touched.end()) m_touched.erase(it);
    m_touched.emplace_back(recordId);
}

Result<void> PgWriteTx::finish() {
    if (m_touched.empty()) return {};
    // The counter's row lock is held from here to the commit: the next transaction takes its numbers
    // only once this one is committed, so sequence order is commit order (docs/architecture.md).
    const auto n = static_cast<std::int64_t>(m_touched.size());
    auto last = m_conn.exec("UPDATE counters SET value = value + $1 WHERE name = 'change_seq' RETURNING value", {n});
    if (!last.ok()) return last.error();
    if (last->empty()) return makeError(ErrorCode::Internal, "postgresql: change sequence counter is missing");
    const std::int64_t first = last->integer(0, 0) - n + 1;
    return m_conn.run("UPDATE records r SET change_seq = $2::bigint + t.n - 1 FROM "
                      "json_array_elements_text($1::json) WITH ORDINALITY AS t(id, n) WHERE r.record_id = t.id",
                      {json(m_touched).dump(), first});
}

Result<std::map<std::int64_t, json>> PgWriteTx::storedResults(std::string_view deviceId, std::int64_t fromSeq,
                                                              std::int64_t toSeq) {
    // A retry that lands on another process waits here for the first try to commit, then finds its
    // results (exactly once); the unique index on (device, last seq) backs this up.
    if (auto l = m_conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", {kDeviceLock, deviceId}); !l.ok())
        return l.error();
    auto rows =
        m_conn.exec("SELECT results FROM applied_batches WHERE device_id = $1 AND last_seq >= $2 AND first_seq <= $3",
                    {deviceId, fromSeq, toSeq});
    if (!rows.ok()) return rows.error();
    std::map<std::int64_t, json> out;
    for (int i = 0; i < rows->size(); ++i) {
        json results = parseStored(rows->text(i, 0));
        if (!results.is_array()) continue;
        for (auto& r : results) {
            const auto seq = r.is_object() ? r.value("seq", std::int64_t{0}) : 0;
            if (seq >= fromSeq && seq <= toSeq) out.emplace(seq, std::move(r));
        }
    }
    return out;
}

Result<void> PgWriteTx::storeResults(std::string_view deviceId, std::int64_t firstSeq, std::int64_t lastSeq,
                                     std::string_view resultsJson) {
    auto r = m_conn.run("INSERT INTO applied_batches(device_id, first_seq, last_seq, results) VALUES ($1, $2, $3, $4)",
                        {deviceId, firstSeq, lastSeq, resultsJson});
    if (!r.ok() && r.error().code == ErrorCode::Conflict)
        return makeError(ErrorCode::Busy,
                         "push of device " + std::string(deviceId) + " up to " + std::to_string(lastSeq) +
                             " was stored by another request meanwhile; retry to get its results",
                         true);
    return r;
}

Result<std::optional<RecordState>> PgWriteTx::loadRecord(std::string_view recordId) {
    return pgrepo::loadRecord(m_conn, recordId, true, true);
}

Result<std::optional<json>> PgWriteTx::answersAt(std::string_view recordId, std::int64_t version) {
    auto rows = m_conn.exec("SELECT answers FROM record_versions WHERE record_id = $1 AND version = $2 UNION ALL "
                            "SELECT answers FROM records WHERE record_id = $1 AND version = $2",
                            {recordId, version});
    if (!rows.ok()) return rows.error();
    std::optional<json> out;
    if (!rows->empty()) out = parseStored(rows->text(0, 0));
    return out;
}

Result<bool> PgWriteTx::formExists(std::int64_t orgId, std::string_view formId, std::string_view version) {
    auto rows = m_conn.exec("SELECT 1 FROM forms WHERE form_id = $1 AND version = $2 AND org_id IN (0, $3)",
                            {formId, version, orgId});
    if (!rows.ok()) return rows.error();
    return !rows->empty();
}

Result<void> PgWriteTx::saveVersion(const RecordState& s, const VersionRow& v) {
    const bool created = s.version == 1;
    if (!created) { // the current version joins the kept history, its list of changes spelt out
        auto keep = m_conn.run(
            "INSERT INTO record_versions(record_id, version, status, form_version, device_id, user_name, answers, "
            "changed, created_at, edited_at) SELECT record_id, version, status, form_version, "
            "coalesce(version_device, ''), coalesce(version_user, ''), answers, coalesce(version_changed, "
            "(SELECT coalesce(json_agg(k), '[]')::text FROM json_object_keys(records.answers::json) k)), "
            "coalesce(version_at, ''), coalesce(version_edited_at, '') FROM records "
            "WHERE record_id = $1 AND version < $2",
            {s.recordId, s.version});
        if (!keep.ok()) return keep;
    }
    std::string changed;
    if (!v.changedEveryAnswer) sync::appendJsonStrings(changed, v.changed);
    const std::string answers = s.answersText.empty() ? s.answers.dump() : s.answersText;
    // A placeholder change sequence (negative, unique) until finish().
    auto up = m_conn.run(
        "INSERT INTO records(record_id, org_id, created_by, assigned_to, kind, form_id, form_version, status, author, "
        "version, change_seq, answers, created_device, echo_device, version_device, version_user, version_changed, "
        "version_at, version_edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "-nextval('change_placeholders'), $11, $12, $13, $14, $15, $16, $17, $18) "
        "ON CONFLICT(record_id) DO UPDATE SET form_version = excluded.form_version, "
        "status = excluded.status, kind = excluded.kind, author = excluded.author, version = excluded.version, "
        "change_seq = excluded.change_seq, answers = excluded.answers, echo_device = excluded.echo_device, "
        "version_device = excluded.version_device, version_user = excluded.version_user, "
        "version_changed = excluded.version_changed, version_at = excluded.version_at, "
        "version_edited_at = excluded.version_edited_at",
        {s.recordId, s.orgId, s.createdBy, s.assignedTo, s.kind, s.formId, s.formVersion, s.status, s.author, s.version,
         answers, created ? pg::Param(v.deviceId) : pg::Param(std::nullopt),
         v.echoDevice.empty() ? pg::Param(std::nullopt) : pg::Param(v.echoDevice), v.deviceId, v.userName,
         v.changedEveryAnswer ? pg::Param(std::nullopt) : pg::Param(changed), nowIsoUtc(),
         v.editedAt.empty() ? pg::Param(std::nullopt) : pg::Param(v.editedAt)});
    if (!up.ok()) return up;
    touched(s.recordId);
    for (const auto& name : v.changed) {
        auto it = s.fields.find(name);
        if (it == s.fields.end()) continue;
        // A new record's own answers: implied by `created_device` (loadRecord), no row.
        if (created && it->second.version == 1 && it->second.deviceId == v.deviceId && !it->second.value.is_null())
            continue;
        auto f = m_conn.run("INSERT INTO record_fields(record_id, field, value, version, device_id) "
                            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT(record_id, field) DO UPDATE SET "
                            "value = excluded.value, version = excluded.version, device_id = excluded.device_id",
                            {s.recordId, name, it->second.value.dump(), it->second.version, it->second.deviceId});
        if (!f.ok()) return f;
    }
    return {};
}

Result<void> PgWriteTx::addConflict(std::string_view recordId, std::string_view field,
                                    const std::vector<ConflictValue>& values) {
    auto find = m_conn.exec("SELECT id FROM conflicts WHERE record_id = $1 AND field = $2 AND resolved_version IS NULL",
                            {recordId, field});
    if (!find.ok()) return find.error();
    std::int64_t id = 0;
    if (!find->empty()) {
        id = find->integer(0, 0);
    } else {
        const std::int64_t opened = values.empty() ? 0 : values.back().version;
        auto ins =
            m_conn.exec("INSERT INTO conflicts(record_id, field, opened_version) VALUES ($1, $2, $3) RETURNING id",
                        {recordId, field, opened});
        if (!ins.ok()) return ins.error();
        id = ins->integer(0, 0);
    }
    for (const auto& v : values)
        if (auto r = m_conn.run("INSERT INTO conflict_values(conflict_id, value, device_id, version) "
                                "VALUES ($1, $2, $3, $4)",
                                {id, v.value.dump(), v.deviceId, v.version});
            !r.ok())
            return r;
    return {};
}

Result<void> PgWriteTx::closeConflicts(std::string_view recordId, const std::vector<std::string>& fields,
                                       std::int64_t version) {
    for (const auto& f : fields)
        if (auto r = m_conn.run("UPDATE conflicts SET resolved_version = $1 WHERE record_id = $2 AND field = $3 "
                                "AND resolved_version IS NULL",
                                {version, recordId, f});
            !r.ok())
            return r;
    return {};
}

Result<void> PgWriteTx::scrubFields(std::string_view recordId, const std::vector<std::string>& fields,
                                    const std::vector<std::string>& erased, std::int64_t version) {
    auto rows = m_conn.exec("SELECT version, answers FROM record_versions WHERE record_id = $1", {recordId});
    if (!rows.ok()) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
        json answers = parseStored(rows->text(i, 1));
        bool touchedRow = false;
        for (const auto& f : fields)
            if (answers.is_object() && answers.erase(f) > 0) touchedRow = true;
        if (!touchedRow) continue;
        if (auto r = m_conn.run("UPDATE record_versions SET answers = $1 WHERE record_id = $2 AND version = $3",
                                {answers.dump(), recordId, rows->integer(i, 0)});
            !r.ok())
            return r;
    }
    for (const auto& f : fields) {
        if (auto r = m_conn.run("UPDATE conflict_values SET value = 'null' WHERE conflict_id IN "
                                "(SELECT id FROM conflicts WHERE record_id = $1 AND field = $2)",
                                {recordId, f});
            !r.ok())
            return r;
        if (auto r = m_conn.run("UPDATE record_fields SET value = 'null' WHERE record_id = $1 AND field = $2",
                                {recordId, f});
            !r.ok())
            return r;
    }
    if (auto r = closeConflicts(recordId, fields, version); !r.ok()) return r;
    // A coordinator's comment may name the person: blanked too (state, reviewer and time stay).
    if (auto r =
            m_conn.run("UPDATE record_reviews SET comment = '' WHERE record_id = $1 AND comment <> ''", {recordId});
        !r.ok())
        return r;
    return m_conn.run("UPDATE records SET erased = $1 WHERE record_id = $2", {json(erased).dump(), recordId});
}

Result<std::optional<RecordState>> PgWriteTx::findRecord(std::string_view recordId) {
    return pgrepo::loadRecord(m_conn, recordId, false, false);
}

Result<std::optional<User>> PgWriteTx::findUser(std::string_view name) {
    auto rows = m_conn.exec(std::string(kUserColumns) + "WHERE u.name = $1", {name});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<User>();
    return std::optional<User>(readUser(*rows, 0));
}

Result<std::vector<RecordState>> PgWriteTx::linked(std::int64_t orgId, std::string_view formId, std::string_view field,
                                                   std::string_view value) {
    if (!plainName(formId) || !plainName(field))
        return makeError(ErrorCode::Invalid, "linked records: '" + std::string(formId) + "." + std::string(field) +
                                                 "' is not a plain name");
    std::vector<RecordState> out;
    if (value.empty()) return out;
    // The form and the key are SQL text, not parameters, so that the partial expression indexes
    // (schema 10, 11) match the query.
    auto rows = m_conn.exec(std::string(kRecordColumns) + "WHERE r.form_id = '" + std::string(formId) +
                                "' AND r.org_id = $1 AND ((r.answers::jsonb) ->> '" + std::string(field) +
                                "') = $2 ORDER BY r.change_seq",
                            {orgId, value});
    if (!rows.ok()) return rows.error();
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(readRecord(*rows, i));
    return out;
}

Result<void> PgWriteTx::assignRecord(std::string_view recordId, std::int64_t userId) {
    auto r = m_conn.exec("UPDATE records SET assigned_to = $1, change_seq = -nextval('change_placeholders'), "
                         "echo_device = NULL WHERE record_id = $2",
                         {userId, recordId});
    if (!r.ok()) return r.error();
    if (r->affected() == 0) return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
    touched(recordId);
    return {};
}

Result<void> PgWriteTx::noteDeviceReport(std::string_view deviceId, const DeviceReport& report) {
    return m_conn.run(
        "UPDATE devices SET last_seen = $1, last_sync = CASE WHEN $2::boolean THEN $1 ELSE last_sync END, "
        "pending = coalesce($3::bigint, pending), drafts_behind = coalesce($4::bigint, drafts_behind), "
        "app_version = coalesce($6::text, app_version) WHERE device_id = $5",
        {nowIsoUtc(), report.endOfSync, report.pending, report.draftsBehind, deviceId,
         report.appVersion ? pg::Param(*report.appVersion) : pg::Param(std::nullopt)});
}

} // namespace carnet::server::pgrepo
