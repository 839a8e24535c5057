#include "server/field_service.hpp"

#include "core/ids.hpp"
#include "field/builtin.hpp"
#include "field/calls.hpp"
#include "field/people.hpp"
#include "forms/loader.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace carnet::server {

using nlohmann::json;

field::Campaign FieldService::defaultCampaign() {
    auto c = field::parseCampaign(json::parse(field::demoCampaignText()), "assets/campaign/demo.json");
    return c.ok() ? *c : field::Campaign{};
}

Result<int> FieldService::publishBuiltinForms() {
    int published = 0;
    for (const auto& f : field::builtinForms()) {
        auto r = m_forms.publish(f.text);
        if (!r.ok()) return makeError(r.error().code, std::string(f.name) + ": " + r.error().message);
        if (!r->alreadyPublished) ++published;
    }
    return published;
}

Result<std::string> FieldService::latestVersion(std::int64_t orgId, std::string_view formId) {
    auto forms = m_repo.listForms(orgId, {});
    if (!forms.ok()) return forms.error();
    std::string version;
    for (const auto& f : *forms) // oldest first: the last one wins
        if (f.formId == formId) version = f.version;
    if (version.empty()) return makeError(ErrorCode::NotFound, "form " + std::string(formId) + " is not published");
    return version;
}

namespace {

// A new record's first version, written by the server.
RecordState newState(const field::NewRecord& rec, std::string_view formVersion, std::int64_t orgId, std::int64_t author,
                     std::string_view authorName) {
    RecordState s;
    s.recordId = rec.id;
    s.orgId = orgId;
    s.createdBy = author;
    s.kind = rec.formId;
    s.formId = rec.formId;
    s.formVersion = std::string(formVersion);
    s.status = "draft";
    s.author = std::string(authorName);
    s.version = 1;
    s.answers = rec.answers;
    for (const auto& [k, v] : rec.answers.items())
        s.fields[k] = FieldMeta{v, 1, std::string(kServerDevice)};
    return s;
}

field::RecordView viewOf(const RecordState& r) {
    field::RecordView v;
    v.id = r.recordId;
    v.kind = r.kind;
    v.formId = r.formId;
    v.status = r.status;
    v.author = r.author;
    v.org = r.orgName;
    v.answers = r.answers.is_object() ? r.answers : json::object();
    return v;
}

} // namespace

Result<WalkListImportResult> FieldService::importWalkList(std::int64_t orgId, std::int64_t author,
                                                          std::string_view authorName, std::string_view csv,
                                                          std::string_view name, Lang lang) {
    WalkListImportResult out;
    auto parsed = field::parseWalkListCsv(
        csv, name, [] { return newUuid(); }, lang);
    if (!parsed.import) {
        out.errors = std::move(parsed.errors);
        return out;
    }
    if (auto p = publishBuiltinForms(); !p.ok()) return p.error();
    const auto& imp = *parsed.import;
    std::vector<const field::NewRecord*> all{&imp.walkList};
    for (const auto& b : imp.buildings)
        all.push_back(&b);
    for (const auto& d : imp.dwellings)
        all.push_back(&d);
    std::map<std::string, std::string, std::less<>> versions;
    for (auto id : {field::formid::kWalkList, field::formid::kBuilding, field::formid::kDwelling}) {
        auto v = latestVersion(orgId, id);
        if (!v.ok()) return v.error();
        versions[std::string(id)] = *v;
    }
    auto r = m_repo.write([&](WriteTx& tx) -> Result<void> {
        for (const auto* rec : all) {
            RecordState s = newState(*rec, versions[rec->formId], orgId, author, authorName);
            std::vector<std::string> changed;
            for (const auto& [k, v] : rec->answers.items())
                changed.push_back(k);
            if (auto w = tx.saveVersion(s, versionRowOf(s, kServerDevice, authorName, changed)); !w.ok()) return w;
        }
        return {};
    });
    if (!r.ok()) return r.error();
    out.walkListId = imp.walkList.id;
    out.buildings = static_cast<int>(imp.buildings.size());
    out.dwellings = static_cast<int>(imp.dwellings.size());
    return out;
}

void FieldService::setCampaign(field::Campaign campaign) {
    std::lock_guard all(m_orgsMutex);
    m_campaign = std::move(campaign);
    for (auto& [id, org] : m_orgs) { // the figures computed with the old campaign go
        std::lock_guard lock(org->mutex);
        org->indicators.clear();
        org->walkLists.clear();
        org->callers.clear();
    }
}

namespace {

// The forms whose records the figures read (field::formid); other forms' records are not kept.
bool fieldForm(std::string_view formId) {
    namespace id = field::formid;
    for (auto f : {id::kWalkList, id::kBuilding, id::kDwelling, id::kPerson, id::kConsent, id::kDoorVisit,
                   id::kCallTask, id::kDoorToDoor, id::kTripSurvey, id::kPhoneFollowup, id::kAdviceDesk})
        if (f == formId) return true;
    return false;
}

std::string scopeKey(const Scope& scope) {
    return scope.userId ? std::to_string(*scope.userId) : std::string();
}

} // namespace

Result<FieldService::OrgRecords*> FieldService::records(std::int64_t orgId, std::unique_lock<std::mutex>& lock) {
    OrgRecords* org = nullptr;
    {
        std::lock_guard all(m_orgsMutex);
        auto& slot = m_orgs[orgId];
        if (!slot) slot = std::make_unique<OrgRecords>();
        org = slot.get();
    }
    lock = std::unique_lock(org->mutex);
    // Catch up: the organisation's changes after the last one read (sequences are assigned in commit
    // order on both backends, so nothing commits later below the cursor). A record changed again
    // replaces its view in place.
    const Scope everything{orgId, std::nullopt};
    bool moved = false; // a view added or removed: the index's pointers go
    std::set<std::string, std::less<>> changedForms;
    for (;;) {
        auto page = m_repo.changes(everything, org->seq, 1000, false, {});
        if (!page.ok()) { // half caught up: start again from nothing next time
            org->seq = 0;
            org->views.clear();
            org->owners.clear();
            org->position.clear();
            org->index.reset();
            org->indicators.clear();
            org->walkLists.clear();
            org->callers.clear();
            return page.error();
        }
        for (auto& r : page->records) {
            org->seq = std::max(org->seq, r.changeSeq);
            if (!fieldForm(r.formId)) continue;
            changedForms.insert(r.formId);
            const auto at = org->position.find(r.recordId);
            if (r.status == "deleted") { // counts for nothing, as on the tablet (its store lists no deleted record)
                if (at == org->position.end()) continue;
                moved = true;
                const std::size_t i = at->second, last = org->views.size() - 1;
                if (i != last) {
                    org->views[i] = std::move(org->views[last]);
                    org->owners[i] = org->owners[last];
                    org->position[org->views[i].id] = i;
                }
                org->views.pop_back();
                org->owners.pop_back();
                org->position.erase(at);
                continue;
            }
            OrgRecords::Owner owner{r.createdBy, r.assignedTo};
            field::RecordView v = viewOf(r);
            if (at != org->position.end()) {
                field::RecordView& kept = org->views[at->second];
                org->owners[at->second] = owner;
                if (kept.formId != v.formId) {
                    moved = true;
                    kept = std::move(v);
                    continue;
                }
                // The id and form stay as they are: the index's keys point into them.
                kept.kind = std::move(v.kind);
                kept.status = std::move(v.status);
                kept.author = std::move(v.author);
                kept.org = std::move(v.org);
                kept.answers = std::move(v.answers);
            } else {
                moved = true;
                org->position.emplace(r.recordId, org->views.size());
                org->views.push_back(std::move(v));
                org->owners.push_back(owner);
            }
        }
        if (!page->more) {
            org->seq = std::max(org->seq, page->seenTo);
            break;
        }
        if (page->records.empty()) break;
    }
    // Only what the changed forms feed is computed again: walk-list progress reads walk lists,
    // buildings and dwellings (the last two through the index's link maps, so their change rebuilds
    // it); call statistics read call tasks; the indicators every form but walk lists, door visits and
    // call scripts (field/src/walklist.cpp, calls.cpp, indicators.cpp, impact.cpp).
    namespace id = field::formid;
    auto touched = [&](std::initializer_list<std::string_view> forms) {
        return std::any_of(forms.begin(), forms.end(), [&](std::string_view f) { return changedForms.count(f) > 0; });
    };
    if (moved || touched({id::kBuilding, id::kDwelling})) org->index.reset();
    if (touched({id::kWalkList, id::kBuilding, id::kDwelling})) org->walkLists.clear();
    if (touched({id::kCallTask})) org->callers.clear();
    if (touched({id::kDoorToDoor, id::kConsent, id::kCallTask, id::kAdviceDesk, id::kTripSurvey, id::kPerson,
                 id::kDwelling, id::kBuilding}))
        org->indicators.clear();
    return org;
}

const field::RecordIndex& FieldService::visibleIndex(OrgRecords& org, const Scope& scope,
                                                     std::vector<field::RecordView>& copy,
                                                     std::optional<field::RecordIndex>& own) {
    if (!scope.userId) {
        if (!org.index) org.index.emplace(org.views);
        return *org.index;
    }
    for (std::size_t i = 0; i < org.views.size(); ++i)
        if (org.owners[i].createdBy == *scope.userId || org.owners[i].assignedTo == scope.userId)
            copy.push_back(org.views[i]);
    return own.emplace(copy);
}

Result<void> FieldService::assignWalkList(std::int64_t orgId, std::string_view walkListId, std::string_view userName) {
    // One transaction: the ambassador's name in the walk list and the assignment of the list, its
    // buildings and dwellings (found through the walk_list_id indexes, schema 11) are written together.
    return m_repo.write([&](WriteTx& tx) -> Result<void> {
        auto user = tx.findUser(userName);
        if (!user.ok()) return user.error();
        if (!*user || (*user)->orgId != orgId)
            return makeError(ErrorCode::NotFound, "no user '" + std::string(userName) + "' in this organisation");
        auto loaded = tx.loadRecord(walkListId);
        if (!loaded.ok()) return loaded.error();
        if (!*loaded || (*loaded)->orgId != orgId || (*loaded)->formId != field::formid::kWalkList)
            return makeError(ErrorCode::NotFound, "no walk list " + std::string(walkListId) + " in this organisation");
        // The ambassador's name in the walk list itself, as a server version.
        RecordState s = std::move(**loaded);
        s.version += 1;
        const std::string key(field::fields::kAmbassador);
        s.answers[key] = std::string(userName);
        s.fields[key] = FieldMeta{s.answers[key], s.version, std::string(kServerDevice)};
        if (auto w = tx.saveVersion(s, versionRowOf(s, kServerDevice, "server", {key})); !w.ok()) return w;
        std::vector<std::string> ids{std::string(walkListId)};
        for (const auto form : {field::formid::kBuilding, field::formid::kDwelling}) {
            auto members = tx.linked(orgId, form, field::fields::kWalkListId, walkListId);
            if (!members.ok()) return members.error();
            for (const auto& m : *members)
                ids.push_back(m.recordId);
        }
        for (const auto& id : ids)
            if (auto r = tx.assignRecord(id, (*user)->id); !r.ok()) return r;
        return {};
    });
}

Result<WalkListDetail> FieldService::walkList(const User& user, std::string_view walkListId) {
    std::unique_lock<std::mutex> lock;
    auto org = records(user.orgId, lock);
    if (!org.ok()) return org.error();
    std::vector<field::RecordView> copy;
    std::optional<field::RecordIndex> own;
    const field::RecordIndex& index = visibleIndex(**org, scopeOf(user), copy, own);
    const field::RecordView* list = index.find(walkListId);
    if (!list || list->formId != field::formid::kWalkList)
        return makeError(ErrorCode::NotFound, "no walk list " + std::string(walkListId));
    WalkListDetail out;
    for (auto& p : field::walkListProgress(index))
        if (p.walkListId == walkListId) out.progress = std::move(p);
    out.territory = list->text(field::fields::kTerritory);
    namespace f = field::fields;
    // The doors in the file's order (`ordre`, one count over the whole file).
    auto dwellings = index.linked(field::formid::kDwelling, f::kWalkListId, walkListId);
    std::stable_sort(dwellings.begin(), dwellings.end(),
                     [](auto* a, auto* b) { return a->number(f::kOrder, 0) < b->number(f::kOrder, 0); });
    for (const auto* d : dwellings) {
        WalkListDoor door;
        door.dwellingId = d->id;
        door.buildingId = d->text(f::kBuildingId);
        if (const auto* b = index.find(door.buildingId)) {
            door.number = b->text(f::kNumber);
            door.street = b->text(f::kStreet);
            door.postcode = b->text(f::kPostcode);
            door.commune = b->text(f::kCommune);
            door.building = b->text(f::kBuildingLabel);
        }
        door.dwelling = d->text(f::kDwellingLabel);
        door.floor = d->text(f::kFloor);
        door.lastOutcome = d->text(f::kLastOutcome);
        door.lastVisitAt = d->text(f::kLastVisitAt);
        door.visits = static_cast<int>(d->number(f::kVisitCount, 0));
        out.doors.push_back(std::move(door));
    }
    return out;
}

Result<int> FieldService::deleteWalkList(std::int64_t orgId, std::string_view walkListId, std::string_view byName) {
    int deleted = 0;
    auto r = m_repo.write([&](WriteTx& tx) -> Result<void> {
        deleted = 0;
        auto loaded = tx.loadRecord(walkListId);
        if (!loaded.ok()) return loaded.error();
        if (!*loaded || (*loaded)->orgId != orgId || (*loaded)->formId != field::formid::kWalkList ||
            (*loaded)->status == "deleted")
            return makeError(ErrorCode::NotFound, "no walk list " + std::string(walkListId) + " in this organisation");
        std::vector<RecordState> gone{std::move(**loaded)};
        for (const auto form : {field::formid::kBuilding, field::formid::kDwelling}) {
            auto members = tx.linked(orgId, form, field::fields::kWalkListId, walkListId);
            if (!members.ok()) return members.error();
            for (auto& m : *members)
                gone.push_back(std::move(m));
        }
        // As a device's delete (sync_service applyOne): the answers go, the status says so, and
        // the new version reaches the devices that hold the record.
        for (auto& s : gone) {
            if (s.status == "deleted") continue;
            s.status = "deleted";
            s.answers = json::object();
            s.version += 1;
            if (auto w = tx.saveVersion(s, versionRowOf(s, kServerDevice, byName, {})); !w.ok()) return w;
            ++deleted;
        }
        return {};
    });
    if (!r.ok()) return r.error();
    return deleted;
}

json WalkListDoor::toJson() const {
    const auto orNull = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    return {{"dwelling_id", dwellingId},
            {"building_id", buildingId},
            {"number", number},
            {"street", street},
            {"postcode", postcode},
            {"commune", commune},
            {"building", building},
            {"dwelling", dwelling},
            {"floor", floor},
            {"outcome", orNull(lastOutcome)},
            {"last_visit", orNull(lastVisitAt)},
            {"visits", visits}};
}

json WalkListDetail::toJson() const {
    json j = progress.toJson();
    j["territory"] = territory;
    json arr = json::array();
    for (const auto& d : doors)
        arr.push_back(d.toJson());
    j["doors"] = std::move(arr);
    return j;
}

Result<int> FieldService::routeCallTasks(WriteTx& tx, const User& pusher, const std::vector<std::string>& recordIds) {
    const std::int64_t orgId = pusher.orgId;
    const Scope pusherScope = scopeOf(pusher);
    // Routing hands records to the caller: only records the pusher may see themself, or an
    // ambassador could name anyone's person in a task and have their contact routed back.
    auto visible = [&](const RecordState& r) {
        return r.orgId == pusherScope.orgId &&
               (!pusherScope.userId || r.createdBy == *pusherScope.userId || r.assignedTo == pusherScope.userId);
    };
    int assigned = 0;
    for (const auto& id : recordIds) {
        auto task = tx.findRecord(id);
        if (!task.ok()) return task.error();
        if (!*task || (*task)->orgId != orgId || (*task)->formId != field::formid::kCallTask) continue;
        const auto caller = (*task)->answers.find(field::fields::kCaller);
        if (caller == (*task)->answers.end() || !caller->is_string()) continue;
        auto user = tx.findUser(caller->get<std::string>());
        if (!user.ok()) return user.error();
        if (!*user || (*user)->orgId != orgId) continue;
        const std::int64_t uid = (*user)->id;
        // The task, its person and every person merged into it (as field::personAliases, through the
        // fusionne_dans index), and the consents of each (through the person_id index).
        std::vector<RecordState> routed{std::move(**task)};
        const auto personIt = routed.front().answers.find(field::fields::kPersonId);
        if (personIt != routed.front().answers.end() && personIt->is_string()) {
            std::vector<std::string> aliases{personIt->get<std::string>()};
            auto person = tx.findRecord(aliases.front());
            if (!person.ok()) return person.error();
            if (*person) routed.push_back(std::move(**person));
            for (std::size_t i = 0; i < aliases.size() && aliases.size() < 64; ++i) {
                auto merged = tx.linked(orgId, field::formid::kPerson, field::fields::kMergedInto, aliases[i]);
                if (!merged.ok()) return merged.error();
                for (auto& p : *merged)
                    if (std::find(aliases.begin(), aliases.end(), p.recordId) == aliases.end()) {
                        aliases.push_back(p.recordId);
                        routed.push_back(std::move(p));
                    }
            }
            for (const auto& alias : aliases) {
                auto consents = tx.linked(orgId, field::formid::kConsent, field::fields::kPersonId, alias);
                if (!consents.ok()) return consents.error();
                for (auto& c : *consents)
                    routed.push_back(std::move(c));
            }
        }
        for (const auto& rec : routed) {
            if (!visible(rec) || rec.assignedTo == uid || rec.createdBy == uid) continue;
            if (auto r = tx.assignRecord(rec.recordId, uid); !r.ok()) return r.error();
            ++assigned;
        }
    }
    return assigned;
}

Result<field::Indicators> FieldService::indicators(const User& user, field::GroupBy by) {
    std::unique_lock<std::mutex> lock;
    auto org = records(user.orgId, lock);
    if (!org.ok()) return org.error();
    // Ambassadors see their own figures only; coordinators and admins their organisation's.
    const Scope scope = scopeOf(user);
    const std::string only = user.role == Role::Ambassador ? user.name : std::string();
    const std::string key = std::string(field::groupByName(by)) + "\n" + scopeKey(scope) + "\n" + only;
    if (auto memo = (*org)->indicators.find(key); memo != (*org)->indicators.end()) return memo->second;
    std::vector<field::RecordView> copy;
    std::optional<field::RecordIndex> own;
    auto ind = field::computeIndicators(visibleIndex(**org, scope, copy, own), m_campaign, by, only);
    ++m_computations;
    (*org)->indicators.emplace(key, ind);
    return ind;
}

namespace {

// The labels of a select question's choices in the built-in advice-desk form, by choice value.
// The built-in form is loaded once (it never changes while the server runs), not at every request
// of the funder or territory view; null if it would not load.
std::map<std::string, std::string, std::less<>> adviceDeskChoices(std::string_view question, Lang lang) {
    static const std::shared_ptr<const forms::Form> form = [] {
        for (const auto& file : field::builtinForms())
            if (file.name == "advice_desk_session.json") return forms::loadForm(file.text).form;
        return std::shared_ptr<const forms::Form>();
    }();
    std::map<std::string, std::string, std::less<>> out;
    if (!form) return out;
    const auto item = form->byName.find(std::string(question));
    if (item == form->byName.end()) return out;
    const int list = form->items[static_cast<std::size_t>(item->second)].choiceList;
    if (list < 0) return out;
    for (const auto& c : form->choiceLists[static_cast<std::size_t>(list)].choices)
        out[c.value] = c.label.get(langCode(lang), "fr");
    return out;
}

} // namespace

std::map<std::string, std::string, std::less<>> FieldService::funderNames(Lang lang) const {
    // The advice-desk sessions name their funder with a choice of the built-in form.
    auto out = adviceDeskChoices("financeur", lang);
    if (!m_campaign.funder.empty() && !m_campaign.funderName.empty()) out[m_campaign.funder] = m_campaign.funderName;
    return out;
}

std::map<std::string, std::string, std::less<>> FieldService::territoryNames(Lang lang) {
    return adviceDeskChoices("territoire", lang);
}

Result<std::vector<field::WalkListProgress>> FieldService::walkLists(const User& user) {
    std::unique_lock<std::mutex> lock;
    auto org = records(user.orgId, lock);
    if (!org.ok()) return org.error();
    const Scope scope = scopeOf(user);
    const std::string key = scopeKey(scope);
    if (auto memo = (*org)->walkLists.find(key); memo != (*org)->walkLists.end()) return memo->second;
    std::vector<field::RecordView> copy;
    std::optional<field::RecordIndex> own;
    auto lists = field::walkListProgress(visibleIndex(**org, scope, copy, own));
    ++m_computations;
    (*org)->walkLists.emplace(key, lists);
    return lists;
}

Result<std::vector<field::CallerStats>> FieldService::callers(const User& user, std::string_view today) {
    std::unique_lock<std::mutex> lock;
    auto org = records(user.orgId, lock);
    if (!org.ok()) return org.error();
    const Scope scope = scopeOf(user);
    const std::string key = scopeKey(scope) + "\n" + std::string(today);
    if (auto memo = (*org)->callers.find(key); memo != (*org)->callers.end()) return memo->second;
    std::vector<field::RecordView> copy;
    std::optional<field::RecordIndex> own;
    auto stats = field::callerStats(visibleIndex(**org, scope, copy, own), today);
    ++m_computations;
    (*org)->callers.emplace(key, stats);
    return stats;
}

Result<int> FieldService::warm(std::string_view today) {
    auto orgs = m_repo.listOrgs();
    if (!orgs.ok()) return orgs.error();
    int n = 0;
    for (const Org& org : *orgs) {
        // The organisation's whole scope, as its coordinators see it.
        User coordinator;
        coordinator.role = Role::Coordinator;
        coordinator.orgId = org.id;
        if (auto r = indicators(coordinator, field::GroupBy::Ambassador); !r.ok()) return r.error();
        if (auto r = walkLists(coordinator); !r.ok()) return r.error();
        if (auto r = callers(coordinator, today); !r.ok()) return r.error();
        ++n;
    }
    return n;
}

} // namespace carnet::server
