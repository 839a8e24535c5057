#include "server/sync_service.hpp"

#include "server/repeat_merge.hpp"

#include "forms/loader.hpp"
#include "forms/session.hpp"
#include "sync/canonical_json.hpp"

#include <algorithm>
#include <optional>
#include <set>

namespace carnet::server {

using nlohmann::json;
using sync::MutationResult;
using sync::MutationStatus;

namespace {

constexpr std::size_t kDefaultPullLimit = 500;

std::string stringOr(const json& obj, const char* key, std::string fallback) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

MutationResult rejected(std::int64_t seq, std::string_view code, std::string reason) {
    MutationResult r;
    r.seq = seq;
    r.status = MutationStatus::Rejected;
    r.reason = std::move(reason);
    r.code = std::string(code);
    return r;
}

// Deletion wins, and erased fields are never written again: the device drops the mutation.
MutationResult discarded(std::int64_t seq, std::int64_t version) {
    MutationResult r;
    r.seq = seq;
    r.status = MutationStatus::Discarded;
    r.version = version;
    return r;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

// Personal-data erasure: the fields become null now and in every kept version, and stay erased.
Result<MutationResult> applyErase(WriteTx& tx, const User& user, std::string_view deviceId, const sync::Mutation& m,
                                  RecordState state, const nlohmann::json& fieldsIn) {
    const std::int64_t newVersion = state.version + 1;
    std::vector<std::string> fields;
    for (const auto& [field, value] : fieldsIn.items()) {
        (void)value;
        if (field.empty()) return rejected(m.seq, sync::reject::kBadMutation, "a field name is empty");
        fields.push_back(field);
        if (!contains(state.erased, field)) state.erased.push_back(field);
        state.answers.erase(field);
        state.fields[field] = FieldMeta{nullptr, newVersion, std::string(deviceId)};
    }
    if (state.status != "deleted") state.status = "erased";
    state.version = newVersion;
    if (auto r = tx.saveVersion(state, versionRowOf(state, deviceId, user.name, fields)); !r.ok()) return r.error();
    if (auto r = tx.scrubFields(state.recordId, fields, state.erased, newVersion); !r.ok()) return r.error();
    MutationResult out;
    out.seq = m.seq;
    out.version = newVersion;
    return out;
}

// Applies one mutation inside the batch's transaction. An Error aborts the whole batch (storage
// failure); a refusal is a Rejected result and changes nothing.
// Published form versions already checked in one push ("form_id\nversion").
using KnownForms = std::set<std::string, std::less<>>;

// `formId` receives the record's form once it is known.
Result<MutationResult> applyOne(WriteTx& tx, const User& user, std::string_view deviceId, const sync::Mutation& m,
                                KnownForms& knownForms, std::string& formId) {
    auto loaded = tx.loadRecord(m.recordId);
    if (!loaded.ok()) return loaded.error();
    RecordState state;
    const bool isNew = !loaded->has_value();

    // A new record's answers read as canonical text (readCanonicalPush: only values, every one named)
    // are stored as that text: no tree, no serialising them again, and its history lists them as
    // changed without a list of its own (VersionRow::changedEveryAnswer). Anything else is merged
    // field by field.
    std::vector<std::string> changed;
    const bool keepText = isNew && !m.fieldsText.empty();
    const json noFields = json::object();
    json parsedFields;
    const json* fieldsPtr = &noFields;
    if (!m.fieldsText.empty()) {
        if (!keepText) {
            parsedFields = sync::fieldsOf(m);
            fieldsPtr = &parsedFields;
        }
    } else if (auto fi = m.changes.find("fields"); fi != m.changes.end() && fi->is_object()) {
        fieldsPtr = &*fi;
    }
    const json& fieldsIn = *fieldsPtr;
    if (isNew) {
        if (m.op != "create") return rejected(m.seq, sync::reject::kUnknownRecord, "unknown record " + m.recordId);
        state.recordId = m.recordId;
        state.formId = stringOr(m.changes, "form_id", "");
        state.formVersion = stringOr(m.changes, "form_version", "");
        if (state.formId.empty() || state.formVersion.empty())
            return rejected(m.seq, sync::reject::kBadMutation, "create needs 'form_id' and 'form_version'");
        state.orgId = user.orgId;
        state.orgName = user.orgName;
        state.createdBy = user.id;
        state.kind = stringOr(m.changes, "kind", "record");
        state.author = stringOr(m.changes, "author", user.name);
        state.status = "draft";
    } else {
        state = std::move(**loaded);
        // One answer for another organisation's record and a record of a colleague: which one it is
        // is not for the pusher to learn. The device keeps the entry and sends it again: an assignment
        // made later lets it pass.
        if (state.orgId != user.orgId || !visible(scopeOf(user), state))
            return rejected(m.seq, sync::reject::kNotAssigned,
                            "record " + m.recordId + " is not one user " + user.name + " may change");
        if (m.baseVersion > state.version)
            return rejected(m.seq, sync::reject::kBaseAhead,
                            "base_version " + std::to_string(m.baseVersion) + " is ahead of the server's " +
                                std::to_string(state.version) + " for record " + m.recordId);
        formId = state.formId;
        if (m.op == "erase") return applyErase(tx, user, deviceId, m, std::move(state), fieldsIn);
        if (state.status == "deleted") return discarded(m.seq, state.version);
        if (m.op == "delete") {
            state.status = "deleted";
            state.answers = json::object();
            state.version += 1;
            if (auto r = tx.saveVersion(state, versionRowOf(state, deviceId, user.name, {})); !r.ok()) return r.error();
            MutationResult out;
            out.seq = m.seq;
            out.version = state.version;
            return out;
        }
        if (m.op == "create") {
            // The same id is the same record: a create that arrives again (another device, a reset
            // outbox) merges into it like a set based on version 0, never a duplicate.
            if (stringOr(m.changes, "form_id", state.formId) != state.formId)
                return rejected(m.seq, sync::reject::kFormMismatch,
                                "record " + m.recordId + " already exists with form " + state.formId);
        }
    }
    formId = state.formId;
    if (m.op == "create" || m.op == "migrate") {
        const std::string version = stringOr(m.changes, "form_version", "");
        if (m.op == "migrate" && version.empty())
            return rejected(m.seq, sync::reject::kBadMutation, "migrate needs 'form_version'");
        if (!version.empty()) {
            std::string key = state.formId + '\n' + version;
            if (!knownForms.contains(key)) {
                auto exists = tx.formExists(user.orgId, state.formId, version);
                if (!exists.ok()) return exists.error();
                if (!*exists)
                    return rejected(m.seq, sync::reject::kUnknownFormVersion,
                                    "unknown form version " + state.formId + " " + version);
                knownForms.insert(std::move(key));
            }
            if (isNew || m.op == "migrate") state.formVersion = version;
        }
    }
    if (m.op == "finalize" && state.status != "erased") state.status = stringOr(m.changes, "status", "finalized");
    // A create compacted with the finalize after it (store/store.hpp, StoreOptions::compactOutbox).
    if (m.op == "create" && state.status != "erased" && stringOr(m.changes, "status", "") == "finalized")
        state.status = "finalized";

    const std::int64_t newVersion = state.version + 1;
    if (keepText) state.answersText = m.fieldsText;
    std::vector<std::string> conflicted;
    std::vector<std::pair<std::string, std::vector<ConflictValue>>> conflictValues;
    std::size_t erasedWrites = 0;
    std::optional<json> baseAnswers; // the answers at m.baseVersion, read when a repeat needs merging
    for (const auto& [field, value] : fieldsIn.items()) {
        if (field.empty()) return rejected(m.seq, sync::reject::kBadMutation, "a field name is empty");
        if (contains(state.erased, field)) { // erased for good: this write is dropped
            ++erasedWrites;
            continue;
        }
        auto meta = state.fields.find(field);
        json written = value;
        // An already open conflict only gains the new value.
        auto conflict = [&](const std::string& at, const json& theirs, const json& mine) {
            std::vector<ConflictValue> values;
            if (std::find(state.conflicts.begin(), state.conflicts.end(), at) == state.conflicts.end())
                values.push_back(ConflictValue{theirs, meta->second.deviceId, meta->second.version});
            values.push_back(ConflictValue{mine, std::string(deviceId), newVersion});
            conflictValues.emplace_back(at, std::move(values));
            conflicted.push_back(at);
        };
        if (meta != state.fields.end() && meta->second.version > m.baseVersion && meta->second.deviceId != deviceId &&
            meta->second.value != value) {
            if (isInstanceList(value) && isInstanceList(meta->second.value)) {
                // A repeat both sides changed: merged instance by instance and field by field against
                // the version this write started from; only the same field of the same instance
                // changed to two values, or an instance removed on one side and edited on the other,
                // is a conflict (on its path, "membres[<id>]/prenom").
                if (!baseAnswers) {
                    auto at = tx.answersAt(state.recordId, m.baseVersion);
                    if (!at.ok()) return at.error();
                    baseAnswers = at->value_or(json::object());
                }
                std::vector<RepeatConflict> inside;
                written = mergeRepeat(field, baseAnswers->is_object() ? baseAnswers->value(field, json()) : json(),
                                      meta->second.value, value, inside);
                if (written.empty()) written = nullptr;
                for (const auto& c : inside)
                    conflict(c.path, c.theirs, c.mine);
            } else {
                // Changed since the base by another device to something else: this value wins
                // (arrival order), both are kept.
                conflict(field, meta->second.value, value);
            }
        }
        // A new record's own answers need no metadata: the repository implies it (version 1, this
        // device, the value). Only a null it was created with is kept.
        if (!isNew || written.is_null()) state.fields[field] = FieldMeta{written, newVersion, std::string(deviceId)};
        if (written.is_null())
            state.answers.erase(field);
        else
            state.answers[field] = written;
        changed.push_back(field);
    }
    if (erasedWrites > 0 && erasedWrites == fieldsIn.size() && m.op == "set") return discarded(m.seq, state.version);
    // Clean: based on the current version, or on an older one when the current version is this
    // device's own clean write (its offline edits queued before the server acknowledged its create
    // are based on version 0; nobody else wrote in between, so it is not a merge).
    const bool cleanApply =
        conflicted.empty() && (isNew || m.baseVersion >= newVersion - 1 || state.echoDevice == deviceId);
    // The device holds exactly the new version when it wrote on top of a version it held itself (a
    // new record, or its own previous clean write) and nothing of its write was dropped: its pull
    // then skips the record instead of downloading its own answers again.
    const bool echo = cleanApply && erasedWrites == 0 && (isNew || state.echoDevice == deviceId);
    state.version = newVersion;

    VersionRow row = versionRowOf(state, deviceId, user.name, changed);
    row.changedEveryAnswer = keepText;
    row.editedAt = m.editedAt;
    if (echo) row.echoDevice = std::string(deviceId);
    if (auto r = tx.saveVersion(state, row); !r.ok()) return r.error();
    for (const auto& [field, values] : conflictValues)
        if (auto r = tx.addConflict(state.recordId, field, values); !r.ok()) return r.error();

    MutationResult out;
    out.seq = m.seq;
    out.version = newVersion;
    if (!conflicted.empty()) {
        out.status = MutationStatus::Conflict;
        out.fields = std::move(conflicted);
    } else if (cleanApply) {
        out.status = MutationStatus::Applied;
    } else {
        out.status = MutationStatus::Merged;
        out.fields = std::move(changed);
    }
    return out;
}

// A coordinator's edit: at most this many answers at once, each named in at most this many bytes.
constexpr std::size_t kMaxEditFields = 200;
constexpr std::size_t kMaxEditFieldName = 128;

// The questions a coordinator edits in the console: a value typed or chosen at the record's top
// level. Repeats, attachments, drawn lines and shapes, notes, calculations and choices read from a
// media file (not loaded here, so not checkable) stay the device's.
bool editable(const forms::Item& item) {
    if (item.repeat != -1 || !item.choiceFile.empty()) return false;
    using forms::ItemType;
    switch (item.type) {
    case ItemType::Text:
    case ItemType::Integer:
    case ItemType::Decimal:
    case ItemType::SelectOne:
    case ItemType::SelectMultiple:
    case ItemType::Date:
    case ItemType::Time:
    case ItemType::DateTime:
    case ItemType::Phone:
    case ItemType::Email:
    case ItemType::Acknowledge:
    case ItemType::Range:
    case ItemType::Geopoint:
    case ItemType::Barcode:
        return true;
    default:
        return false;
    }
}

RecordEdit refusedEdit(EditRefusal why, std::int64_t version, std::vector<std::string> fields, std::string message) {
    RecordEdit out;
    out.refusal = why;
    out.version = version;
    out.fields = std::move(fields);
    out.message = std::move(message);
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The answers an edit writes: each value set through a form session of the record's version as a
// device sets it (strict: type, constraint, pattern, choice filter; normalised), and the top-level
// answers that then differ, so calculations following an edited answer are written with it. A draft
// keeps every answer (Session::answers), any other record what finalizing keeps (Session::record),
// and must stay complete on the edited questions. Sets `out.refusal` when the form refuses.
json editedAnswers(const std::shared_ptr<const forms::Form>& form, const RecordState& record, const json& fields,
                   Lang lang, RecordEdit& out) {
    forms::SessionOptions options;
    options.language = std::string(langCode(lang));
    forms::Session session(form, options);
    // Lenient: an answer the version does not declare stays as stored (it is in neither snapshot).
    session.loadAnswers(record.answers);
    const bool draft = record.status == "draft";
    auto snapshot = [&] { return draft ? session.answers() : session.record(); };
    const json before = snapshot();
    for (const auto& [name, value] : fields.items()) {
        const forms::Item* item = form->find(name);
        if (item == nullptr || !editable(*item)) {
            out = refusedEdit(EditRefusal::NotEditable, record.version, {name},
                              name + ": not a question of " + record.formId + " " + record.formVersion +
                                  " that the console edits (repeats, photos and calculations are edited on devices)");
            return json::object();
        }
        // The question by its label and the form's own message, both in the coordinator's language.
        if (auto set = session.setAnswer(name, value, forms::Validation::Strict); !set.ok()) {
            out = refusedEdit(EditRefusal::Invalid, record.version, {name},
                              tr("server.edit.refused_answer", lang,
                                 {item->label.get(langCode(lang), form->defaultLanguage), set.error().message}));
            return json::object();
        }
    }
    if (!draft)
        for (const auto& issue : session.issues())
            if (fields.contains(issue.path)) {
                const forms::Item* item = form->find(issue.path);
                out = refusedEdit(
                    EditRefusal::Invalid, record.version, {issue.path},
                    tr("server.edit.refused_answer", lang,
                       {item ? item->label.get(langCode(lang), form->defaultLanguage) : issue.path, issue.message}));
                return json::object();
            }
    const json after = snapshot();
    json changes = json::object();
    for (const auto& [k, v] : after.items())
        if (!before.contains(k) || before[k] != v) changes[k] = v;
    for (const auto& [k, v] : before.items())
        if (!after.contains(k)) changes[k] = nullptr;
    return changes;
}

// The record as pulled, but for its answers (sent as stored: sync::appendJson).
sync::RemoteRecord toRemote(const RecordState& r) {
    sync::RemoteRecord out;
    out.recordId = r.recordId;
    out.version = r.version;
    out.kind = r.kind;
    out.formId = r.formId;
    out.formVersion = r.formVersion;
    out.status = r.status;
    out.author = r.author;
    out.org = r.orgName;
    out.conflicts = r.conflicts;
    out.conflictValues = r.conflictValues;
    out.erased = r.erased;
    return out;
}

} // namespace

Result<PushReply> SyncService::push(const User& user, std::string_view deviceId,
                                    const std::vector<sync::Mutation>& mutations, const AlsoInPush& also) {
    if (mutations.size() > sync::kMaxPushBatch)
        return makeError(ErrorCode::Invalid, "at most " + std::to_string(sync::kMaxPushBatch) + " mutations per push");
    for (std::size_t i = 1; i < mutations.size(); ++i)
        if (mutations[i].seq <= mutations[i - 1].seq)
            return makeError(ErrorCode::Invalid, "mutations must be in strictly increasing 'seq' order (seq " +
                                                     std::to_string(mutations[i].seq) + ")");
    PushReply reply;
    if (mutations.empty()) {
        if (!also) return reply;
        auto r = m_repo.write([&](WriteTx& tx) { return also(tx, reply); });
        if (!r.ok()) return r.error();
        return reply;
    }
    const bool erasing =
        std::any_of(mutations.begin(), mutations.end(), [](const sync::Mutation& m) { return m.op == "erase"; });
    auto r = m_repo.write([&](WriteTx& tx) -> Result<void> {
        reply.results.clear();
        reply.written.clear();
        // A retried push: what was applied before answers as it did then (exactly once).
        auto stored = tx.storedResults(deviceId, mutations.front().seq, mutations.back().seq);
        if (!stored.ok()) return stored.error();
        KnownForms knownForms;
        std::string resultsText; // the results applied now, stored in one row for the whole request
        std::int64_t firstStored = 0, lastStored = 0;
        for (const auto& m : mutations) {
            if (auto done = stored->find(m.seq); done != stored->end()) {
                auto prev = sync::mutationResultFromJson(done->second);
                if (!prev.ok())
                    return makeError(ErrorCode::Internal, "stored result unreadable: " + prev.error().message);
                reply.results.push_back(std::move(*prev));
                continue;
            }
            std::string formId;
            auto res = applyOne(tx, user, deviceId, m, knownForms, formId);
            if (!res.ok()) return res.error();
            if (res->status != MutationStatus::Rejected && res->status != MutationStatus::Discarded)
                reply.written.emplace_back(m.recordId, std::move(formId));
            // A rejection is not stored: the device keeps the mutation and may send it again once
            // the cause is gone (the form version gets published, ...).
            if (res->status != MutationStatus::Rejected) {
                resultsText += resultsText.empty() ? '[' : ',';
                sync::appendJson(resultsText, *res);
                if (firstStored == 0) firstStored = m.seq;
                lastStored = m.seq;
            }
            reply.results.push_back(std::move(*res));
        }
        if (!resultsText.empty()) {
            resultsText += ']';
            if (auto s = tx.storeResults(deviceId, firstStored, lastStored, resultsText); !s.ok()) return s;
        }
        return also ? also(tx, reply) : Result<void>{};
    });
    if (!r.ok()) return r.error();
    if (erasing) (void)m_repo.purgeFreedData(); // best effort: the erasure itself is committed
    reply.acked = mutations.back().seq;
    return reply;
}

std::string SyncService::encodeCursor(std::int64_t seq) {
    return "c" + std::to_string(seq);
}

std::optional<std::int64_t> SyncService::decodeCursor(std::string_view cursor) {
    if (cursor.empty()) return 0;
    if (cursor.size() < 2 || cursor.size() > 19 || cursor[0] != 'c') return std::nullopt;
    std::int64_t v = 0;
    for (char c : cursor.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

Result<PullReply> SyncService::pull(const User& user, std::string_view cursor, std::size_t limit,
                                    std::string_view deviceId) {
    auto after = decodeCursor(cursor);
    if (!after) return makeError(ErrorCode::Invalid, "bad cursor '" + std::string(cursor) + "'");
    if (limit == 0) limit = kDefaultPullLimit;
    limit = std::min(limit, sync::kMaxPullLimit);
    auto page = m_repo.changes(scopeOf(user), *after, limit, true, deviceId);
    if (!page.ok()) return page.error();
    auto forms = m_repo.listForms(user.orgId, deviceId);
    if (!forms.ok()) return forms.error();
    PullReply reply;
    reply.forms = std::move(*forms);
    reply.more = page->more;
    std::int64_t last = *after;
    std::size_t size = 2;
    for (const auto& r : page->records)
        size += r.answersText.size() + 256;
    reply.changes.reserve(size);
    reply.changes += '[';
    for (const auto& r : page->records) {
        if (reply.changeCount++ > 0) reply.changes += ',';
        sync::appendJson(reply.changes, toRemote(r), r.answersText.empty() ? std::string_view("{}") : r.answersText);
        last = r.changeSeq;
    }
    reply.changes += ']';
    last = std::max(last, page->seenTo); // past this device's own records at the end
    reply.cursor = encodeCursor(last);
    return reply;
}

Result<std::vector<VersionRow>> SyncService::history(const User& user, std::string_view recordId) {
    auto rec = m_repo.findRecord(recordId);
    if (!rec.ok()) return rec.error();
    if (!*rec || !visible(scopeOf(user), **rec))
        return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
    return m_repo.history(recordId);
}

Result<std::vector<ConflictRow>> SyncService::conflicts(const User& user) {
    return m_repo.openConflicts(user.orgId);
}

Result<Resolution> SyncService::resolve(const User& user, std::string_view recordId, const json& fields) {
    if (!fields.is_object() || fields.empty())
        return makeError(ErrorCode::Invalid, "'fields' must be a non-empty object of field -> value");
    Resolution out;
    auto r = m_repo.write([&](WriteTx& tx) -> Result<void> {
        auto loaded = tx.loadRecord(recordId);
        if (!loaded.ok()) return loaded.error();
        if (!*loaded || !visible(scopeOf(user), **loaded))
            return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
        RecordState state = std::move(**loaded);
        std::vector<std::string> closing, changed;
        const std::int64_t newVersion = state.version + 1;
        for (const auto& [field, value] : fields.items()) {
            if (field.empty()) return makeError(ErrorCode::Invalid, "a field name is empty");
            if (std::find(state.conflicts.begin(), state.conflicts.end(), field) != state.conflicts.end())
                closing.push_back(field);
            if (field.find('[') != std::string::npos) { // inside a repeat: "membres[<id>]/prenom"
                if (!setAtPath(state.answers, field, value))
                    return makeError(ErrorCode::Invalid,
                                     "record " + std::string(recordId) + " has nothing at " + field);
                const std::string top = topField(field);
                auto now = state.answers.find(top);
                state.fields[top] =
                    FieldMeta{now == state.answers.end() ? json() : *now, newVersion, std::string(kResolutionDevice)};
                if (std::find(changed.begin(), changed.end(), top) == changed.end()) changed.push_back(top);
                continue;
            }
            state.fields[field] = FieldMeta{value, newVersion, std::string(kResolutionDevice)};
            if (value.is_null())
                state.answers.erase(field);
            else
                state.answers[field] = value;
            changed.push_back(field);
        }
        if (closing.empty())
            return makeError(ErrorCode::Conflict,
                             "record " + std::string(recordId) + " has no open conflict on these fields");
        state.version = newVersion;
        if (auto s = tx.saveVersion(state, versionRowOf(state, kResolutionDevice, user.name, changed)); !s.ok())
            return s.error();
        if (auto s = tx.closeConflicts(state.recordId, closing, newVersion); !s.ok()) return s.error();
        out.version = newVersion;
        for (const auto& f : state.conflicts)
            if (std::find(closing.begin(), closing.end(), f) == closing.end()) out.conflicts.push_back(f);
        return {};
    });
    if (!r.ok()) return r.error();
    return out;
}

Result<RecordEdit> SyncService::edit(const User& user, std::string_view recordId, std::int64_t baseVersion,
                                     const json& fields, Lang lang) {
    if (!fields.is_object() || fields.empty() || fields.size() > kMaxEditFields)
        return makeError(ErrorCode::Invalid, "'fields' must be an object of 1 to " + std::to_string(kMaxEditFields) +
                                                 " answers, question name -> new value");
    for (const auto& [name, value] : fields.items()) {
        (void)value;
        if (name.empty() || name.size() > kMaxEditFieldName)
            return makeError(ErrorCode::Invalid,
                             "a question name is 1 to " + std::to_string(kMaxEditFieldName) + " bytes");
    }
    if (baseVersion < 1) return makeError(ErrorCode::Invalid, "'base_version' is a version of the record (from 1)");
    auto current = m_repo.findRecord(recordId);
    if (!current.ok()) return current.error();
    if (!*current || !mayManage(user) || !visible(scopeOf(user), **current))
        return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
    const RecordState& rec = **current;
    if (rec.status == "deleted") return makeError(ErrorCode::Conflict, "record " + rec.recordId + " was deleted");
    auto stored = m_repo.findForm(user.orgId, rec.formId, rec.formVersion);
    if (!stored.ok()) return stored.error();
    const forms::LoadResult loaded = *stored ? forms::loadForm((*stored)->body) : forms::LoadResult{};
    if (!loaded.ok())
        return makeError(ErrorCode::Conflict, "form " + rec.formId + " " + rec.formVersion +
                                                  " is not available on this server: the answers cannot be checked");
    RecordEdit out;
    const json changes = editedAnswers(loaded.form, rec, fields, lang, out);
    if (out.refusal != EditRefusal::None) return out;

    auto r = m_repo.write([&](WriteTx& tx) -> Result<void> {
        out = RecordEdit{};
        auto now = tx.loadRecord(recordId);
        if (!now.ok()) return now.error();
        if (!*now || !visible(scopeOf(user), **now))
            return makeError(ErrorCode::NotFound, "no record " + std::string(recordId));
        const RecordState& state = **now;
        out.version = state.version;
        if (state.status == "deleted")
            return makeError(ErrorCode::Conflict, "record " + state.recordId + " was deleted");
        if (baseVersion > state.version) {
            out = refusedEdit(EditRefusal::Stale, state.version, {},
                              "record " + state.recordId + " has no version " + std::to_string(baseVersion) +
                                  " (it is at version " + std::to_string(state.version) + ")");
            return {};
        }
        // The rule a device's push follows (applyOne), checked before anything is written: a field
        // written after the version the coordinator read is theirs to see first, never overwritten.
        std::vector<std::string> erased, inConflict, stale;
        // A named key, not a structured binding: clang 14 (the clang preset, and the NDK's) refuses a
        // structured binding captured by a lambda.
        for (const auto& item : changes.items()) {
            const std::string& field = item.key();
            const bool conflicted = std::any_of(state.conflicts.begin(), state.conflicts.end(),
                                                [&](const auto& c) { return c == field || topField(c) == field; });
            auto meta = state.fields.find(field);
            if (contains(state.erased, field))
                erased.push_back(field);
            else if (conflicted)
                inConflict.push_back(field);
            else if (meta != state.fields.end() && meta->second.version > baseVersion)
                stale.push_back(field);
        }
        if (!erased.empty()) {
            out = refusedEdit(EditRefusal::Erased, state.version, erased,
                              "record " + state.recordId + ": erased for good: " + joined(erased));
            return {};
        }
        if (!inConflict.empty()) {
            out = refusedEdit(EditRefusal::InConflict, state.version, inConflict,
                              "record " + state.recordId + " has an open conflict on " + joined(inConflict) +
                                  ": resolve it first");
            return {};
        }
        if (!stale.empty()) {
            out = refusedEdit(EditRefusal::Stale, state.version, stale,
                              "record " + state.recordId + " changed after version " + std::to_string(baseVersion) +
                                  " (now " + std::to_string(state.version) + ") on " + joined(stale) +
                                  ": reload it and edit again");
            return {};
        }
        if (changes.empty()) return {}; // the same answers again: nothing to write
        sync::Mutation m;
        m.recordId = state.recordId;
        m.baseVersion = baseVersion;
        m.op = "set";
        m.changes = json{{"fields", changes}};
        KnownForms knownForms;
        std::string formId;
        auto applied = applyOne(tx, user, kConsoleDevice, m, knownForms, formId);
        if (!applied.ok()) return applied.error();
        if (applied->status == MutationStatus::Rejected || applied->status == MutationStatus::Discarded ||
            applied->status == MutationStatus::Conflict)
            return makeError(ErrorCode::Conflict, "record " + state.recordId + ": the edit could not be merged" +
                                                      (applied->reason.empty() ? "" : ": " + applied->reason));
        out.version = applied->version;
        for (const auto& [field, value] : changes.items()) {
            (void)value;
            out.changed.push_back(field);
        }
        return {};
    });
    if (!r.ok()) return r.error();
    return out;
}

} // namespace carnet::server
