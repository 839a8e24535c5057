#include "field/device.hpp"

#include "core/ids.hpp"
#include "field/builtin.hpp"

#include <algorithm>
#include <map>

namespace carnet::field::device {

using nlohmann::json;

RecordView viewOf(const store::Record& r, std::string_view org) {
    RecordView v;
    v.id = r.id;
    v.kind = r.kind;
    v.formId = r.formId;
    v.status = std::string(store::statusName(r.status));
    v.author = r.author;
    v.org = std::string(org);
    v.createdAt = r.createdAt;
    v.answers = r.answers.is_object() ? r.answers : json::object();
    return v;
}

Result<std::vector<RecordView>> loadViews(store::Store& store, std::string_view org) {
    auto records = store.list(std::nullopt, true);
    if (!records) return records.error();
    std::vector<RecordView> out;
    out.reserve(records->size());
    for (const auto& r : *records)
        out.push_back(viewOf(r, org));
    return out;
}

Result<int> installBuiltinForms(store::Store& store) {
    int installed = 0;
    for (const auto& f : builtinForms()) {
        auto r = store.installForm(f.text);
        if (!r) return Error{r.error().code, std::string(f.name) + ": " + r.error().message};
        if (!r->alreadyInstalled) ++installed;
    }
    return installed;
}

namespace {

// Runs a workflow as one unit of work: its writes commit together when it succeeds, and none of them
// stays when it fails (or the process dies before the commit).
template <class F> auto inOneUnit(store::Store& store, F&& work) -> decltype(work()) {
    auto tx = store.transaction();
    if (!tx.begun()) return tx.begun().error();
    auto r = work();
    if (!r) return r; // rolled back
    if (auto c = tx.commit(); !c) return c.error();
    return r;
}

// A best-effort prefill: a value the form refuses is left out; any other failure is an error.
Result<void> prefill(store::Store& store, std::string_view id, std::string_view path, const json& value) {
    auto r = store.setAnswer(id, path, value);
    if (!r && r.error().code == ErrorCode::Invalid) return {};
    return r;
}

Result<RecordView> viewById(store::Store& store, std::string_view id) {
    auto r = store.get(id);
    if (!r) return r.error();
    return viewOf(*r);
}

// Writes top-level changes one answer at a time (each durable, each in the outbox).
Result<void> applyChanges(store::Store& store, std::string_view id, const json& changes) {
    for (const auto& [k, v] : changes.items())
        if (auto r = store.setAnswer(id, k, v); !r) return r;
    return {};
}

// Creates a planned record; link fields naming other planned records are rewritten to store ids.
Result<std::string> create(store::Store& store, const NewRecord& rec, std::string_view author,
                           std::map<std::string, std::string>& ids, bool finalize) {
    json answers = rec.answers;
    for (auto& [k, v] : answers.items())
        if (v.is_string())
            if (auto it = ids.find(v.get<std::string>()); it != ids.end()) v = it->second;
    auto id = store.importAnswers(rec.formId, answers, author);
    if (!id) return id.error();
    ids[rec.id] = *id;
    if (finalize) {
        auto issues = store.finalize(*id);
        if (!issues) return issues.error();
        if (!issues->empty())
            return Error{ErrorCode::Invalid,
                         rec.formId + " " + *id + ": " + issues->front().path + ": " + issues->front().message};
    }
    return *id;
}

Result<std::string> createOne(store::Store& store, const NewRecord& rec, std::string_view author, bool finalize) {
    std::map<std::string, std::string> ids;
    return create(store, rec, author, ids, finalize);
}

Result<std::string> doorOutcome(store::Store& store, const RecordView& dwelling, DoorOutcome outcome,
                                std::string_view at, std::string_view user, std::string_view interviewId) {
    auto plan = planDoorVisit(dwelling, outcome, at, user, newUuid());
    if (!interviewId.empty()) plan.visit.answers[fields::kInterviewId] = interviewId;
    auto id = createOne(store, plan.visit, user, true);
    if (!id) return id;
    if (auto r = applyChanges(store, dwelling.id, plan.dwellingChanges); !r) return r.error();
    return id;
}

// The records the call and consent rules look at for one person, read through the store's indexes
// (not every record): the person, the duplicates merged into it (transitively, as personAliases), and
// the consents and call tasks of each. Rules over this set answer as they would over the whole store.
Result<std::vector<RecordView>> personRecords(store::Store& store, std::string_view personId) {
    std::vector<RecordView> out;
    if (personId.empty()) return out;
    if (auto p = store.get(personId); p && !p->deleted)
        out.push_back(viewOf(*p));
    else if (!p && p.error().code != ErrorCode::NotFound)
        return p.error();
    std::vector<std::string> ids{std::string(personId)};
    for (std::size_t i = 0; i < ids.size() && ids.size() < 64; ++i) {
        auto merged = store.linked(formid::kPerson, fields::kMergedInto, ids[i]);
        if (!merged) return merged.error();
        for (const auto& r : *merged)
            if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) {
                ids.push_back(r.id);
                out.push_back(viewOf(r));
            }
    }
    for (const auto& id : ids)
        for (const auto form : {formid::kConsent, formid::kCallTask}) {
            auto linked = store.linked(form, fields::kPersonId, id);
            if (!linked) return linked.error();
            for (const auto& r : *linked)
                out.push_back(viewOf(r));
        }
    return out;
}

// The records merging or erasing a person looks at, read through the store's indexes instead of
// every record: collected once each, then in list() order (newest change first), so that the plans
// come out as they did over the whole store.
class PersonRecords {
public:
    explicit PersonRecords(store::Store& store)
        : m_store(store) {}

    // The record `id` when it exists and is not deleted.
    Result<void> add(std::string_view id) {
        if (id.empty() || has(id)) return {};
        auto r = m_store.get(id);
        if (!r) {
            if (r.error().code == ErrorCode::NotFound) return {};
            return r.error();
        }
        if (!r->deleted) m_records.push_back(std::move(*r));
        return {};
    }
    // Every record (any form, not deleted) whose `field` is `value`.
    Result<void> addLinked(std::string_view formId, std::string_view field, std::string_view value) {
        auto linked = m_store.linked(formId, field, value);
        if (!linked) return linked.error();
        for (auto& r : *linked)
            if (!has(r.id)) m_records.push_back(std::move(r));
        return {};
    }
    // `personId` and every person merged into it, transitively (as personAliases), once each.
    Result<std::vector<std::string>> addAliases(std::string_view personId) {
        if (auto r = add(personId); !r) return r.error();
        std::vector<std::string> ids{std::string(personId)};
        for (std::size_t i = 0; i < ids.size() && ids.size() < 64; ++i) {
            auto merged = m_store.linked(formid::kPerson, fields::kMergedInto, ids[i]);
            if (!merged) return merged.error();
            for (auto& r : *merged)
                if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) {
                    ids.push_back(r.id);
                    if (!has(r.id)) m_records.push_back(std::move(r));
                }
        }
        return ids;
    }
    [[nodiscard]] const store::Record* find(std::string_view id) const {
        for (const auto& r : m_records)
            if (r.id == id) return &r;
        return nullptr;
    }
    // The views, newest change first.
    [[nodiscard]] std::vector<RecordView> views() {
        std::sort(m_records.begin(), m_records.end(), [](const store::Record& a, const store::Record& b) {
            return std::tie(b.updatedAt, a.id) < std::tie(a.updatedAt, b.id);
        });
        std::vector<RecordView> out;
        out.reserve(m_records.size());
        for (const auto& r : m_records)
            out.push_back(viewOf(r));
        return out;
    }

private:
    [[nodiscard]] bool has(std::string_view id) const { return find(id) != nullptr; }
    store::Store& m_store;
    std::vector<store::Record> m_records;
};

Result<void> cancelOpenCalls(store::Store& store, const RecordIndex& index, std::string_view personId) {
    for (const auto& alias : personAliases(index, personId))
        for (const RecordView* t : index.linked(formid::kCallTask, fields::kPersonId, alias))
            if (t->text(fields::kCallStatus) == callStatusValue(CallStatus::Open))
                if (auto r = store.setAnswer(t->id, fields::kCallStatus, callStatusValue(CallStatus::Cancelled)); !r)
                    return r;
    return {};
}

} // namespace

Result<WalkListImport> importWalkList(store::Store& store, std::string_view csv, std::string_view name,
                                      std::string_view author, Lang lang) {
    return inOneUnit(store, [&]() -> Result<WalkListImport> {
        auto parsed = parseWalkListCsv(
            csv, name, [] { return newUuid(); }, lang);
        if (!parsed.import) {
            std::string msg = tr("field.csv.rejected", lang, {"CSV", std::to_string(parsed.errors.size())});
            for (const auto& e : parsed.errors)
                msg += "\n" + tr("field.csv.line", lang, {std::to_string(e.line), e.message});
            return Error{ErrorCode::Invalid, msg};
        }
        WalkListImport imp = std::move(*parsed.import);
        std::map<std::string, std::string> ids;
        auto wl = create(store, imp.walkList, author, ids, false);
        if (!wl) return wl.error();
        imp.walkList.id = *wl;
        for (auto* group : {&imp.buildings, &imp.dwellings}) {
            for (auto& rec : *group) {
                auto id = create(store, rec, author, ids, false);
                if (!id) return id.error();
                rec.id = *id;
                for (auto& [k, v] : rec.answers.items())
                    if (v.is_string())
                        if (auto it = ids.find(v.get<std::string>()); it != ids.end()) v = it->second;
            }
        }
        return imp;
    });
}

Result<std::string> recordDoorOutcome(store::Store& store, std::string_view dwellingId, DoorOutcome outcome,
                                      std::string_view at, std::string_view user) {
    return inOneUnit(store, [&]() -> Result<std::string> {
        auto d = viewById(store, dwellingId);
        if (!d) return d.error();
        if (d->formId != formid::kDwelling)
            return Error{ErrorCode::Invalid, tr("field.door.not_dwelling", Lang::Fr, {dwellingId})};
        return doorOutcome(store, *d, outcome, at, user, {});
    });
}

Result<std::vector<std::string>> markBuildingAbsent(store::Store& store, std::string_view buildingId,
                                                    std::string_view at, std::string_view user) {
    return inOneUnit(store, [&]() -> Result<std::vector<std::string>> {
        // The building and its dwellings only (indexed by building_id), not every record.
        std::vector<RecordView> views;
        if (auto b = store.get(buildingId); b && !b->deleted)
            views.push_back(viewOf(*b));
        else if (!b && b.error().code != ErrorCode::NotFound)
            return b.error();
        if (views.empty() || views.front().formId != formid::kBuilding)
            return Error{ErrorCode::NotFound, tr("field.door.not_building", Lang::Fr, {buildingId})};
        auto dwellings = store.linked(formid::kDwelling, fields::kBuildingId, buildingId);
        if (!dwellings) return dwellings.error();
        for (const auto& d : *dwellings)
            views.push_back(viewOf(d));
        RecordIndex index(views);
        std::vector<std::string> out;
        for (const RecordView* d : remainingDwellings(index, buildingId)) {
            auto id = doorOutcome(store, *d, DoorOutcome::Absent, at, user, {});
            if (!id) return id.error();
            out.push_back(*id);
        }
        return out;
    });
}

namespace {

// The neighbourhood choice (of the door_to_door form, in `commune`) whose label the walk list's name or
// territory names: "Jas-de-Bouffan – lot 3" -> aix_jas_de_bouffan. "" when none or several match.
std::string neighbourhoodOf(store::Store& store, std::string_view commune, const std::string& names) {
    auto form = store.latestForm(formid::kDoorToDoor);
    if (!form) return {};
    const forms::Item* q = (*form)->find("quartier");
    if (q == nullptr || q->choiceList < 0) return {};
    const std::string haystack = " " + foldName(names, "") + " ";
    std::string found;
    for (const auto& c : (*form)->choiceLists[static_cast<std::size_t>(q->choiceList)].choices) {
        const auto col = c.columns.find("commune");
        if (col != c.columns.end() && col->second != commune) continue;
        const std::string label = foldName(c.label.get("fr", (*form)->defaultLanguage), "");
        if (label.empty() || haystack.find(" " + label + " ") == std::string::npos) continue;
        if (!found.empty()) return {}; // ambiguous: the ambassador chooses
        found = c.value;
    }
    return found;
}

} // namespace

Result<std::string> startInterview(store::Store& store, std::string_view dwellingId, std::string_view user,
                                   const InterviewStart& known) {
    return inOneUnit(store, [&]() -> Result<std::string> {
        auto d = viewById(store, dwellingId);
        if (!d) return d.error();
        if (d->formId != formid::kDwelling)
            return Error{ErrorCode::Invalid, tr("field.door.not_dwelling", Lang::Fr, {dwellingId})};
        auto id = store.createRecord(formid::kDoorToDoor, user);
        if (!id) return id;
        if (auto r = store.setAnswer(*id, fields::kDwellingId, d->id); !r) return r.error();
        if (auto b = viewById(store, d->text(fields::kBuildingId))) {
            // Best effort: the commune is a choice of the form, the address a constrained text.
            std::string commune = foldName(b->text(fields::kCommune), "");
            std::replace(commune.begin(), commune.end(), ' ', '_');
            if (auto r = prefill(store, *id, "commune", commune); !r) return r.error();
            std::string address = b->text(fields::kNumber) + " " + b->text(fields::kStreet);
            if (auto bat = b->text(fields::kBuildingLabel); !bat.empty()) address += ", bât. " + bat;
            address += ", logement " + d->text(fields::kDwellingLabel);
            if (auto r = prefill(store, *id, "adresse", address); !r) return r.error();
            std::string names = b->text(fields::kTerritory);
            if (auto list = viewById(store, d->text(fields::kWalkListId)))
                names += " " + list->text(fields::kName) + " " + list->text(fields::kTerritory);
            if (const std::string q = neighbourhoodOf(store, commune, names); !q.empty())
                if (auto r = prefill(store, *id, "quartier", q); !r) return r.error();
        }
        // The door said "interview": the outcome is not asked again; nor the time, nor the code.
        if (auto r = prefill(store, *id, "issue_visite", "entretien"); !r) return r.error();
        if (!known.localTime.empty())
            if (auto r = prefill(store, *id, "heure_passage", known.localTime); !r) return r.error();
        // The ambassador is the logged-in user; an account name the question refuses (not a code)
        // leaves the code the ambassador gave in their last interview on this tablet.
        bool ambassadorKnown = false;
        if (!known.account.empty()) {
            auto r = store.setAnswer(*id, "code_ambassadeur", known.account);
            if (!r && r.error().code != ErrorCode::Invalid) return r.error();
            ambassadorKnown = r.ok();
        }
        if (!ambassadorKnown && !known.ambassadorCode.empty())
            if (auto r = prefill(store, *id, "code_ambassadeur", known.ambassadorCode); !r) return r.error();
        return id;
    });
}

namespace {

Result<FinalizeEffects> finalizeSteps(store::Store& store, std::string_view recordId, const Campaign& campaign,
                                      std::string_view at, std::string_view user) {
    FinalizeEffects fx;
    auto rec = store.get(recordId);
    if (!rec) return rec.error();
    if (rec->status == store::Status::Finalized) return fx;
    auto session = store.openSession(recordId);
    if (!session) return session.error();
    fx.issues = (*session)->issues();
    if (!fx.issues.empty()) return fx;
    const std::string today = datePart(at);

    // A door interview: the person met and their consents exist before the interview is frozen,
    // so that it can carry the person's id.
    if (rec->formId == formid::kDoorToDoor) {
        if (auto people = planPersonFromInterview(viewOf(*rec), campaign, at, user, [] { return newUuid(); })) {
            std::map<std::string, std::string> ids;
            auto pid = create(store, people->person, user, ids, false);
            if (!pid) return pid.error();
            fx.personId = *pid;
            for (const auto& c : people->consents) {
                auto cid = create(store, c, user, ids, true);
                if (!cid) return cid.error();
                fx.consentIds.push_back(*cid);
            }
            if (auto r = store.setAnswer(recordId, fields::kPersonId, fx.personId); !r) return r.error();
        }
    }
    auto issues = store.finalize(recordId);
    if (!issues) return issues.error();
    if (!issues->empty()) {
        fx.issues = *issues;
        return fx;
    }
    auto done = store.get(recordId);
    if (!done) return done.error();
    const RecordView view = viewOf(*done);

    // A call script finalized: its call is done and leaves the queue (before the next call is planned).
    if (const std::string taskId = view.text(fields::kCallTaskId); !taskId.empty()) {
        if (auto task = viewById(store, taskId); task && task->formId == formid::kCallTask &&
                                                 task->text(fields::kScriptRecordId) == view.id &&
                                                 task->text(fields::kCallStatus) == callStatusValue(CallStatus::Open))
            if (auto r = store.setAnswer(taskId, fields::kCallStatus, callStatusValue(CallStatus::Done)); !r)
                return r.error();
    }

    if (view.formId == formid::kDoorToDoor) {
        const std::string dwelling = view.text(fields::kDwellingId);
        if (auto outcome = parseOutcome(view.text("issue_visite")); outcome && !dwelling.empty()) {
            auto d = viewById(store, dwelling);
            if (d && d->formId == formid::kDwelling) {
                auto visit = doorOutcome(store, *d, *outcome, at, user, view.id);
                if (!visit) return visit.error();
                fx.doorVisitId = *visit;
            }
        }
    }
    auto form = store.form(done->formId, done->formVersion);
    if (!form) return form.error();
    if ((*form)->followup) {
        auto views = personRecords(store, view.text(fields::kPersonId));
        if (!views) return views.error();
        RecordIndex index(*views);
        const FollowupSpec spec{(*form)->followup->form, (*form)->followup->afterDays};
        if (auto task = planFollowup(view, spec, index, campaign, today, newUuid())) {
            auto tid = createOne(store, *task, user, false);
            if (!tid) return tid.error();
            fx.callTaskId = *tid;
        }
    }
    return fx;
}

} // namespace

Result<FinalizeEffects> finalizeRecord(store::Store& store, std::string_view recordId, const Campaign& campaign,
                                       std::string_view at, std::string_view user) {
    // One unit of work: the person, consents, the interview's person_id, the finalized interview, the
    // door visit and the call task commit together, or none of them does (a retry starts afresh).
    auto tx = store.transaction();
    if (!tx.begun()) return tx.begun().error();
    auto fx = finalizeSteps(store, recordId, campaign, at, user);
    if (!fx || !fx->issues.empty()) return fx; // nothing finalized: whatever was written rolls back
    if (auto c = tx.commit(); !c) return c.error();
    return fx;
}

Result<std::vector<CallQueueEntry>> callQueue(store::Store& store, std::string_view caller, std::string_view today) {
    auto views = loadViews(store);
    if (!views) return views.error();
    return field::callQueue(RecordIndex(*views), caller, today);
}

Result<CallResult> recordCall(store::Store& store, std::string_view taskId, const CallAttempt& attempt,
                              const Campaign& campaign, Lang lang) {
    return inOneUnit(store, [&]() -> Result<CallResult> {
        auto task = viewById(store, taskId);
        if (!task) return task.error();
        if (attempt.outcome == CallOutcome::Answered && task->formId == formid::kCallTask) {
            // The person answered and the script is still a draft: the same call, not a new one.
            const std::string draft = task->text(fields::kScriptRecordId);
            if (!draft.empty())
                if (auto script = store.get(draft);
                    script && !script->deleted && script->status == store::Status::Draft &&
                    task->text(fields::kCallStatus) == callStatusValue(CallStatus::Open))
                    return CallResult{CallStatus::Open, draft};
        }
        auto plan = planCallAttempt(*task, attempt, campaign, lang);
        if (!plan) return plan.error();
        // The new attempt is the last instance of the repeat.
        const json& attempts = plan->changes.at(fields::kAttempts);
        auto n = store.addRepeat(taskId, fields::kAttempts);
        if (!n) return n.error();
        const std::string prefix = std::string(fields::kAttempts) + "[" + std::to_string(*n) + "]/";
        for (const auto& [k, v] : attempts.back().items())
            if (auto r = store.setAnswer(taskId, prefix + k, v); !r) return r.error();
        json rest = plan->changes;
        rest.erase(std::string(fields::kAttempts));
        if (auto r = applyChanges(store, taskId, rest); !r) return r.error();
        CallResult out;
        out.status = plan->status;
        if (plan->openScript) {
            std::string form = task->text(fields::kCallForm);
            if (form.empty()) form = std::string(formid::kPhoneFollowup);
            auto script = store.createRecord(form, attempt.caller.empty() ? task->author : attempt.caller);
            if (!script) return script.error();
            const json links = {{fields::kPersonId, task->text(fields::kPersonId)}, {fields::kCallTaskId, task->id}};
            if (auto r = applyChanges(store, *script, links); !r) return r.error();
            if (auto r = prefill(store, *script, "issue_appel", callOutcomeValue(CallOutcome::Answered)); !r)
                return r.error();
            if (auto person = store.get(task->text(fields::kPersonId)))
                if (auto phone = person->answers.find(fields::kPhone);
                    phone != person->answers.end() && phone->is_string())
                    if (auto r = prefill(store, *script, "numero_compose", *phone); !r) return r.error();
            if (auto r = store.setAnswer(taskId, fields::kScriptRecordId, *script); !r) return r.error();
            out.scriptId = *script;
        }
        return out;
    });
}

Result<std::string> addPerson(store::Store& store, const json& answers, std::string_view user) {
    json a = answers;
    if (!a.contains(fields::kDoNotContact)) a[fields::kDoNotContact] = "non";
    return store.importAnswers(formid::kPerson, a, user);
}

Result<std::string> recordConsent(store::Store& store, std::string_view personId, std::string_view purpose,
                                  bool granted, const Campaign& campaign, std::string_view at, std::string_view user) {
    return inOneUnit(store, [&]() -> Result<std::string> {
        auto p = viewById(store, personId);
        if (!p) return p.error();
        if (p->formId != formid::kPerson)
            return Error{ErrorCode::NotFound, tr("field.person.not_found", Lang::Fr, {personId})};
        auto id = createOne(
            store, makeConsent(personId, purpose, granted, campaign.consentWordingVersion, at, user, ""), user, true);
        if (!id) return id;
        if (!granted && purpose == kPurposePhone) {
            auto views = personRecords(store, personId);
            if (!views) return views.error();
            if (auto r = cancelOpenCalls(store, RecordIndex(*views), personId); !r) return r.error();
        }
        return id;
    });
}

Result<void> setDoNotContact(store::Store& store, std::string_view personId, bool doNotContact) {
    return inOneUnit(store, [&]() -> Result<void> {
        auto p = viewById(store, personId);
        if (!p) return p.error();
        if (p->formId != formid::kPerson)
            return Error{ErrorCode::NotFound, tr("field.person.not_found", Lang::Fr, {personId})};
        if (auto r = store.setAnswer(personId, fields::kDoNotContact, doNotContact ? "oui" : "non"); !r) return r;
        if (!doNotContact) return {};
        auto views = personRecords(store, personId);
        if (!views) return views.error();
        return cancelOpenCalls(store, RecordIndex(*views), personId);
    });
}

Result<MergePlan> mergePeople(store::Store& store, std::string_view keepId, std::string_view loserId, Lang lang) {
    return inOneUnit(store, [&]() -> Result<MergePlan> {
        // The two people and every record linked to the loser: all planMerge reads.
        PersonRecords records(store);
        if (auto r = records.add(keepId); !r) return r.error();
        if (auto r = records.add(loserId); !r) return r.error();
        if (auto r = records.addLinked({}, fields::kPersonId, loserId); !r) return r.error();
        const auto views = records.views();
        RecordIndex index(views);
        auto plan = planMerge(index, keepId, loserId, lang);
        if (!plan) return plan;
        if (auto r = applyChanges(store, keepId, plan->keepChanges); !r) return r.error();
        if (auto r = applyChanges(store, loserId, plan->loserChanges); !r) return r.error();
        for (const auto& [id, changes] : plan->relinks) {
            const RecordView* r = index.find(id);
            if (r != nullptr && r->status == "draft")
                if (auto w = applyChanges(store, id, changes); !w) return w.error();
        }
        return plan;
    });
}

Result<ErasureReport> erasePerson(store::Store& store, std::string_view personId, Lang lang) {
    return inOneUnit(store, [&]() -> Result<ErasureReport> {
        // The person, the duplicates merged into it, every record linked to any of them and the
        // interview each was created from: all planErasure reads.
        PersonRecords records(store);
        auto aliases = records.addAliases(personId);
        if (!aliases) return aliases.error();
        for (const auto& alias : *aliases) {
            if (auto r = records.addLinked({}, fields::kPersonId, alias); !r) return r.error();
            if (const store::Record* p = records.find(alias)) {
                const auto src = p->answers.find(fields::kSourceRecordId);
                if (src != p->answers.end() && src->is_string())
                    if (auto r = records.add(src->get<std::string>()); !r) return r.error();
            }
        }
        const auto views = records.views();
        RecordIndex index(views);
        auto plan = planErasure(index, personId, lang);
        if (!plan) return plan.error();
        ErasureReport rep;
        rep.plan = *plan;
        // The marks first (efface, ne_pas_contacter, cancelled calls): they are not personal and must
        // reach the server before any later write of the erased fields is dropped.
        for (const auto& [id, changes] : plan->updates)
            if (auto r = applyChanges(store, id, changes); !r) return r.error();
        for (const auto& [id, names] : plan->erase) {
            if (index.find(id) == nullptr) continue;
            // The `erase` op works on top-level answers: "R[].F" erases the whole repeat R (its other
            // answers, such as age bands, go with it; indicators do not read them).
            std::vector<std::string> top;
            for (const auto& name : names) {
                const auto bracket = name.find("[]");
                std::string t = bracket == std::string::npos ? name : name.substr(0, bracket);
                if (std::find(top.begin(), top.end(), t) == top.end()) top.push_back(std::move(t));
            }
            if (auto w = store.eraseFields(id, top); !w) return w.error();
            rep.erased.emplace_back(id, std::move(top));
        }
        return rep;
    });
}

Result<Indicators> indicators(store::Store& store, const Campaign& campaign, GroupBy by, std::string_view org) {
    auto views = loadViews(store, org);
    if (!views) return views.error();
    return computeIndicators(RecordIndex(*views), campaign, by);
}

} // namespace carnet::field::device
