#include "store/store.hpp"

#include "core/i18n.hpp"
#include "core/ids.hpp"
#include "core/json_text.hpp"
#include "core/platform.hpp"
#include "forms/bundle.hpp"
#include "forms/media.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace carnet::store {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kApplicationId = 0x43524E54; // "CRNT"

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE forms(
  form_id TEXT NOT NULL, version TEXT NOT NULL, hash TEXT NOT NULL, definition TEXT NOT NULL,
  installed_at TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY(form_id, version));
CREATE TABLE records(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, form_id TEXT NOT NULL, form_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('draft', 'finalized')), answers TEXT NOT NULL, author TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, server_version INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY(form_id, form_version) REFERENCES forms(form_id, version));
CREATE INDEX records_by_status ON records(status, updated_at);
CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL REFERENCES records(id),
  base_version INTEGER NOT NULL, op TEXT NOT NULL, changes TEXT NOT NULL, created_at TEXT NOT NULL);
)sql"},
    {2, R"sql(
ALTER TABLE records ADD COLUMN migration_note TEXT NOT NULL DEFAULT '';
CREATE TABLE attachments(hash TEXT PRIMARY KEY, size INTEGER NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX outbox_by_record ON outbox(record_id);
)sql"},
    {3, R"sql(
ALTER TABLE outbox ADD COLUMN rejected TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN conflicts TEXT NOT NULL DEFAULT '[]';
)sql"},
    {4, R"sql(
ALTER TABLE records ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN erased TEXT NOT NULL DEFAULT '[]';
ALTER TABLE attachments ADD COLUMN upload TEXT NOT NULL DEFAULT '';
)sql"},
    {5, R"sql(
ALTER TABLE outbox ADD COLUMN held_code TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN held_retry INTEGER NOT NULL DEFAULT 1;
)sql"},
    // The field workflows' links (docs/field-model.md): a person's consents and call tasks, the duplicates
    // merged into a person, a building's dwellings. Link values are record ids, never sealed.
    {6, R"sql(
CREATE INDEX records_by_person ON records(form_id, json_extract(answers, '$.person_id'));
CREATE INDEX records_by_merged ON records(form_id, json_extract(answers, '$.fusionne_dans'));
CREATE INDEX records_by_building ON records(form_id, json_extract(answers, '$.building_id'));
)sql"},
    // The values of each open conflict, as pulled (sealed whole in an encrypted store).
    {7, R"sql(
ALTER TABLE records ADD COLUMN conflict_values TEXT NOT NULL DEFAULT '{}';
)sql"},
    // Outbox compaction (docs/architecture.md, "Outbox"): each entry's last edit time, and the mark of what
    // was sent. Entries queued before may have gone in a push whose answer never came: never merged into.
    {8, R"sql(
ALTER TABLE outbox ADD COLUMN edited_at TEXT NOT NULL DEFAULT '';
UPDATE outbox SET edited_at = created_at;
INSERT INTO meta(key, value) SELECT 'outbox.sent_through', CAST(coalesce(max(seq), 0) AS TEXT) FROM outbox
  WHERE true ON CONFLICT(key) DO UPDATE SET value = excluded.value;
)sql"},
};

constexpr std::string_view kSentThrough = "outbox.sent_through";

std::string sha256Hex(std::string_view data) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data());
}

// Top-level fields whose value differs (a repeat is one field); removed fields map to null.
json changedFields(const json& before, const json& after) {
    json out = json::object();
    for (const auto& [k, v] : after.items())
        if (!before.contains(k) || before[k] != v) out[k] = v;
    for (const auto& [k, v] : before.items())
        if (!after.contains(k)) out[k] = nullptr;
    return out;
}

// An edit's outbox changes merged into the unsent entry before it (same record, same base version):
// the merged op and changes, or nullopt when the two do not make one mutation. A create takes the
// fields (a removed answer is one it never had) and a finalize's status (docs/sync-protocol.md); a set
// takes later sets and a finalize (becoming that finalize); a migrate takes later sets.
std::optional<std::pair<std::string, json>> compactChanges(std::string_view tailOp, json tail, std::string_view op,
                                                           const json& changes) {
    const bool fits = (op == "set" && (tailOp == "create" || tailOp == "set" || tailOp == "migrate")) ||
                      (op == "finalize" && (tailOp == "create" || tailOp == "set"));
    if (!fits || !tail.is_object() || !changes.is_object()) return std::nullopt;
    json& fields = tail["fields"];
    if (fields.is_null()) fields = json::object();
    if (!fields.is_object()) return std::nullopt;
    if (auto f = changes.find("fields"); f != changes.end() && f->is_object())
        for (const auto& [k, v] : f->items()) {
            if (tailOp == "create" && v.is_null())
                fields.erase(k);
            else
                fields[k] = v;
        }
    if (op == "finalize") tail["status"] = changes.value("status", std::string("finalized"));
    const std::string merged = tailOp == "set" ? std::string(op) : std::string(tailOp);
    return std::make_pair(merged, std::move(tail));
}

// Orders form versions ("2026.11.2" < "2026.12.9" < "2026.12.10"): dot- or dash-separated parts,
// numeric parts compared as numbers, others as text; a prefix is older.
int compareVersions(std::string_view a, std::string_view b) {
    auto next = [](std::string_view& v) {
        const auto at = v.find_first_of(".-");
        std::string_view part = v.substr(0, at);
        v = at == std::string_view::npos ? std::string_view{} : v.substr(at + 1);
        return part;
    };
    auto numeric = [](std::string_view p) {
        return !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    while (!a.empty() || !b.empty()) {
        if (a.empty()) return -1;
        if (b.empty()) return 1;
        std::string_view pa = next(a), pb = next(b);
        if (numeric(pa) && numeric(pb)) {
            while (pa.size() > 1 && pa.front() == '0')
                pa.remove_prefix(1);
            while (pb.size() > 1 && pb.front() == '0')
                pb.remove_prefix(1);
            if (pa.size() != pb.size()) return pa.size() < pb.size() ? -1 : 1;
        }
        if (const int c = pa.compare(pb); c != 0) return c < 0 ? -1 : 1;
    }
    return 0;
}

// `target` only ever holds a complete file, on the disk before a row names it; messages translated.
Result<void> writeFileDurably(const fs::path& target, std::string_view data, const fs::path& dataDir, Lang lang) {
    auto w = platform::writeFileDurably(target, data);
    if (w.ok()) return {};
    if (w.error().code == ErrorCode::NoSpace)
        return makeError(ErrorCode::NoSpace, tr("store.disk_full", lang, {dataDir.string()}));
    return makeError(ErrorCode::Io, tr("store.not_writable", lang, {target.string(), w.error().message}));
}

} // namespace

// Rows of (seq, record_id, base_version, op, changes[, rejected, held_code, held_retry, edited_at]).
Result<std::vector<OutboxEntry>> readOutbox(Stmt& st, bool withHeld = false) {
    std::vector<OutboxEntry> out;
    while (true) {
        auto r = st.step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        OutboxEntry e;
        e.seq = st.integer(0);
        e.recordId = st.text(1);
        e.baseVersion = st.integer(2);
        e.op = st.text(3);
        e.changes = json::parse(st.text(4), nullptr, false);
        if (withHeld) {
            e.held = st.text(5);
            e.heldCode = st.text(6);
            e.heldMayPass = st.integer(7) != 0;
            e.editedAt = st.text(8);
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::string_view statusName(Status s) {
    return s == Status::Draft ? "draft" : "finalized";
}

std::optional<Status> parseStatus(std::string_view s) {
    if (s == "draft") return Status::Draft;
    if (s == "finalized") return Status::Finalized;
    return std::nullopt;
}

json Record::toJson() const {
    json j;
    j["id"] = id;
    j["kind"] = kind;
    j["form_id"] = formId;
    j["form_version"] = formVersion;
    j["status"] = statusName(status);
    j["answers"] = answers;
    j["author"] = author;
    j["created_at"] = createdAt;
    j["updated_at"] = updatedAt;
    j["server_version"] = serverVersion;
    if (!migrationNote.empty()) j["migration_note"] = migrationNote;
    if (deleted) j["deleted"] = true;
    if (!erased.empty()) j["erased"] = erased;
    if (!conflicts.empty()) j["conflicts"] = conflicts;
    if (conflictValues.is_object() && !conflictValues.empty()) j["conflict_values"] = conflictValues;
    return j;
}

std::span<const Migration> storeMigrations() {
    return kMigrations;
}

// The one write path: every write of the store runs inside a Unit. The outermost unit is a
// BEGIN IMMEDIATE transaction; a unit opened inside another (the steps of a workflow grouped by
// Store::Transaction) is a savepoint, so a refused step undoes only itself and the workflow commits
// once, all or nothing. Whatever a unit rolls back leaves the caches too.
class Store::Unit {
public:
    explicit Unit(Impl& s);
    Unit(const Unit&) = delete;
    Unit& operator=(const Unit&) = delete;
    ~Unit();
    [[nodiscard]] const Result<void>& begun() const { return m_begun; }
    Result<void> commit();

private:
    Impl& m_s;
    bool m_outer;
    bool m_open = false;
    Result<void> m_begun;
};

struct Store::Impl {
    Db db;
    fs::path dir;
    StoreOptions options;
    Lang lang = Lang::Fr;
    clock::Source engineClock; ///< the forms engine's "now" (empty = the system clock)
    std::string deviceId;
    // The sealed attachment an upload is reading range by range, opened once (a sealed file is one
    // message): its hash and plain bytes, dropped once its last range is read.
    std::string openSealedSha, openSealedPlain;
    std::map<std::pair<std::string, std::string>, std::shared_ptr<const forms::Form>> formCache;
    // The record being filled: consecutive answers to it do not reload its form session. It is trusted
    // only while no other connection (the app's sync worker) committed since it was read.
    std::string cachedId;
    std::unique_ptr<forms::Session> cached;
    // Encryption at rest (store/vault.hpp): null when the store has none.
    std::shared_ptr<const DataKey> vaultKey;
    std::map<std::string, std::set<std::string>> personalCache; ///< by form id and its installed versions
    std::int64_t cachedDataVersion = -1;
    int depth = 0;                                      // units open (0: no transaction)
    std::int64_t commits = 0;                           // durable commits since opening
    std::int64_t rowsRead = 0;                          // record rows read by get, list and linked
    std::uint64_t bufferPeak = 0;                       // the most bytes of a file addAttachment held at once
    bool purgePending = false;                          // an erasure in this transaction: VACUUM after it
    std::function<void(std::int64_t, bool)> commitHook; // Store::onCommit

    Error dbError(const Error& e) const {
        if (e.code == ErrorCode::NoSpace)
            return makeError(ErrorCode::NoSpace, tr("store.disk_full", lang, {dir.string()}));
        return e;
    }

    void dropCache() {
        cachedId.clear();
        cached.reset();
    }

    // The top-level answers of a form that hold personal data: questions marked personal, and repeats
    // with one inside (a repeat is sealed whole), in any installed version of the form, so that a question
    // marked personal in a later version is sealed in the records of earlier ones too. nullptr when the
    // record's own version is not installed: then every value is sealed, the safe side.
    const std::set<std::string>* personalKeys(std::string_view formId, std::string_view version) {
        if (!loadForm(formId, version).ok()) return nullptr;
        return personalUnion(formId);
    }

    // The union above (empty when no version is installed); nullptr when the store cannot be read. The
    // installed versions are read each time, so that a version installed by another connection (the
    // app's sync worker) counts at once.
    const std::set<std::string>* personalUnion(std::string_view formId) {
        auto st = db.prepare("SELECT version FROM forms WHERE form_id = ? ORDER BY seq");
        if (!st.ok()) return nullptr;
        st->bind(1, formId);
        std::vector<std::string> versions;
        std::string cacheKey(formId);
        while (true) {
            auto row = st->step();
            if (!row.ok()) return nullptr;
            if (!*row) break;
            versions.push_back(st->text(0));
            cacheKey += '\n' + versions.back();
        }
        st->reset();
        if (auto it = personalCache.find(cacheKey); it != personalCache.end()) return &it->second;
        std::set<std::string> keys;
        for (const auto& v : versions) {
            auto form = loadForm(formId, v);
            if (!form.ok()) return nullptr;
            const auto& items = (*form)->items;
            for (int slot : (*form)->rootSlots) {
                const forms::Item& item = items[static_cast<std::size_t>(slot)];
                bool personal = item.personal;
                for (int d : item.descendants)
                    personal = personal || items[static_cast<std::size_t>(d)].personal;
                if (personal) keys.insert(item.name);
            }
        }
        return &(personalCache[cacheKey] = std::move(keys));
    }

    static std::string fieldContext(std::string_view recordId, std::string_view field) {
        return "record:" + std::string(recordId) + "/" + std::string(field);
    }

    // Answers (or an outbox entry's fields) as stored: personal values sealed, bound to record and field.
    json sealFields(std::string_view recordId, std::string_view formId, std::string_view version, json fields) {
        if (!vaultKey || !fields.is_object()) return fields;
        const std::set<std::string>* personal = personalKeys(formId, version);
        for (auto& [field, value] : fields.items())
            if (!value.is_null() && !isSealed(value) && (personal == nullptr || personal->count(field) > 0))
                value = sealJson(*vaultKey, fieldContext(recordId, field), value);
        return fields;
    }

    // Same, for the fields of an outbox entry of `recordId` (its form read from the record).
    Result<json> sealChanges(std::string_view recordId, json changes) {
        if (!vaultKey || !changes.is_object() || !changes.contains("fields")) return changes;
        auto st = db.prepare("SELECT form_id, form_version FROM records WHERE id = ?");
        if (!st.ok()) return st.error();
        st->bind(1, recordId);
        auto row = st->step();
        if (!row.ok()) return row.error();
        const std::string formId = *row ? st->text(0) : std::string(), version = *row ? st->text(1) : std::string();
        st->reset();
        changes["fields"] = sealFields(recordId, formId, version, std::move(changes["fields"]));
        return changes;
    }

    // Opens the sealed values of answers (or of an outbox entry's fields) in place.
    Result<void> openFields(std::string_view recordId, json& fields) const {
        if (!fields.is_object()) return {};
        for (auto& [field, value] : fields.items()) {
            if (!isSealed(value)) continue;
            std::optional<json> clear;
            if (vaultKey) clear = openJson(*vaultKey, fieldContext(recordId, field), value);
            if (!clear) return makeError(ErrorCode::Invalid, tr("store.sealed_damaged", lang, {recordId, field}));
            value = std::move(*clear);
        }
        return {};
    }

    // The values of a record's open conflicts as stored: in an encrypted store, sealed whole (they are
    // answers, personal ones included).
    std::string sealConflictValues(std::string_view recordId, const json& values) const {
        if (!values.is_object() || values.empty()) return "{}";
        if (!vaultKey) return values.dump();
        return sealJson(*vaultKey, "conflicts:" + std::string(recordId), values).dump();
    }

    Result<void> openConflictValues(Record& r) const {
        if (!isSealed(r.conflictValues)) return {};
        std::optional<json> clear;
        if (vaultKey) clear = openJson(*vaultKey, "conflicts:" + r.id, r.conflictValues);
        if (!clear || !clear->is_object())
            return makeError(ErrorCode::Invalid, tr("store.sealed_damaged", lang, {r.id, "conflict_values"}));
        r.conflictValues = std::move(*clear);
        return {};
    }

    // Opens what readRecord read: sealed answers and conflict values.
    Result<void> openRecord(Record& r) const {
        if (auto o = openFields(r.id, r.answers); !o.ok()) return o;
        return openConflictValues(r);
    }

    Result<void> openChanges(OutboxEntry& e) const {
        if (e.changes.is_object() && e.changes.contains("fields")) return openFields(e.recordId, e.changes["fields"]);
        return {};
    }

    // Settings holding a secret: sealed like personal values. "typing.<record>" is the text being typed
    // in the app, kept through a crash before it becomes an answer: it may be a name or a phone number;
    // "file_name.<sha256>" the name an attached file had (a video named after the person filmed).
    static bool secretSetting(std::string_view name) {
        return name == "server_token" || name.starts_with("typing.") || name.starts_with("file_name.");
    }

    static Record readRecord(const Stmt& st) {
        Record r;
        r.id = st.text(0);
        r.kind = st.text(1);
        r.formId = st.text(2);
        r.formVersion = st.text(3);
        r.status = parseStatus(st.text(4)).value_or(Status::Draft);
        r.answers = json::parse(st.text(5), nullptr, false);
        if (r.answers.is_discarded()) r.answers = json::object();
        r.author = st.text(6);
        r.createdAt = st.text(7);
        r.updatedAt = st.text(8);
        r.serverVersion = st.integer(9);
        r.migrationNote = st.text(10);
        r.deleted = st.integer(11) != 0;
        const json erased = json::parse(st.text(12), nullptr, false);
        if (erased.is_array())
            for (const auto& f : erased)
                if (f.is_string()) r.erased.push_back(f.get<std::string>());
        const json conflicts = json::parse(st.text(13), nullptr, false);
        if (conflicts.is_array())
            for (const auto& f : conflicts)
                if (f.is_string()) r.conflicts.push_back(f.get<std::string>());
        r.conflictValues = json::parse(st.text(14), nullptr, false);
        if (!r.conflictValues.is_object()) r.conflictValues = json::object();
        return r;
    }

    static constexpr const char* kRecordColumns =
        "id, kind, form_id, form_version, status, answers, author, created_at, updated_at, server_version, "
        "migration_note, deleted, erased, conflicts, conflict_values";

    Result<Record> getRecord(std::string_view id) {
        auto st = db.prepare(std::string("SELECT ") + kRecordColumns + " FROM records WHERE id = ?");
        if (!st.ok()) return st.error();
        st->bind(1, id);
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) return makeError(ErrorCode::NotFound, tr("store.unknown_record", lang, {id}));
        Record r = readRecord(*st);
        ++rowsRead;
        if (auto o = openRecord(r); !o.ok()) return o.error();
        return r;
    }

    Result<std::shared_ptr<const forms::Form>> loadForm(std::string_view formId, std::string_view version) {
        const auto key = std::make_pair(std::string(formId), std::string(version));
        if (auto it = formCache.find(key); it != formCache.end()) {
            if (!mediaArrived(*it->second)) return it->second;
            formCache.erase(it); // a media file it lacked is here now (the sync worker fetched it)
        }
        auto st = db.prepare("SELECT definition FROM forms WHERE form_id = ? AND version = ?");
        if (!st.ok()) return st.error();
        st->bind(1, formId).bind(2, version);
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) return makeError(ErrorCode::NotFound, tr("store.unknown_form", lang, {formId}));
        auto lr = forms::loadForm(st->text(0));
        if (!lr.ok()) return makeError(ErrorCode::Invalid, lr.problems.front().format(std::string(formId), lang));
        auto form = withMedia(lr.form);
        if (!form.ok()) return form.error();
        formCache[key] = *form;
        return *form;
    }

    [[nodiscard]] fs::path mediaPath(std::string_view sha256) const { return dir / "media" / std::string(sha256); }
    [[nodiscard]] fs::path mediaPart(std::string_view sha256) const {
        return dir / "media" / "partial" / (std::string(sha256) + ".part");
    }

    // Whether a media file `form` was loaded without is on the disk now.
    bool mediaArrived(const forms::Form& form) const {
        if (form.mediaFiles.empty()) return false;
        for (const auto& m : form.mediaFiles) {
            if (m.sha256.empty() || form.mediaTables.count(m.file) || form.mediaPresent.count(m.file)) continue;
            std::error_code ec;
            if (fs::exists(mediaPath(m.sha256), ec)) return true;
        }
        return false;
    }

    // The form with the media files of its manifest that are here (verified when they were stored):
    // its CSV choices and pulldata() read them; the others stay missing, and are said so.
    Result<std::shared_ptr<const forms::Form>> withMedia(std::shared_ptr<const forms::Form> form) {
        forms::MediaContents files;
        for (const auto& m : form->mediaFiles) {
            if (m.sha256.empty()) continue;
            const fs::path path = mediaPath(m.sha256);
            std::error_code ec;
            if (!fs::exists(path, ec)) continue;
            if (m.type != "csv") { // carried for the screens, not read by the engine
                files[m.file] = std::string();
                continue;
            }
            auto data = readTextFile(path);
            if (!data.ok()) return data.error();
            files[m.file] = std::move(*data);
        }
        if (files.empty()) return form;
        auto attached = forms::attachMedia(*form, files, lang);
        if (!attached.ok())
            return makeError(ErrorCode::Invalid, form->id + " " + form->version + ": " + attached.error().message);
        return *attached;
    }

    // The newest version by its number (not by when it was installed: a device may hold a version the
    // server publishes only later, and install the server's older one meanwhile).
    Result<std::string> latestVersion(std::string_view formId) {
        auto st = db.prepare("SELECT version FROM forms WHERE form_id = ? ORDER BY seq");
        if (!st.ok()) return st.error();
        st->bind(1, formId);
        std::string best;
        while (true) {
            auto row = st->step();
            if (!row.ok()) return row.error();
            if (!*row) break;
            std::string v = st->text(0);
            if (best.empty() || compareVersions(v, best) >= 0) best = std::move(v);
        }
        if (best.empty()) return makeError(ErrorCode::NotFound, tr("store.unknown_form", lang, {formId}));
        return best;
    }

    // `rec` (when there is one) gives carnet:property() the record's own facts: its author as
    // "username", the local date-time and date it was made as "start" and "today" (XLSForm's metadata
    // rows, docs/form-format.md); "deviceid" is this device's.
    forms::SessionOptions sessionOptions(const forms::Form& form, const Record* rec = nullptr) const {
        forms::SessionOptions o;
        const std::string code(langCode(lang));
        o.language = std::find(form.languages.begin(), form.languages.end(), code) != form.languages.end()
                         ? code
                         : form.defaultLanguage;
        if (engineClock) o.now = [source = engineClock] { return clock::localDays(source()); };
        o.properties["deviceid"] = deviceId;
        if (rec) {
            if (!rec->author.empty()) o.properties["username"] = rec->author;
            if (const auto made = clock::parseIsoUtc(rec->createdAt)) {
                o.properties["start"] = clock::localFormat(*made, "%Y-%m-%dT%H:%M:%S");
                o.properties["today"] = clock::localDate(*made);
            }
        }
        return o;
    }

    // Changes when another connection commits to the file (not when this one does).
    Result<std::int64_t> dataVersion() { return db.scalar("PRAGMA data_version"); }

    // A form session over a record's stored answers. Problems of the stored answers are not refused
    // here: they were accepted when written (or come from the server), and show as the session's issues.
    Result<std::unique_ptr<forms::Session>> loadSession(const Record& rec) {
        auto form = loadForm(rec.formId, rec.formVersion);
        if (!form.ok())
            return makeError(ErrorCode::NotFound,
                             tr("store.missing_form_version", lang, {rec.id, rec.formId, rec.formVersion}));
        auto s = std::make_unique<forms::Session>(*form, sessionOptions(**form, &rec));
        s->loadAnswers(rec.answers); // what does not load shows through issues(), see above
        return s;
    }

    // The cached session of a record, reloaded when another connection committed since it was read.
    Result<forms::Session*> sessionFor(std::string_view id, Record* out = nullptr) {
        auto rec = getRecord(id);
        if (!rec.ok()) return rec.error();
        if (out) *out = *rec;
        auto version = dataVersion();
        if (!version.ok()) return version.error();
        if (cachedId == id && cached && cachedDataVersion == *version) return cached.get();
        auto s = loadSession(*rec);
        if (!s.ok()) return s.error();
        cached = std::move(*s);
        cachedId = std::string(id);
        cachedDataVersion = *version;
        return cached.get();
    }

    // The row of an attachment whose file is in place (once: the same content attached twice is one).
    Result<Attachment> recordAttachment(const Attachment& a) {
        Unit tx(*this);
        if (!tx.begun().ok()) return tx.begun().error();
        // Relative to the data folder: the app's container moves (Android restore, iOS update).
        auto st = db.prepare("INSERT OR IGNORE INTO attachments(hash, size, path, created_at) VALUES (?, ?, ?, ?)");
        if (!st.ok()) return st.error();
        st->bind(1, a.hash).bind(2, a.size).bind(3, platform::storedPath(dir, a.path)).bind(4, nowIsoUtc());
        if (auto r = st->run(); !r.ok()) return dbError(r.error());
        if (auto r = tx.commit(); !r.ok()) return r.error();
        return a;
    }

    Result<void> appendOutbox(std::string_view recordId, std::int64_t baseVersion, std::string_view op,
                              const json& changes, const std::string& now) {
        auto compacted = compactOutbox(recordId, baseVersion, op, changes, now);
        if (!compacted.ok()) return compacted.error();
        if (*compacted) return {};
        auto st = db.prepare("INSERT INTO outbox(record_id, base_version, op, changes, created_at, edited_at) VALUES "
                             "(?, ?, ?, ?, ?, ?)");
        if (!st.ok()) return st.error();
        auto stored = sealChanges(recordId, changes);
        if (!stored.ok()) return stored.error();
        st->bind(1, recordId).bind(2, baseVersion).bind(3, op).bind(4, stored->dump()).bind(5, now).bind(6, now);
        return st->run();
    }

    // The last sequence number a push has read (pendingOutboxText): entries up to it may be in flight.
    Result<std::int64_t> sentThrough() {
        auto v = metaValue(kSentThrough);
        if (!v.ok()) return v.error();
        if (!*v) return std::int64_t{0};
        try {
            return static_cast<std::int64_t>(std::stoll(**v));
        } catch (const std::exception&) {
            return std::int64_t{std::numeric_limits<std::int64_t>::max()}; // unreadable: merge into nothing
        }
    }

    // Merges an edit into the outbox's last entry when it is this record's, on the same base version,
    // not held and never read by a push (above `outbox.sent_through`), in the caller's transaction: true
    // when it did, false when the edit needs an entry of its own.
    Result<bool> compactOutbox(std::string_view recordId, std::int64_t baseVersion, std::string_view op,
                               const json& changes, const std::string& now) {
        if (!options.compactOutbox || (op != "set" && op != "finalize")) return false;
        auto st = db.prepare("SELECT seq, record_id, base_version, op, changes, rejected FROM outbox "
                             "ORDER BY seq DESC LIMIT 1");
        if (!st.ok()) return st.error();
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row || st->text(1) != recordId || st->integer(2) != baseVersion || !st->text(5).empty()) return false;
        const std::int64_t seq = st->integer(0);
        const std::string tailOp = st->text(3);
        json tail = json::parse(st->text(4), nullptr, false);
        st->reset();
        auto sent = sentThrough();
        if (!sent.ok()) return sent.error();
        if (seq <= *sent) return false;
        auto merged = compactChanges(tailOp, std::move(tail), op, changes);
        if (!merged) return false;
        auto stored = sealChanges(recordId, std::move(merged->second)); // sealed values stay as they are
        if (!stored.ok()) return stored.error();
        auto up = db.prepare("UPDATE outbox SET op = ?, changes = ?, edited_at = ? WHERE seq = ?");
        if (!up.ok()) return up.error();
        up->bind(1, merged->first).bind(2, stored->dump()).bind(3, now).bind(4, seq);
        if (auto r = up->run(); !r.ok()) return r.error();
        return true;
    }

    // Writes the changed top-level fields over the record's stored answers, and the matching outbox
    // entry, in one durable transaction. `rec` is the row as read inside the caller's unit, so no
    // other connection wrote in between: fields nobody edited keep the value on disk.
    Result<void> saveChanges(const Record& rec, std::string_view op, json changes) {
        const std::string now = nowIsoUtc();
        Unit tx(*this);
        if (!tx.begun().ok()) return tx.begun().error();
        json answers = rec.answers;
        for (const auto& [field, value] : changes.items()) {
            if (value.is_null())
                answers.erase(field);
            else
                answers[field] = value;
        }
        auto st = db.prepare("UPDATE records SET answers = ?, updated_at = ? WHERE id = ?");
        if (!st.ok()) return dbError(st.error());
        st->bind(1, sealFields(rec.id, rec.formId, rec.formVersion, answers).dump()).bind(2, now).bind(3, rec.id);
        if (auto r = st->run(); !r.ok()) return dbError(r.error());
        json entry = json::object();
        entry["fields"] = std::move(changes);
        if (auto r = appendOutbox(rec.id, rec.serverVersion, op, entry, now); !r.ok()) return dbError(r.error());
        if (auto r = tx.commit(); !r.ok()) return r.error();
        return {};
    }

    Result<std::string> insertRecord(const forms::Form& form, const json& answers, std::string_view author,
                                     std::string_view kind) {
        const std::string id = newUuid();
        const std::string now = nowIsoUtc();
        std::string k(kind);
        if (k.empty()) k = form.settings.value("kind", std::string("interview"));
        Unit tx(*this);
        if (!tx.begun().ok()) return tx.begun().error();
        auto st =
            db.prepare("INSERT INTO records(id, kind, form_id, form_version, status, answers, author, created_at, "
                       "updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)");
        if (!st.ok()) return dbError(st.error());
        st->bind(1, id).bind(2, k).bind(3, form.id).bind(4, form.version);
        st->bind(5, sealFields(id, form.id, form.version, answers).dump()).bind(6, author);
        st->bind(7, now).bind(8, now);
        if (auto r = st->run(); !r.ok()) return dbError(r.error());
        json entry;
        entry["form_id"] = form.id;
        entry["form_version"] = form.version;
        entry["kind"] = k;
        entry["author"] = author;
        entry["fields"] = answers;
        if (auto r = appendOutbox(id, 0, "create", entry, now); !r.ok()) return dbError(r.error());
        if (auto r = tx.commit(); !r.ok()) return r.error();
        return id;
    }

    // Runs one edit on a draft's form session, then saves what it changed durably with its outbox
    // entry. A refused edit changes nothing; a failed save drops the session, which would otherwise
    // hold a value the file does not.
    template <class Edit> Result<int> editDraft(std::string_view id, std::string_view path, Edit&& edit) {
        // The write lock first, then the read: what the edit is made against is what the file holds
        // (a commit by another connection since the session was cached reloads it).
        Unit tx(*this);
        if (!tx.begun().ok()) return tx.begun().error();
        Record rec;
        auto session = sessionFor(id, &rec);
        if (!session.ok()) return session.error();
        if (rec.deleted) return makeError(ErrorCode::Conflict, tr("store.deleted", lang, {id}));
        if (rec.status == Status::Finalized) return makeError(ErrorCode::Conflict, tr("store.finalized", lang, {id}));
        const json before = (*session)->answers();
        Result<int> result = edit(**session);
        if (!result.ok()) return makeError(result.error().code, fieldError(id, path, result.error().message));
        const json after = (*session)->answers();
        json changes = changedFields(before, after);
        if (changes.empty()) { // the same answer again: already saved
            if (auto r = tx.commit(); !r.ok()) return r.error();
            return result;
        }
        for (const auto& [field, value] : changes.items())
            if (std::find(rec.erased.begin(), rec.erased.end(), field) != rec.erased.end()) {
                dropCache(); // the session holds the refused value
                return makeError(ErrorCode::Conflict, tr("store.field_erased", lang, {id, field}));
            }
        if (auto saved = saveChanges(rec, "set", std::move(changes)); !saved.ok()) {
            dropCache(); // the session holds a value the file does not
            return saved.error();
        }
        if (auto r = tx.commit(); !r.ok()) {
            dropCache();
            return r.error();
        }
        return result;
    }

    // Removes erased fields from the record's pending outbox entries; a plain `set` left with nothing
    // to say is dropped. Rejected entries are scrubbed too: no copy of the value is left.
    Result<void> scrubOutbox(std::string_view id, const std::vector<std::string>& fields) {
        auto st = db.prepare("SELECT seq, op, changes FROM outbox WHERE record_id = ?");
        if (!st.ok()) return st.error();
        st->bind(1, id);
        std::vector<std::tuple<std::int64_t, std::string, json>> rows;
        while (true) {
            auto r = st->step();
            if (!r.ok()) return r.error();
            if (!*r) break;
            rows.emplace_back(st->integer(0), st->text(1), json::parse(st->text(2), nullptr, false));
        }
        st->reset();
        auto up = db.prepare("UPDATE outbox SET changes = ? WHERE seq = ?");
        auto del = db.prepare("DELETE FROM outbox WHERE seq = ?");
        if (!up.ok()) return up.error();
        if (!del.ok()) return del.error();
        for (auto& [seq, op, changes] : rows) {
            if (op == "erase" || !changes.is_object() || !changes.contains("fields") || !changes["fields"].is_object())
                continue;
            bool touched = false;
            for (const auto& f : fields)
                if (changes["fields"].erase(f) > 0) touched = true;
            if (!touched) continue;
            if (op == "set" && changes["fields"].empty()) {
                if (auto r = del->bind(1, seq).run(); !r.ok()) return r.error();
            } else if (auto r = up->bind(1, changes.dump()).bind(2, seq).run(); !r.ok()) {
                return r.error();
            }
        }
        return {};
    }

    // After an erasure: rebuilds the file so no freed page or cell keeps the old values, then empties
    // the write-ahead log, which still holds earlier page images. Best effort: the erasure is committed.
    void purgeFreed() {
        (void)db.exec("VACUUM");
        (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    Result<std::optional<std::string>> metaValue(std::string_view k) {
        auto st = db.prepare("SELECT value FROM meta WHERE key = ?");
        if (!st.ok()) return st.error();
        st->bind(1, k);
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) return std::optional<std::string>{};
        return std::optional<std::string>(st->text(0));
    }

    Result<void> setMeta(std::string_view k, std::string_view value) {
        auto st = db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        if (!st.ok()) return st.error();
        if (auto r = st->bind(1, k).bind(2, value).run(); !r.ok()) return dbError(r.error());
        return {};
    }

    static constexpr std::string_view kCheckContext = "carnet:key-check";

    // Opens the store's data key with the PIN, or checks a key handed over by another connection.
    Result<void> unlock(const std::string& sealedText, const StoreOptions& o) {
        if (o.key) {
            auto check = metaValue("vault.check");
            if (!check.ok()) return check.error();
            if (!*check || !openText(*o.key, kCheckContext, **check))
                return makeError(ErrorCode::Invalid, tr("store.wrong_pin", lang));
            vaultKey = o.key;
            return {};
        }
        if (!o.pin) return makeError(ErrorCode::Invalid, tr("store.pin_required", lang, {dir.string()}));
        auto sealed = SealedKey::fromJson(json::parse(sealedText, nullptr, false));
        if (!sealed.ok()) return sealed.error();
        auto k = unsealKey(*sealed, *o.pin);
        if (!k.ok())
            return k.error().code == ErrorCode::Invalid ? makeError(ErrorCode::Invalid, tr("store.wrong_pin", lang))
                                                        : k.error();
        vaultKey = *k;
        return {};
    }

    // Seals, in place, the personal values still in clear in the records and outbox entries of one form
    // (every form when `formId` is empty): when encryption is set up, and when a new form version marks
    // more questions personal. Runs inside the caller's unit of work; returns how many rows changed.
    Result<int> sealStoredAnswers(std::string_view formId) {
        int changed = 0;
        {
            auto st =
                db.prepare(formId.empty() ? "SELECT id, form_id, form_version, answers FROM records"
                                          : "SELECT id, form_id, form_version, answers FROM records WHERE form_id = ?");
            auto up = db.prepare("UPDATE records SET answers = ? WHERE id = ?");
            if (!st.ok()) return st.error();
            if (!up.ok()) return up.error();
            if (!formId.empty()) st->bind(1, formId);
            std::vector<std::pair<std::string, std::string>> rows;
            while (true) {
                auto r = st->step();
                if (!r.ok()) return r.error();
                if (!*r) break;
                json answers = json::parse(st->text(3), nullptr, false);
                if (answers.is_discarded()) continue;
                std::string text = sealFields(st->text(0), st->text(1), st->text(2), answers).dump();
                if (text != st->text(3)) rows.emplace_back(st->text(0), std::move(text));
            }
            st->reset();
            for (const auto& [id, text] : rows)
                if (auto r = up->bind(1, text).bind(2, id).run(); !r.ok()) return dbError(r.error());
            changed += static_cast<int>(rows.size());
        }
        {
            auto st = db.prepare(formId.empty() ? "SELECT seq, record_id, changes FROM outbox"
                                                : "SELECT o.seq, o.record_id, o.changes FROM outbox o JOIN records r "
                                                  "ON r.id = o.record_id WHERE r.form_id = ?");
            auto up = db.prepare("UPDATE outbox SET changes = ? WHERE seq = ?");
            if (!st.ok()) return st.error();
            if (!up.ok()) return up.error();
            if (!formId.empty()) st->bind(1, formId);
            std::vector<std::pair<std::int64_t, std::string>> rows;
            while (true) {
                auto r = st->step();
                if (!r.ok()) return r.error();
                if (!*r) break;
                json changes = json::parse(st->text(2), nullptr, false);
                if (changes.is_discarded()) continue;
                auto sealedChanges = sealChanges(st->text(1), std::move(changes));
                if (!sealedChanges.ok()) return sealedChanges.error();
                std::string text = sealedChanges->dump();
                if (text != st->text(2)) rows.emplace_back(st->integer(0), std::move(text));
            }
            st->reset();
            for (const auto& [seq, text] : rows)
                if (auto r = up->bind(1, text).bind(2, seq).run(); !r.ok()) return dbError(r.error());
            changed += static_cast<int>(rows.size());
        }
        return changed;
    }

    // Sets encryption up on a store without it: a fresh data key sealed under the PIN, then every
    // personal value and the token sealed in one transaction, then the file rebuilt so no clear copy
    // stays in a free page or in the WAL.
    Result<void> enableEncryption(std::string_view pin, KdfLimits limits) {
        if (pin.size() < kMinPinLength || pin.size() > kMaxPinLength)
            return makeError(ErrorCode::Invalid, tr("store.pin_length", lang, {std::to_string(kMinPinLength)}));
        auto fresh = DataKey::random();
        auto sealed = sealKey(*fresh, pin, limits);
        if (!sealed.ok()) return sealed.error();
        if (auto r = db.exec("PRAGMA secure_delete = ON"); !r.ok()) return r.error();
        Unit tx(*this);
        if (!tx.begun().ok()) return tx.begun().error();
        vaultKey = fresh;
        auto undo = [&](const Error& e) {
            vaultKey.reset();
            return dbError(e);
        };
        if (auto r = setMeta("vault.key", sealed->toJson().dump()); !r.ok()) return undo(r.error());
        if (auto r = setMeta("vault.check", sealText(*vaultKey, kCheckContext, "carnet")); !r.ok())
            return undo(r.error());
        if (auto r = sealStoredAnswers({}); !r.ok()) return undo(r.error());
        // Secret settings held in clear (the token, text being typed) are sealed too.
        std::vector<std::pair<std::string, std::string>> secrets;
        {
            auto ms = db.prepare("SELECT key, value FROM meta WHERE key = 'setting.server_token' OR "
                                 "key LIKE 'setting.typing.%'");
            if (!ms.ok()) return undo(ms.error());
            while (true) {
                auto r = ms->step();
                if (!r.ok()) return undo(r.error());
                if (!*r) break;
                const std::string key = ms->text(0).substr(std::string_view("setting.").size());
                std::string value = ms->text(1);
                if (secretSetting(key) && !value.empty() && value.rfind("v1:", 0) != 0)
                    secrets.emplace_back(key, std::move(value));
            }
        }
        for (const auto& [key, value] : secrets)
            if (auto r = setMeta("setting." + key, sealText(*vaultKey, "setting:" + key, value)); !r.ok())
                return undo(r.error());
        if (auto r = tx.commit(); !r.ok()) return undo(r.error());
        dropCache();
        purgeFreed();
        return sealClearAttachments();
    }

    // Attachment files still in clear (written before encryption was set up, or cut by a crash while
    // it was) are rewritten sealed. Runs on every unlocked open: a glance at each file's first bytes.
    Result<void> sealClearAttachments() {
        if (!vaultKey) return {};
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir / "attachments", ec)) {
            const std::string name = e.path().filename().string();
            if (!e.is_regular_file() || name.size() != 64 ||
                name.find_first_not_of("0123456789abcdef") != std::string::npos)
                continue;
            auto data = readTextFile(e.path());
            if (!data.ok()) return data.error();
            if (isSealedBytes(*data)) continue;
            if (auto w = writeFileDurably(e.path(), sealBytes(*vaultKey, "attachment:" + name, *data), dir, lang);
                !w.ok())
                return w.error();
        }
        return {};
    }

    std::string fieldError(std::string_view id, std::string_view path, std::string_view message) const {
        return tr("store.field_error", lang, {id, path, message});
    }
};

Store::Unit::Unit(Impl& s)
    : m_s(s)
    , m_outer(s.depth == 0) {
    m_begun = s.db.exec(m_outer ? "BEGIN IMMEDIATE" : "SAVEPOINT unit");
    if (!m_begun.ok()) {
        m_begun = s.dbError(m_begun.error());
        return;
    }
    m_open = true;
    ++s.depth;
}

Store::Unit::~Unit() {
    if (!m_open) return;
    --m_s.depth;
    // Best effort: a failed rollback leaves SQLite to roll back when the connection closes.
    if (m_outer) {
        (void)m_s.db.exec("ROLLBACK");
        m_s.purgePending = false;
        m_s.formCache.clear();
    } else {
        (void)m_s.db.exec("ROLLBACK TO unit; RELEASE unit");
    }
    m_s.dropCache();
}

Result<void> Store::Unit::commit() {
    if (!m_open) return makeError(ErrorCode::Internal, "commit without an open unit of work");
    if (!m_outer) {
        if (auto r = m_s.db.exec("RELEASE unit"); !r.ok()) return m_s.dbError(r.error());
        m_open = false;
        --m_s.depth;
        return {};
    }
    if (m_s.commitHook) m_s.commitHook(m_s.commits + 1, false);
    if (auto r = m_s.db.exec("COMMIT"); !r.ok()) return m_s.dbError(r.error());
    m_open = false;
    --m_s.depth;
    ++m_s.commits;
    if (m_s.commitHook) m_s.commitHook(m_s.commits, true);
    if (m_s.purgePending) {
        m_s.purgePending = false;
        m_s.purgeFreed();
    }
    return {};
}

Store::Store(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const fs::path& dataDir, const StoreOptions& options) {
    if (sodium_init() < 0) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    auto impl = std::make_unique<Impl>();
    impl->dir = dataDir;
    impl->options = options;
    impl->lang = parseLang(options.language).value_or(Lang::Fr);
    impl->engineClock = options.clock;
    const Lang lang = impl->lang;
    std::error_code ec;
    fs::create_directories(dataDir / "attachments", ec);
    if (ec) return makeError(ErrorCode::Io, tr("store.not_writable", lang, {dataDir.string(), ec.message()}));
    const fs::path file = dataDir / "carnet.db";
    if (auto w = platform::ensureWritableDirectory(dataDir); !w.ok())
        return makeError(ErrorCode::Io, tr("store.not_writable", lang, {dataDir.string(), w.error().message}));
    DbOptions dbo;
    dbo.durability = options.durability;
    auto db = Db::open(file, dbo);
    if (!db.ok()) {
        if (db.error().code == ErrorCode::Invalid)
            return makeError(ErrorCode::Invalid, tr("store.corrupt", lang, {file.string(), db.error().message}));
        return makeError(db.error().code, tr("store.not_writable", lang, {dataDir.string(), db.error().message}));
    }
    impl->db = std::move(*db);
    Db& d = impl->db;
    auto appId = d.scalar("PRAGMA application_id");
    auto tables = d.scalar("SELECT count(*) FROM sqlite_master");
    if (!appId.ok() || !tables.ok())
        return makeError(ErrorCode::Invalid,
                         tr("store.corrupt", lang, {file.string(), (!appId.ok() ? appId : tables).error().message}));
    if (*appId != kApplicationId && !(*appId == 0 && *tables == 0))
        return makeError(ErrorCode::Invalid, tr("store.not_carnet", lang, {file.string()}));
    if (*appId == 0) {
        if (auto r = d.exec("PRAGMA application_id=" + std::to_string(kApplicationId)); !r.ok()) return r.error();
    }
    auto version = d.scalar("PRAGMA user_version");
    if (version.ok() && *version > kMigrations[std::size(kMigrations) - 1].version)
        return makeError(ErrorCode::Invalid, tr("store.newer_schema", lang, {file.string(), std::to_string(*version)}));
    if (auto r = migrate(d, storeMigrations()); !r.ok()) return impl->dbError(r.error());
    // Rows written before attachment paths were stored relative hold an absolute path from the day they
    // were added, which breaks once the app's container moves; the file is always attachments/<hash>.
    if (auto r = d.exec("UPDATE attachments SET path = 'attachments/' || hash WHERE path <> 'attachments/' || hash");
        !r.ok())
        return impl->dbError(r.error());
    if (options.maxPageCount > 0) {
        if (auto r = d.exec("PRAGMA max_page_count=" + std::to_string(options.maxPageCount)); !r.ok()) return r.error();
    }
    // The device id is created once, with the store.
    auto st = d.prepare("SELECT value FROM meta WHERE key = 'device_id'");
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (*row) {
        impl->deviceId = st->text(0);
    } else {
        impl->deviceId = newUuid();
        auto ins = d.prepare("INSERT INTO meta(key, value) VALUES ('device_id', ?)");
        if (!ins.ok()) return ins.error();
        ins->bind(1, impl->deviceId);
        if (auto r = ins->run(); !r.ok()) return impl->dbError(r.error());
    }
    st->reset();
    // Encryption at rest: unlock with the PIN (or a key shared by another connection), or set it up.
    auto sealedKey = impl->metaValue("vault.key");
    if (!sealedKey.ok()) return sealedKey.error();
    if (*sealedKey) {
        if (auto r = impl->unlock(**sealedKey, options); !r.ok()) return r.error();
        if (auto r = impl->sealClearAttachments(); !r.ok()) return r.error();
        // Freed cells are zeroed: what an edit replaces does not linger in the file.
        if (auto r = d.exec("PRAGMA secure_delete = ON"); !r.ok()) return r.error();
    } else if (options.pin) {
        if (auto r = impl->enableEncryption(*options.pin, options.kdf); !r.ok()) return r.error();
    }
    return Store(std::move(impl));
}

const std::string& Store::deviceId() const {
    return m_impl->deviceId;
}
fs::path Store::file() const {
    return m_impl->db.path();
}

Lang Store::language() const {
    return m_impl->lang;
}

void Store::setLanguage(std::string_view language) {
    m_impl->lang = parseLang(language).value_or(m_impl->lang);
    m_impl->options.language = std::string(langCode(m_impl->lang));
    m_impl->dropCache(); // the cached session speaks the old language
}

Result<InstallReport> Store::installForm(std::string_view jsonText) {
    Impl& s = *m_impl;
    auto lr = forms::loadForm(jsonText);
    if (!lr.ok()) {
        std::string msg;
        for (const auto& p : lr.problems) {
            if (!msg.empty()) msg += '\n';
            msg += p.line > 0 ? std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message(s.lang)
                              : (p.pointer.empty() ? "/" : p.pointer) + ": " + p.message(s.lang);
        }
        return makeError(ErrorCode::Invalid, msg);
    }
    auto loaded = s.withMedia(lr.form); // drafts move with the media files this device holds
    if (!loaded.ok()) return loaded.error();
    lr.form = *loaded;
    const forms::Form& form = *lr.form;
    InstallReport report;
    report.form.formId = form.id;
    report.form.version = form.version;
    report.form.hash = sha256Hex(form.canonicalJson);
    report.form.installedAt = nowIsoUtc();

    auto existing = s.db.prepare("SELECT hash FROM forms WHERE form_id = ? AND version = ?");
    if (!existing.ok()) return existing.error();
    existing->bind(1, form.id).bind(2, form.version);
    auto row = existing->step();
    if (!row.ok()) return row.error();
    if (*row) {
        if (existing->text(0) != report.form.hash)
            return makeError(ErrorCode::Conflict, tr("store.form_changed", s.lang, {form.id, form.version}));
        report.alreadyInstalled = true;
        return report;
    }
    existing->reset();

    // Questions this version marks personal that no installed version did: their stored values are sealed
    // below, in every version's records, as the new version arrives.
    std::set<std::string> personalBefore;
    if (s.vaultKey) {
        const std::set<std::string>* before = s.personalUnion(form.id);
        if (before == nullptr) return makeError(ErrorCode::Io, tr("store.form_unreadable", s.lang, {form.id}));
        personalBefore = *before;
    }
    Unit tx(s);
    if (!tx.begun().ok()) return tx.begun().error();
    auto ins = s.db.prepare("INSERT INTO forms(form_id, version, hash, definition, installed_at, seq) "
                            "VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM forms))");
    if (!ins.ok()) return ins.error();
    ins->bind(1, form.id).bind(2, form.version).bind(3, report.form.hash).bind(4, form.canonicalJson);
    ins->bind(5, report.form.installedAt);
    if (auto r = ins->run(); !r.ok()) return s.dbError(r.error());
    bool resealed = false;
    if (s.vaultKey) {
        const std::set<std::string>* after = s.personalUnion(form.id);
        if (after == nullptr) return makeError(ErrorCode::Io, tr("store.form_unreadable", s.lang, {form.id}));
        if (*after != personalBefore) {
            auto sealed = s.sealStoredAnswers(form.id);
            if (!sealed.ok()) return sealed.error();
            resealed = *sealed > 0;
        }
    }

    // Drafts on older versions move when their answers still fit; the others stay, flagged.
    auto drafts = s.db.prepare(std::string("SELECT ") + Impl::kRecordColumns +
                               " FROM records WHERE form_id = ? AND form_version != ? AND status = 'draft'");
    if (!drafts.ok()) return drafts.error();
    drafts->bind(1, form.id).bind(2, form.version);
    std::vector<Record> toCheck;
    while (true) {
        auto r = drafts->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        toCheck.push_back(Impl::readRecord(*drafts));
        if (auto o = s.openFields(toCheck.back().id, toCheck.back().answers); !o.ok()) return o.error();
    }
    const std::string now = nowIsoUtc();
    for (const Record& rec : toCheck) {
        // Drafts only move forward: one on a newer version than this one stays where it is.
        if (compareVersions(rec.formVersion, form.version) >= 0) continue;
        forms::Session session(lr.form, s.sessionOptions(form, &rec));
        auto problems = session.loadAnswers(rec.answers);
        for (const auto& issue : session.issues())
            if (issue.kind != forms::IssueKind::Required) problems.push_back(issue);
        if (problems.empty()) {
            const json answers = session.answers();
            auto up = s.db.prepare(
                "UPDATE records SET form_version = ?, answers = ?, migration_note = '', updated_at = ? WHERE id = ?");
            if (!up.ok()) return up.error();
            up->bind(1, form.version).bind(2, s.sealFields(rec.id, form.id, form.version, answers).dump());
            up->bind(3, now).bind(4, rec.id);
            if (auto r = up->run(); !r.ok()) return s.dbError(r.error());
            json entry;
            entry["form_version"] = form.version;
            entry["fields"] = changedFields(rec.answers, answers);
            if (auto r = s.appendOutbox(rec.id, rec.serverVersion, "migrate", entry, now); !r.ok())
                return s.dbError(r.error());
            ++report.draftsMigrated;
        } else {
            const std::string note =
                tr("store.migration_kept", s.lang,
                   {rec.id, rec.formVersion, form.version, problems.front().path, problems.front().message});
            auto up = s.db.prepare("UPDATE records SET migration_note = ? WHERE id = ?");
            if (!up.ok()) return up.error();
            up->bind(1, note).bind(2, rec.id);
            if (auto r = up->run(); !r.ok()) return s.dbError(r.error());
            ++report.draftsKept;
        }
    }
    if (auto r = tx.commit(); !r.ok()) return r.error();
    s.dropCache();
    s.formCache[{form.id, form.version}] = lr.form;
    if (resealed) s.purgeFreed(); // no clear copy left in a free page or in the WAL
    return report;
}

Result<std::vector<InstalledForm>> Store::forms() {
    auto st = m_impl->db.prepare("SELECT form_id, version, hash, installed_at FROM forms ORDER BY form_id, seq");
    if (!st.ok()) return st.error();
    std::vector<InstalledForm> out;
    while (true) {
        auto r = st->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        out.push_back(InstalledForm{st->text(0), st->text(1), st->text(2), st->text(3)});
    }
    return out;
}

Result<std::shared_ptr<const forms::Form>> Store::form(std::string_view formId, std::string_view version) {
    return m_impl->loadForm(formId, version);
}

Result<std::shared_ptr<const forms::Form>> Store::latestForm(std::string_view formId) {
    auto v = m_impl->latestVersion(formId);
    if (!v.ok()) return v.error();
    return m_impl->loadForm(formId, *v);
}

Result<std::vector<MediaNeed>> Store::missingMedia() {
    auto st = m_impl->db.prepare("SELECT form_id, version FROM forms ORDER BY seq");
    if (!st.ok()) return st.error();
    std::vector<std::pair<std::string, std::string>> versions;
    while (true) {
        auto r = st->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        versions.emplace_back(st->text(0), st->text(1));
    }
    std::vector<MediaNeed> out;
    std::set<std::string> seen;
    for (const auto& [formId, version] : versions) {
        auto form = m_impl->loadForm(formId, version);
        if (!form.ok()) return form.error();
        for (const auto& m : (*form)->mediaFiles) {
            if (m.sha256.empty() || hasMedia(m.sha256) || !seen.insert(m.sha256).second) continue;
            out.push_back(MediaNeed{m.sha256, static_cast<std::uint64_t>(m.size), m.file, formId, version});
        }
    }
    return out;
}

bool Store::hasMedia(std::string_view sha256) const {
    if (!forms::isSha256Hex(sha256)) return false;
    std::error_code ec;
    return fs::exists(m_impl->mediaPath(sha256), ec);
}

Result<std::string> Store::mediaData(std::string_view sha256) const {
    if (!hasMedia(sha256)) return makeError(ErrorCode::NotFound, "media file not here: " + std::string(sha256));
    const fs::path path = m_impl->mediaPath(sha256);
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return makeError(ErrorCode::Io, path.string() + ": " + ec.message());
    if (size > forms::kMaxMediaBytes) return makeError(ErrorCode::Invalid, path.string() + ": too large");
    return readTextFile(path);
}

Result<std::uint64_t> Store::mediaReceived(std::string_view sha256) {
    if (!forms::isSha256Hex(sha256)) return makeError(ErrorCode::Invalid, "not a sha256: " + std::string(sha256));
    std::error_code ec;
    const fs::path part = m_impl->mediaPart(sha256);
    if (!fs::exists(part, ec)) return std::uint64_t{0};
    const auto size = fs::file_size(part, ec);
    if (ec) return makeError(ErrorCode::Io, part.string() + ": " + ec.message());
    return static_cast<std::uint64_t>(size);
}

Result<void> Store::appendMedia(std::string_view sha256, std::uint64_t offset, std::string_view data) {
    auto have = mediaReceived(sha256);
    if (!have.ok()) return have.error();
    const fs::path part = m_impl->mediaPart(sha256);
    std::error_code ec;
    if (offset != *have)
        return makeError(ErrorCode::Conflict,
                         part.string() + ": holds " + std::to_string(*have) + " bytes, not " + std::to_string(offset));
    fs::create_directories(part.parent_path(), ec);
    if (ec) return makeError(ErrorCode::Io, tr("store.not_writable", m_impl->lang, {part.string(), ec.message()}));
    if (auto w = platform::appendFileDurably(part, data); !w.ok()) {
        fs::resize_file(part, offset, ec); // a short write: what is kept is what was acknowledged
        return m_impl->dbError(w.error());
    }
    return {};
}

Result<void> Store::finishMedia(std::string_view sha256, std::uint64_t size, std::string_view file) {
    Impl& s = *m_impl;
    if (hasMedia(sha256)) return {};
    const fs::path part = s.mediaPart(sha256);
    std::ifstream in(part, std::ios::binary);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<char> buf(1 << 16);
    std::uint64_t total = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = in.gcount();
        if (n <= 0) break;
        total += static_cast<std::uint64_t>(n);
        crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf.data()),
                                  static_cast<unsigned long long>(n));
    }
    in.close();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    std::string hex(sizeof digest * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
    hex.pop_back();
    std::error_code ec;
    if (hex != sha256 || total != size) {
        fs::remove(part, ec); // never kept: the next sync downloads it again
        return makeError(ErrorCode::Invalid,
                         tr("store.media_mismatch", s.lang, {std::string(file), std::string(sha256), hex}));
    }
    fs::rename(part, s.mediaPath(sha256), ec);
    if (ec) return makeError(ErrorCode::Io, tr("store.not_writable", s.lang, {part.string(), ec.message()}));
    return platform::syncDirectory(s.dir / "media");
}

Result<std::string> Store::createRecord(std::string_view formId, std::string_view author, std::string_view kind) {
    auto form = latestForm(formId);
    if (!form.ok()) return form.error();
    forms::Session session(*form, m_impl->sessionOptions(**form));
    return m_impl->insertRecord(**form, session.answers(), author, kind);
}

Result<std::string> Store::importAnswers(std::string_view formId, const json& answers, std::string_view author,
                                         std::string_view kind) {
    Impl& s = *m_impl;
    auto form = latestForm(formId);
    if (!form.ok()) return form.error();
    forms::Session session(*form, s.sessionOptions(**form));
    auto problems = session.loadAnswers(answers);
    for (const auto& issue : session.issues())
        if (issue.kind != forms::IssueKind::Required) problems.push_back(issue);
    if (!problems.empty())
        return makeError(ErrorCode::Invalid, s.fieldError("-", problems.front().path, problems.front().message));
    return s.insertRecord(**form, session.answers(), author, kind);
}

Result<void> Store::setAnswer(std::string_view recordId, std::string_view path, const json& value) {
    auto r = m_impl->editDraft(recordId, path, [&](forms::Session& session) -> Result<int> {
        if (auto set = session.setAnswer(path, value, forms::Validation::Strict); !set.ok()) return set.error();
        return 0;
    });
    if (!r.ok()) return r.error();
    return {};
}

Result<int> Store::addRepeat(std::string_view recordId, std::string_view path) {
    return m_impl->editDraft(recordId, path, [&](forms::Session& session) { return session.addRepeat(path); });
}

Result<void> Store::removeRepeat(std::string_view recordId, std::string_view path) {
    auto r = m_impl->editDraft(recordId, path, [&](forms::Session& session) -> Result<int> {
        if (auto removed = session.removeRepeat(path); !removed.ok()) return removed.error();
        return 0;
    });
    if (!r.ok()) return r.error();
    return {};
}

Result<std::vector<forms::FieldIssue>> Store::finalize(std::string_view recordId) {
    Impl& s = *m_impl;
    Unit tx(s); // the read below is what the file holds until the commit
    if (!tx.begun().ok()) return tx.begun().error();
    Record rec;
    auto session = s.sessionFor(recordId, &rec);
    if (!session.ok()) return session.error();
    if (rec.deleted) return makeError(ErrorCode::Conflict, tr("store.deleted", s.lang, {recordId}));
    if (rec.status == Status::Finalized) return std::vector<forms::FieldIssue>{};
    auto issues = (*session)->issues();
    if (!issues.empty()) return issues;
    // The finalized record holds what the form says: relevant answers and calculated values.
    const json record = (*session)->record();
    const std::string now = nowIsoUtc();
    auto st = s.db.prepare("UPDATE records SET status = 'finalized', answers = ?, updated_at = ? WHERE id = ?");
    if (!st.ok()) return st.error();
    st->bind(1, s.sealFields(rec.id, rec.formId, rec.formVersion, record).dump()).bind(2, now).bind(3, rec.id);
    if (auto r = st->run(); !r.ok()) return s.dbError(r.error());
    json entry;
    entry["status"] = "finalized";
    entry["fields"] = changedFields(rec.answers, record);
    if (auto r = s.appendOutbox(rec.id, rec.serverVersion, "finalize", entry, now); !r.ok())
        return s.dbError(r.error());
    if (auto r = tx.commit(); !r.ok()) return r.error();
    s.dropCache();
    return std::vector<forms::FieldIssue>{};
}

Result<Record> Store::get(std::string_view recordId) {
    return m_impl->getRecord(recordId);
}

Result<void> Store::deleteRecord(std::string_view recordId) {
    Impl& s = *m_impl;
    auto rec = s.getRecord(recordId);
    if (!rec.ok()) return rec.error();
    if (rec->deleted) return {};
    const std::string now = nowIsoUtc();
    Unit tx(s);
    if (!tx.begun().ok()) return tx.begun().error();
    auto st = s.db.prepare("UPDATE records SET deleted = 1, answers = '{}', updated_at = ? WHERE id = ?");
    if (!st.ok()) return st.error();
    if (auto r = st->bind(1, now).bind(2, rec->id).run(); !r.ok()) return s.dbError(r.error());
    if (auto r = s.appendOutbox(rec->id, rec->serverVersion, "delete", json::object(), now); !r.ok())
        return s.dbError(r.error());
    if (auto r = tx.commit(); !r.ok()) return r.error();
    s.dropCache();
    return {};
}

Result<void> Store::eraseFields(std::string_view recordId, const std::vector<std::string>& fields) {
    Impl& s = *m_impl;
    if (fields.empty()) return {};
    auto rec = s.getRecord(recordId);
    if (!rec.ok()) return rec.error();
    // Freed cells are zeroed from now on, so the erased values do not linger in the file.
    if (auto r = s.db.exec("PRAGMA secure_delete = ON"); !r.ok()) return r.error();
    json answers = rec->answers;
    std::vector<std::string> erased = rec->erased;
    json entry{{"fields", json::object()}};
    for (const auto& f : fields) {
        answers.erase(f);
        entry["fields"][f] = nullptr;
        if (std::find(erased.begin(), erased.end(), f) == erased.end()) erased.push_back(f);
    }
    const std::string now = nowIsoUtc();
    {
        Unit tx(s);
        if (!tx.begun().ok()) return tx.begun().error();
        auto st = s.db.prepare("UPDATE records SET answers = ?, erased = ?, updated_at = ? WHERE id = ?");
        if (!st.ok()) return st.error();
        st->bind(1, s.sealFields(rec->id, rec->formId, rec->formVersion, answers).dump());
        st->bind(2, json(erased).dump()).bind(3, now).bind(4, rec->id);
        if (auto r = st->run(); !r.ok()) return s.dbError(r.error());
        if (auto r = s.scrubOutbox(rec->id, fields); !r.ok()) return s.dbError(r.error());
        if (auto r = s.appendOutbox(rec->id, rec->serverVersion, "erase", entry, now); !r.ok())
            return s.dbError(r.error());
        s.purgePending = true; // after the outermost commit: VACUUM cannot run inside a transaction
        if (auto r = tx.commit(); !r.ok()) return r.error();
    }
    s.dropCache();
    return {};
}

Result<std::vector<Record>> Store::list(std::optional<Status> status, bool withAnswers) {
    std::string sql = std::string("SELECT ") + Impl::kRecordColumns + " FROM records";
    if (!withAnswers) {
        const auto at = sql.find("answers");
        sql.replace(at, 7, "'{}'");
    }
    sql += " WHERE deleted = 0";
    if (status) sql += " AND status = ?";
    sql += " ORDER BY updated_at DESC, id";
    auto st = m_impl->db.prepare(sql);
    if (!st.ok()) return st.error();
    if (status) st->bind(1, statusName(*status));
    std::vector<Record> out;
    while (true) {
        auto r = st->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        out.push_back(Impl::readRecord(*st));
        ++m_impl->rowsRead;
        if (auto o = m_impl->openRecord(out.back()); !o.ok()) return o.error();
    }
    return out;
}

Result<std::vector<Record>> Store::linked(std::string_view formId, std::string_view field, std::string_view value) {
    // The path is part of the SQL text (not a parameter) so that it matches an index's expression.
    const bool plain = !field.empty() && field.size() <= 64 && std::all_of(field.begin(), field.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!plain) return makeError(ErrorCode::Invalid, tr("store.bad_link_field", m_impl->lang, {field}));
    std::vector<Record> out;
    if (value.empty()) return out;
    // Any form: one index lookup per installed form id (every record's form is installed: the foreign key).
    const std::string forms = formId.empty() ? "form_id IN (SELECT form_id FROM forms)" : "form_id = ?1";
    const std::string sql = std::string("SELECT ") + Impl::kRecordColumns + " FROM records WHERE " + forms +
                            " AND json_extract(answers, '$." + std::string(field) +
                            "') = ?2 AND deleted = 0 ORDER BY updated_at DESC, id";
    auto st = m_impl->db.prepare(sql);
    if (!st.ok()) return st.error();
    if (!formId.empty()) st->bind(1, formId);
    st->bind(2, value);
    while (true) {
        auto r = st->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        out.push_back(Impl::readRecord(*st));
        ++m_impl->rowsRead;
        if (auto o = m_impl->openRecord(out.back()); !o.ok()) return o.error();
    }
    return out;
}

std::int64_t Store::recordsRead() const {
    return m_impl->rowsRead;
}

Store::Transaction::Transaction(std::unique_ptr<Unit> unit)
    : m_unit(std::move(unit)) {}
Store::Transaction::Transaction(Transaction&&) noexcept = default;
Store::Transaction::~Transaction() = default;

const Result<void>& Store::Transaction::begun() const {
    return m_unit->begun();
}

Result<void> Store::Transaction::commit() {
    return m_unit->commit();
}

void Store::onCommit(std::function<void(std::int64_t, bool)> hook) {
    m_impl->commitHook = std::move(hook);
}

Store::Transaction Store::transaction() {
    return Transaction(std::make_unique<Unit>(*m_impl));
}

Result<std::unique_ptr<forms::Session>> Store::openSession(std::string_view recordId) {
    auto rec = m_impl->getRecord(recordId);
    if (!rec.ok()) return rec.error();
    return m_impl->loadSession(*rec);
}

Result<Store::Stamp> Store::stamp() {
    auto version = m_impl->dataVersion();
    if (!version.ok()) return version.error();
    return Stamp{m_impl->commits, *version};
}

Result<std::vector<OutboxEntry>> Store::outbox() {
    auto st = m_impl->db.prepare(
        "SELECT seq, record_id, base_version, op, changes, rejected, held_code, held_retry, edited_at FROM outbox "
        "ORDER BY seq");
    if (!st.ok()) return st.error();
    auto out = readOutbox(*st, true);
    if (!out.ok()) return out;
    for (auto& e : *out)
        if (auto o = m_impl->openChanges(e); !o.ok()) return o.error();
    return out;
}

Result<std::vector<OutboxEntry>> Store::heldOutbox() { // without the changes: nothing to open
    auto st = m_impl->db.prepare("SELECT seq, record_id, base_version, op, 'null', rejected, held_code, held_retry, "
                                 "edited_at FROM outbox WHERE rejected != '' ORDER BY seq");
    if (!st.ok()) return st.error();
    return readOutbox(*st, true);
}

Result<std::vector<std::string>> Store::outboxRecords() {
    auto st = m_impl->db.prepare("SELECT DISTINCT record_id FROM outbox ORDER BY record_id");
    if (!st.ok()) return st.error();
    std::vector<std::string> ids;
    for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        ids.push_back(st->text(0));
    }
    return ids;
}

Result<Attachment> Store::addAttachment(const fs::path& source, std::uint64_t maxBytes) {
    Impl& s = *m_impl;
    const std::string name = platform::utf8Path(source);
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(source, ec);
    if (ec) return makeError(ErrorCode::NotFound, name + ": " + ec.message());
    if (maxBytes > 0 && size > maxBytes) {
        auto mb = [&](std::uintmax_t n) { // "2,1" (French) or "2.1", to the nearest tenth; "500" when whole
            const std::uintmax_t tenths = (n + 50'000) / 100'000;
            if (tenths % 10 == 0) return std::to_string(tenths / 10);
            return std::to_string(tenths / 10) + (s.lang == Lang::Fr ? "," : ".") + std::to_string(tenths % 10);
        };
        return makeError(ErrorCode::Invalid, tr("store.attachment_too_large", s.lang,
                                                {platform::utf8Path(source.filename()), mb(size), mb(maxBytes)}));
    }
    if (s.vaultKey) { // sealed as one message (vault.hpp): read whole
        auto data = readTextFile(source);
        if (!data.ok()) return data.error();
        s.bufferPeak = std::max<std::uint64_t>(s.bufferPeak, data->size());
        return addAttachmentData(std::move(*data));
    }
    // Copied and hashed a chunk at a time into a file of its own, renamed to its hash once complete.
    std::ifstream in(source, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, name + ": cannot open");
    const fs::path incoming = s.dir / "attachments" / (".incoming-" + newUuid());
    crypto_hash_sha256_state hashing;
    crypto_hash_sha256_init(&hashing);
    std::string buf(kAttachmentChunk, '\0');
    std::uint64_t copied = 0;
    auto written = platform::writeFileDurably(incoming, [&]() -> Result<std::string_view> {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0 && in.bad()) return makeError(ErrorCode::Io, name + ": read failed");
        s.bufferPeak = std::max<std::uint64_t>(s.bufferPeak, n);
        copied += n;
        crypto_hash_sha256_update(&hashing, reinterpret_cast<const unsigned char*>(buf.data()), n);
        return std::string_view(buf.data(), n);
    });
    if (!written.ok()) return s.dbError(written.error());
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&hashing, digest.data());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    Attachment a;
    a.hash = hex.data();
    a.size = static_cast<std::int64_t>(copied);
    a.path = s.dir / "attachments" / a.hash;
    if (fs::exists(a.path, ec) && fs::file_size(a.path, ec) == copied) {
        fs::remove(incoming, ec); // already held (the same file attached twice)
    } else {
        fs::rename(incoming, a.path, ec);
        if (ec) {
            std::error_code ignored;
            fs::remove(incoming, ignored);
            return makeError(ErrorCode::Io, platform::utf8Path(a.path) + ": rename failed: " + ec.message());
        }
        if (auto d = platform::syncDirectory(a.path.parent_path()); !d.ok()) return d.error();
    }
    return s.recordAttachment(a);
}

std::uint64_t Store::attachmentBufferPeak() const {
    return m_impl->bufferPeak;
}

namespace {

constexpr std::string_view kRecordingContext = "recording";
// A recording file larger than this is read only that far (kMaxRecordingSeconds of 16 kHz mono is 19 MB).
constexpr std::uintmax_t kMaxRecordingFile = 64u << 20;

fs::path recordingFile(const fs::path& dir) {
    return dir / "recording.part";
}

} // namespace

Result<void> Store::beginRecording(std::string_view recordId, std::string_view path) {
    const std::string head = json{{"record", recordId}, {"path", path}}.dump() + "\n";
    return writeFileDurably(recordingFile(m_impl->dir), head, m_impl->dir, m_impl->lang);
}

Result<void> Store::appendRecording(std::string_view pcm) {
    if (pcm.empty()) return {};
    const std::string body = m_impl->vaultKey ? sealBytes(*m_impl->vaultKey, kRecordingContext, pcm) : std::string(pcm);
    std::string chunk;
    const auto n = static_cast<std::uint32_t>(body.size());
    for (int k = 0; k < 4; ++k)
        chunk += static_cast<char>((n >> (8 * k)) & 0xff);
    chunk += body;
    if (auto w = platform::appendFileDurably(recordingFile(m_impl->dir), chunk); !w.ok())
        return m_impl->dbError(w.error());
    return {};
}

Result<void> Store::endRecording() {
    std::error_code ec;
    fs::remove(recordingFile(m_impl->dir), ec);
    if (ec) return makeError(ErrorCode::Io, recordingFile(m_impl->dir).string() + ": " + ec.message());
    return {};
}

Result<std::optional<InterruptedRecording>> Store::interruptedRecording() {
    const fs::path file = recordingFile(m_impl->dir);
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::optional<InterruptedRecording>();
    std::ifstream in(file, std::ios::binary);
    std::string data;
    data.resize(static_cast<std::size_t>(std::min(fs::file_size(file, ec), kMaxRecordingFile)));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    const auto eol = data.find('\n');
    if (eol == std::string::npos) return std::optional<InterruptedRecording>(); // killed before its first line
    const json head = json::parse(data.substr(0, eol), nullptr, false);
    if (!head.is_object() || !head.value("record", json()).is_string() || !head.value("path", json()).is_string())
        return std::optional<InterruptedRecording>();
    InterruptedRecording out;
    out.recordId = head["record"].get<std::string>();
    out.path = head["path"].get<std::string>();
    for (std::size_t at = eol + 1; at + 4 <= data.size();) {
        std::size_t n = 0;
        for (std::size_t k = 0; k < 4; ++k)
            n |= static_cast<std::size_t>(static_cast<unsigned char>(data[at + k])) << (8 * k);
        if (n > data.size() - at - 4) break; // the chunk the kill cut
        const std::string_view body = std::string_view(data).substr(at + 4, n);
        if (m_impl->vaultKey) {
            auto opened = openBytes(*m_impl->vaultKey, kRecordingContext, body);
            if (!opened) break;
            out.pcm += *opened;
        } else {
            out.pcm += body;
        }
        at += 4 + n;
    }
    return std::optional<InterruptedRecording>(std::move(out));
}

Result<Attachment> Store::addAttachmentData(std::string data) {
    Impl& s = *m_impl;
    Attachment a;
    a.hash = sha256Hex(data);
    a.size = static_cast<std::int64_t>(data.size());
    a.path = s.dir / "attachments" / a.hash;
    // Encrypted store: the file holds the sealed bytes (a photo of a person is personal data); the
    // hash stays that of the content, which is what the server knows it by.
    if (s.vaultKey) data = sealBytes(*s.vaultKey, "attachment:" + a.hash, data);
    std::error_code ec;
    if (!fs::exists(a.path, ec) || fs::file_size(a.path, ec) != data.size()) {
        if (auto w = writeFileDurably(a.path, data, s.dir, s.lang); !w.ok()) return w.error();
    }
    return s.recordAttachment(a);
}

Result<Attachment> Store::attachment(std::string_view sha256) {
    auto st = m_impl->db.prepare("SELECT hash, size, path, upload FROM attachments WHERE hash = ?");
    if (!st.ok()) return st.error();
    st->bind(1, sha256);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return makeError(ErrorCode::NotFound, "no attachment " + std::string(sha256));
    return Attachment{st->text(0), st->integer(1), platform::resolveStoredPath(m_impl->dir, st->text(2)), st->text(3)};
}

Result<std::string> Store::attachmentData(std::string_view sha256) {
    auto a = attachment(sha256);
    if (!a.ok()) return a.error();
    auto data = readTextFile(a->path);
    if (!data.ok()) return data.error();
    if (!isSealedBytes(*data)) return data;
    std::optional<std::string> clear;
    if (m_impl->vaultKey) clear = openBytes(*m_impl->vaultKey, "attachment:" + a->hash, *data);
    if (!clear)
        return makeError(ErrorCode::Invalid, tr("store.sealed_damaged", m_impl->lang, {"attachments", a->hash}));
    return *clear;
}

Result<std::string> Store::attachmentRange(std::string_view sha256, std::uint64_t offset, std::size_t n) {
    auto a = attachment(sha256);
    if (!a.ok()) return a.error();
    std::ifstream in(a->path, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, platform::utf8Path(a->path) + ": cannot open");
    std::string head(16, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (isSealedBytes(head)) {
        Impl& s = *m_impl;
        if (s.openSealedSha != sha256) {
            auto whole = attachmentData(sha256);
            if (!whole.ok()) return whole.error();
            s.openSealedSha = std::string(sha256);
            s.openSealedPlain = std::move(*whole);
        }
        std::string out = offset >= s.openSealedPlain.size()
                              ? std::string()
                              : s.openSealedPlain.substr(static_cast<std::size_t>(offset), n);
        if (offset + n >= s.openSealedPlain.size()) {
            s.openSealedSha.clear();
            std::string().swap(s.openSealedPlain);
        }
        return out;
    }
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    std::string out(n, '\0');
    in.read(out.data(), static_cast<std::streamsize>(n));
    if (in.bad()) return makeError(ErrorCode::Io, platform::utf8Path(a->path) + ": read failed");
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

Result<void> Store::setAttachmentUpload(std::string_view sha256, std::string_view state) {
    Unit tx(*m_impl);
    if (!tx.begun().ok()) return tx.begun().error();
    auto st = m_impl->db.prepare("UPDATE attachments SET upload = ? WHERE hash = ?");
    if (!st.ok()) return st.error();
    if (auto r = st->bind(1, state).bind(2, sha256).run(); !r.ok()) return m_impl->dbError(r.error());
    return tx.commit();
}

Result<void> Store::checkpoint() {
    if (auto r = m_impl->db.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r.ok()) return m_impl->dbError(r.error());
    return {};
}

Result<std::string> Store::setting(std::string_view key, std::string_view fallback) {
    auto st = m_impl->db.prepare("SELECT value FROM meta WHERE key = ?");
    if (!st.ok()) return st.error();
    st->bind(1, "setting." + std::string(key));
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::string(fallback);
    std::string value = st->text(0);
    if (Impl::secretSetting(key) && value.rfind("v1:", 0) == 0) {
        std::optional<std::string> clear;
        if (m_impl->vaultKey) clear = openText(*m_impl->vaultKey, "setting:" + std::string(key), value);
        if (!clear) return makeError(ErrorCode::Invalid, tr("store.sealed_damaged", m_impl->lang, {"meta", key}));
        return *clear;
    }
    return value;
}

Result<void> Store::setSetting(std::string_view key, std::string_view value) {
    Unit tx(*m_impl);
    if (!tx.begun().ok()) return tx.begun().error();
    auto st = m_impl->db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st.ok()) return st.error();
    const bool seal = m_impl->vaultKey && Impl::secretSetting(key) && !value.empty();
    st->bind(1, "setting." + std::string(key));
    st->bind(2, seal ? sealText(*m_impl->vaultKey, "setting:" + std::string(key), value) : std::string(value));
    if (auto r = st->run(); !r.ok()) return m_impl->dbError(r.error());
    return tx.commit();
}

Result<std::vector<OutboxEntry>> Store::pendingOutbox(std::size_t limit) {
    auto st = m_impl->db.prepare(
        "SELECT seq, record_id, base_version, op, changes FROM outbox WHERE rejected = '' ORDER BY seq LIMIT ?");
    if (!st.ok()) return st.error();
    st->bind(1, static_cast<std::int64_t>(limit));
    auto out = readOutbox(*st);
    if (!out.ok()) return out;
    for (auto& e : *out)
        if (auto o = m_impl->openChanges(e); !o.ok()) return o.error();
    return out;
}

Result<std::vector<OutboxEntry>> Store::pendingOutboxText(std::int64_t afterSeq, std::size_t limit, bool withHeld) {
    // A write transaction: no edit is merged into an entry between this read and the mark below.
    Unit tx(*m_impl);
    if (!tx.begun().ok()) return tx.begun().error();
    auto st = m_impl->db.prepare("SELECT seq, record_id, base_version, op, changes, edited_at FROM outbox "
                                 "WHERE seq > ? AND (rejected = '' OR (? AND held_retry = 1)) ORDER BY seq LIMIT ?");
    if (!st.ok()) return st.error();
    st->bind(1, afterSeq).bind(2, std::int64_t{withHeld ? 1 : 0}).bind(3, static_cast<std::int64_t>(limit));
    std::vector<OutboxEntry> out;
    while (true) {
        auto r = st->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        OutboxEntry e;
        e.seq = st->integer(0);
        e.recordId = st->text(1);
        e.baseVersion = st->integer(2);
        e.op = st->text(3);
        e.changesText = st->text(4);
        e.editedAt = st->text(5);
        // The push needs clear values: sealed ones are opened here, as the body is built.
        if (m_impl->vaultKey && e.changesText.find("\"$sealed\"") != std::string::npos) {
            e.changes = json::parse(e.changesText, nullptr, false);
            if (auto o = m_impl->openChanges(e); !o.ok()) return o.error();
            e.changesText = e.changes.dump();
            e.changes = nullptr;
        }
        out.push_back(std::move(e));
    }
    st->reset();
    if (!out.empty()) {
        auto sent = m_impl->sentThrough();
        if (!sent.ok()) return sent.error();
        if (out.back().seq > *sent)
            if (auto r = m_impl->setMeta(kSentThrough, std::to_string(out.back().seq)); !r.ok()) return r.error();
    }
    if (auto r = tx.commit(); !r.ok()) return r.error();
    return out;
}

Result<void> Store::acknowledge(const std::vector<PushAck>& acks) {
    Impl& s = *m_impl;
    Unit tx(s);
    if (!tx.begun().ok()) return tx.begun().error();
    auto del = s.db.prepare("DELETE FROM outbox WHERE seq = ?");
    auto rej = s.db.prepare("UPDATE outbox SET rejected = ?, held_code = ?, held_retry = ? WHERE seq = ?");
    auto ver = s.db.prepare("UPDATE records SET server_version = max(server_version, ?) "
                            "WHERE id = (SELECT record_id FROM outbox WHERE seq = ?)");
    if (!del.ok() || !rej.ok() || !ver.ok()) return makeError(ErrorCode::Io, "prepare failed");
    for (const auto& a : acks) { // a discarded entry leaves the outbox like an accepted one
        if (a.rejected) {
            rej->bind(1, a.reason.empty() ? std::string("rejected") : a.reason).bind(2, a.code);
            rej->bind(3, std::int64_t{a.mayPass ? 1 : 0}).bind(4, a.seq);
            if (auto r = rej->run(); !r.ok()) return s.dbError(r.error());
            continue;
        }
        ver->bind(1, a.version).bind(2, a.seq);
        if (auto r = ver->run(); !r.ok()) return s.dbError(r.error());
        del->bind(1, a.seq);
        if (auto r = del->run(); !r.ok()) return s.dbError(r.error());
    }
    if (auto r = tx.commit(); !r.ok()) return r.error();
    return {};
}

Result<int> Store::applyPulled(const std::vector<PulledRecord>& records, std::string_view cursor) {
    Impl& s = *m_impl;
    const std::string now = nowIsoUtc();
    Unit tx(s);
    if (!tx.begun().ok()) return tx.begun().error();
    int applied = 0;
    bool newlyErased = false;
    // Prepared once per page, not once per record (a page holds up to 500): each use resets first.
    // Held entries that may still pass are the device's unsent changes too.
    auto pending = s.db.prepare("SELECT changes FROM outbox WHERE record_id = ? AND (rejected = '' OR held_retry = 1)");
    auto current = s.db.prepare(std::string("SELECT ") + Impl::kRecordColumns + " FROM records WHERE id = ?");
    auto update = s.db.prepare("UPDATE records SET answers = ?, status = ?, form_version = ?, server_version = "
                               "max(server_version, ?), conflicts = ?, updated_at = ?, erased = ?, conflict_values = ? "
                               "WHERE id = ?");
    auto insert =
        s.db.prepare("INSERT INTO records(id, kind, form_id, form_version, status, answers, author, created_at, "
                     "updated_at, server_version, conflicts, erased, conflict_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?, ?, ?)");
    if (!pending.ok()) return pending.error();
    if (!current.ok()) return current.error();
    if (!update.ok()) return update.error();
    if (!insert.ok()) return insert.error();
    for (const PulledRecord& p : records) {
        // Fields with unsent local changes keep their local value: the next push carries them.
        pending->reset();
        pending->bind(1, p.id);
        std::set<std::string> localFields;
        bool localStatus = false, localFormVersion = false;
        while (true) {
            auto r = pending->step();
            if (!r.ok()) return r.error();
            if (!*r) break;
            const json c = json::parse(pending->text(0), nullptr, false);
            if (c.is_object() && c.contains("fields") && c["fields"].is_object())
                for (const auto& [k, v] : c["fields"].items())
                    localFields.insert(k);
            if (c.is_object() && c.contains("status")) localStatus = true;
            if (c.is_object() && c.contains("form_version")) localFormVersion = true; // a pending migration
        }
        current->reset();
        current->bind(1, p.id);
        auto found = current->step();
        if (!found.ok()) return found.error();
        std::optional<Record> existing;
        if (*found) {
            existing = Impl::readRecord(*current);
            if (auto o = s.openFields(existing->id, existing->answers); !o.ok()) return o.error();
        }
        current->reset(); // no read left open on records while this page writes them
        if (p.status == "deleted") {
            // Deletion wins: the tombstone replaces the record and its unsent changes.
            auto drop = s.db.prepare("DELETE FROM outbox WHERE record_id = ?");
            if (!drop.ok()) return drop.error();
            if (auto r = drop->bind(1, p.id).run(); !r.ok()) return s.dbError(r.error());
            if (existing) {
                auto up = s.db.prepare("UPDATE records SET deleted = 1, answers = '{}', server_version = "
                                       "max(server_version, ?), conflicts = '[]', conflict_values = '{}', "
                                       "updated_at = ? WHERE id = ?");
                if (!up.ok()) return up.error();
                if (auto r = up->bind(1, p.version).bind(2, now).bind(3, p.id).run(); !r.ok())
                    return s.dbError(r.error());
            } else {
                auto ins = s.db.prepare("INSERT INTO records(id, kind, form_id, form_version, status, answers, author, "
                                        "created_at, updated_at, server_version, deleted) "
                                        "VALUES (?, ?, ?, ?, 'draft', '{}', ?, ?, ?, ?, 1)");
                if (!ins.ok()) return ins.error();
                ins->bind(1, p.id).bind(2, p.kind.empty() ? std::string("interview") : p.kind).bind(3, p.formId);
                ins->bind(4, p.formVersion).bind(5, p.author).bind(6, now).bind(7, now).bind(8, p.version);
                if (auto r = ins->run(); !r.ok()) return s.dbError(r.error());
            }
            ++applied;
            continue;
        }
        if (existing)
            for (const auto& f : p.erased)
                if (std::find(existing->erased.begin(), existing->erased.end(), f) == existing->erased.end())
                    newlyErased = true;
        if (!p.erased.empty()) {
            // Erased fields leave the unsent changes too: they would be discarded, and no copy may stay.
            if (auto r = s.scrubOutbox(p.id, p.erased); !r.ok()) return s.dbError(r.error());
            for (const auto& f : p.erased)
                localFields.erase(f);
        }
        json answers = p.answers;
        // "erased" is the server's word for a record that lost personal fields; the device keeps its
        // draft/finalized status and the erased list.
        std::string status = p.status == "finalized" ? "finalized" : "draft";
        if (existing) {
            for (const auto& f : localFields) {
                if (existing->answers.contains(f))
                    answers[f] = existing->answers[f];
                else
                    answers.erase(f);
            }
            if (localStatus || existing->status == Status::Finalized)
                status = std::string(statusName(existing->status));
            const bool localChanges = !localFields.empty() || localFormVersion;
            if (existing->serverVersion > p.version && !localChanges) continue; // older than what we have
            std::vector<std::string> erased = existing->erased;
            for (const auto& f : p.erased) {
                answers.erase(f);
                if (std::find(erased.begin(), erased.end(), f) == erased.end()) erased.push_back(f);
            }
            update
                ->bind(1, s.sealFields(p.id, existing->formId, localChanges ? existing->formVersion : p.formVersion,
                                       answers)
                              .dump())
                .bind(2, status)
                .bind(3, localChanges ? existing->formVersion : p.formVersion);
            update->bind(4, p.version).bind(5, json(p.conflicts).dump()).bind(6, now).bind(7, json(erased).dump());
            update->bind(8, s.sealConflictValues(p.id, p.conflictValues)).bind(9, p.id);
            if (auto r = update->run(); !r.ok()) return s.dbError(r.error());
        } else {
            insert->bind(1, p.id).bind(2, p.kind.empty() ? std::string("interview") : p.kind).bind(3, p.formId);
            insert->bind(4, p.formVersion)
                .bind(5, status)
                .bind(6, s.sealFields(p.id, p.formId, p.formVersion, answers).dump());
            insert->bind(7, p.author).bind(8, now).bind(9, now).bind(10, p.version).bind(11, json(p.conflicts).dump());
            insert->bind(12, json(p.erased).dump()).bind(13, s.sealConflictValues(p.id, p.conflictValues));
            if (auto r = insert->run(); !r.ok()) return s.dbError(r.error());
        }
        ++applied;
    }
    auto cur = s.db.prepare("INSERT INTO meta(key, value) VALUES ('sync.cursor', ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!cur.ok()) return cur.error();
    cur->bind(1, cursor);
    if (auto r = cur->run(); !r.ok()) return s.dbError(r.error());
    if (newlyErased) s.purgePending = true;
    if (auto r = tx.commit(); !r.ok()) return r.error();
    s.dropCache();
    return applied;
}

Result<std::string> Store::syncCursor() {
    auto st = m_impl->db.prepare("SELECT value FROM meta WHERE key = 'sync.cursor'");
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return row.error();
    return *row ? st->text(0) : std::string();
}

Result<Store::SyncCounts> Store::syncCounts() {
    auto st = m_impl->db.prepare("SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM records WHERE "
                                 "deleted = 0 AND status = 'draft' AND migration_note != '')");
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return row.error();
    SyncCounts c;
    if (*row) {
        c.pending = st->integer(0);
        c.draftsBehind = st->integer(1);
    }
    return c;
}

bool Store::encrypted() const {
    return m_impl->vaultKey != nullptr;
}

std::shared_ptr<const DataKey> Store::dataKey() const {
    return m_impl->vaultKey;
}

Result<void> Store::changePin(std::string_view oldPin, std::string_view newPin) {
    Impl& s = *m_impl;
    auto stored = s.metaValue("vault.key");
    if (!stored.ok()) return stored.error();
    if (!*stored) return makeError(ErrorCode::Conflict, tr("store.not_encrypted", s.lang, {s.dir.string()}));
    auto sealed = SealedKey::fromJson(json::parse(**stored, nullptr, false));
    if (!sealed.ok()) return sealed.error();
    if (!unsealKey(*sealed, oldPin).ok()) return makeError(ErrorCode::Invalid, tr("store.wrong_pin", s.lang));
    if (newPin.size() < kMinPinLength || newPin.size() > kMaxPinLength)
        return makeError(ErrorCode::Invalid, tr("store.pin_length", s.lang, {std::to_string(kMinPinLength)}));
    // The same data key under the new PIN (fresh salt): not one record is rewritten.
    auto resealed = sealKey(*s.vaultKey, newPin, sealed->limits);
    if (!resealed.ok()) return resealed.error();
    if (auto r = s.setMeta("vault.key", resealed->toJson().dump()); !r.ok()) return r;
    // The old sealed key is a copy the old PIN opens: gone from free pages and the WAL.
    s.purgeFreed();
    return {};
}

namespace {

// Opens DIR/carnet.db for a question that needs no PIN; nullopt when there is no store.
Result<std::optional<Db>> openBare(const fs::path& dataDir) {
    const fs::path file = dataDir / "carnet.db";
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::optional<Db>{};
    auto db = Db::open(file, DbOptions{});
    if (!db.ok()) return db.error();
    return std::optional<Db>(std::move(*db));
}

// A count over the outbox of DIR's store, without the PIN; 0 when there is no store or no outbox yet.
Result<std::int64_t> countOutbox(const fs::path& dataDir, const char* sql) {
    auto db = openBare(dataDir);
    if (!db.ok()) return db.error();
    if (!*db) return std::int64_t{0};
    auto n = (*db)->scalar("SELECT count(*) FROM sqlite_master WHERE name = 'outbox'");
    if (!n.ok()) return n.error();
    if (*n == 0) return std::int64_t{0};
    return (*db)->scalar(sql);
}

} // namespace

Result<bool> Store::needsPin(const fs::path& dataDir) {
    auto db = openBare(dataDir);
    if (!db.ok()) return db.error();
    if (!*db) return false;
    auto n = (*db)->scalar("SELECT count(*) FROM sqlite_master WHERE name = 'meta'");
    if (!n.ok()) return n.error();
    if (*n == 0) return false;
    auto k = (*db)->scalar("SELECT count(*) FROM meta WHERE key = 'vault.key'");
    if (!k.ok()) return k.error();
    return *k > 0;
}

Result<std::int64_t> Store::unsyncedCount(const fs::path& dataDir) {
    return countOutbox(dataDir, "SELECT count(*) FROM outbox");
}

Result<std::int64_t> Store::unsyncedRecords(const fs::path& dataDir) {
    return countOutbox(dataDir, "SELECT count(DISTINCT record_id) FROM outbox");
}

Result<void> Store::reset(const fs::path& dataDir) {
    std::error_code ec;
    for (const char* name : {"carnet.db", "carnet.db-wal", "carnet.db-shm", "carnet.db-journal"}) {
        fs::remove(dataDir / name, ec);
        if (ec) return makeError(ErrorCode::Io, tr("store.not_writable", Lang::En, {dataDir.string(), ec.message()}));
    }
    fs::remove_all(dataDir / "attachments", ec);
    if (!ec) fs::remove_all(dataDir / "media", ec);
    if (ec) return makeError(ErrorCode::Io, tr("store.not_writable", Lang::En, {dataDir.string(), ec.message()}));
    // The removals reach the disk before the caller sets up a new store in the folder.
    if (fs::is_directory(dataDir, ec)) return platform::syncDirectory(dataDir);
    return {};
}

Result<bool> Store::integrityOk() {
    auto st = m_impl->db.prepare("PRAGMA integrity_check");
    if (!st.ok()) return st.error();
    auto r = st->step();
    if (!r.ok()) return r.error();
    return *r && st->text(0) == "ok";
}

} // namespace carnet::store
