// AppState's field work: what the walk-list, call-queue, contact and indicators screens show,
// gathered through the field library, and the store writes their intents ask for.
#include "app/app_state.hpp"

#include "field/device.hpp"

#include <algorithm>
#include <chrono>

namespace carnet::app {

namespace {

std::string joinNonEmpty(std::initializer_list<std::string> parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

std::vector<const field::RecordView*> byOrder(std::vector<const field::RecordView*> records) {
    std::stable_sort(records.begin(), records.end(), [](const auto* a, const auto* b) {
        return a->number(field::fields::kOrder, 1e9) < b->number(field::fields::kOrder, 1e9);
    });
    return records;
}

std::string personName(const field::RecordView& p) {
    return joinNonEmpty({p.text(field::fields::kFirstName), p.text(field::fields::kLastName)}, " ");
}

// The live person met at a dwelling (not merged into another, not erased), or nullptr.
const field::RecordView* personAt(const field::RecordIndex& idx, const std::string& dwellingId) {
    for (const auto* p : idx.linked(field::formid::kPerson, field::fields::kDwellingId, dwellingId))
        if (p->text(field::fields::kMergedInto).empty()) return p;
    return nullptr;
}

// "3B · 2e étage", "0A · RDC": the floor as people say it.
std::string dwellingLabel(const field::RecordView& d, Lang lang) {
    const std::string floor = d.text(field::fields::kFloor);
    std::string floorText = floor;
    if (!floor.empty() && floor.find_first_not_of("0123456789") == std::string::npos)
        floorText = floor == "0" ? tr("app.walk.ground_floor", lang)
                                 : tr(floor == "1" ? "app.walk.first_floor" : "app.walk.floor", lang, {floor});
    return joinNonEmpty({d.text(field::fields::kDwellingLabel), floorText}, " · ");
}

std::string buildingAddress(const field::RecordView& b) {
    using namespace field::fields;
    const std::string street = joinNonEmpty({b.text(kNumber), b.text(kStreet)}, " ");
    return joinNonEmpty({street, b.text(kBuildingLabel), b.text(kCommune)}, " · ");
}

} // namespace

std::string AppState::ambassadorCodeSetting() {
    // The server's accounts carry no ambassador code (login answers a name, a role and an
    // organisation): the tablet learns it from the account's first finalized interview, and keeps
    // it by account, so that a tablet passed to a colleague never signs their interviews with it.
    // An unpaired tablet keeps one, as before accounts.
    const std::string account = m_store.setting("server_user").value_or("");
    return account.empty() ? "ambassador_code" : "ambassador_code." + account;
}

std::string AppState::today() const {
    return clock::localDate(m_clock());
}

std::string AppState::nowIso() const {
    // An instant in UTC: never the local date joined to the UTC time (24 h ahead between the two
    // midnights east of Greenwich).
    return clock::isoUtc(m_clock());
}

const std::vector<field::RecordView>& AppState::views() {
    // Loaded once per change, not once per frame: a drag redraws every frame.
    if (!m_viewsLoaded) {
        auto loaded = field::device::loadViews(m_store);
        m_views = loaded.ok() ? std::move(*loaded) : std::vector<field::RecordView>{};
        m_viewsError = loaded.ok() ? std::string() : loaded.error().message;
        m_viewsLoaded = true;
    }
    return m_views;
}

std::string AppState::currentWalkList() {
    const WalkListData data = walkListData(); // no list is open: the lists only
    const std::string last = m_store.setting("walk_list").value_or("");
    for (const auto& l : data.lists)
        if (l.id == last) return last;
    return data.lists.empty() ? std::string() : data.lists.front().id;
}

WalkListData AppState::walkListData() {
    WalkListData d;
    const field::RecordIndex idx(views());
    if (!m_viewsError.empty()) m_walk.message = m_viewsError;
    for (const auto& p : field::walkListProgress(idx)) {
        WalkListRow row;
        row.id = p.walkListId;
        row.name = p.name;
        if (const auto* wl = idx.find(p.walkListId)) row.territory = wl->text(field::fields::kTerritory);
        row.done = p.done;
        row.visited = p.visited;
        row.total = p.dwellings;
        d.lists.push_back(std::move(row));
    }
    if (m_walk.listId.empty()) return d;
    for (const auto* b : byOrder(idx.linked(field::formid::kBuilding, field::fields::kWalkListId, m_walk.listId))) {
        BuildingRow br;
        br.id = b->id;
        br.address = buildingAddress(*b);
        br.remaining = static_cast<int>(field::remainingDwellings(idx, b->id).size());
        for (const auto* dw : byOrder(idx.linked(field::formid::kDwelling, field::fields::kBuildingId, b->id))) {
            DwellingRow row;
            row.id = dw->id;
            row.label = dwellingLabel(*dw, m_lang);
            row.outcome = dw->text(field::fields::kLastOutcome);
            row.visits = static_cast<int>(dw->number(field::fields::kVisitCount));
            const auto outcome = field::parseOutcome(row.outcome);
            row.final = outcome && field::isFinal(*outcome);
            if (const auto* p = personAt(idx, dw->id)) row.personId = p->id;
            br.dwellings.push_back(std::move(row));
        }
        d.buildings.push_back(std::move(br));
    }
    return d;
}

CallQueueData AppState::callQueueData() {
    CallQueueData d;
    d.today = today();
    // The tablet shows everyone's open calls: a phone ambassador may take over a colleague's.
    const field::RecordIndex idx(views());
    for (const auto& e : field::callQueue(idx, "", d.today))
        d.calls.push_back(CallRow{e.taskId, e.personId, e.name, e.phone, e.dueDate, e.attempts});
    return d;
}

ContactData AppState::contactData() {
    ContactData d;
    d.personId = m_contact.personId;
    d.wordingVersion = m_campaign.consentWordingVersion;
    const field::RecordIndex idx(views());
    const field::RecordView* p = idx.find(m_contact.personId);
    if (!p || p->formId != field::formid::kPerson) return d;
    using namespace field::fields;
    d.found = true;
    d.name = personName(*p);
    d.phone = p->text(kPhone);
    d.doNotContact = p->text(kDoNotContact) == "oui";
    d.erased = p->text(kErased) == "oui";
    const std::string dwellingId = p->text(kDwellingId);
    if (const auto* dw = idx.find(dwellingId)) {
        const auto* b = idx.find(dw->text(kBuildingId));
        d.address = joinNonEmpty({b ? buildingAddress(*b) : std::string(), dw->text(kDwellingLabel)}, " · ");
        for (const auto* v : idx.linked(field::formid::kDoorVisit, kDwellingId, dwellingId))
            d.history.push_back(HistoryItem{"door", field::datePart(v->text(kVisitedAt)), v->text(kOutcome)});
    }
    for (const auto* t : idx.linked(field::formid::kCallTask, kPersonId, p->id))
        d.history.push_back(HistoryItem{"call", t->text(kDueDate), t->text(kCallStatus)});
    std::sort(d.history.begin(), d.history.end(),
              [](const HistoryItem& a, const HistoryItem& b) { return a.date > b.date; });
    for (std::string_view purpose : {field::kPurposePhone, field::kPurposeAnswers}) {
        ConsentRow c;
        c.purpose = std::string(purpose);
        if (const auto* r = field::latestConsent(idx, p->id, purpose)) {
            c.recorded = true;
            c.granted = r->text(kGranted) == "oui";
            c.wordingVersion = r->text(kWordingVersion);
            c.collectedAt = r->text(kCollectedAt);
            c.collectedBy = r->text(kCollectedBy);
        }
        d.consents.push_back(std::move(c));
    }
    return d;
}

IndicatorsData AppState::indicatorsData() {
    IndicatorsData d;
    const field::RecordIndex idx(views());
    const auto ind = field::computeIndicators(idx, m_campaign, field::GroupBy::Week);
    const field::IndicatorValues& t = ind.totals;
    d.interviews = t.interviews;
    d.volunteers = t.volunteers;
    d.consents = t.consents;
    d.calls = t.calls;
    d.answeredCalls = t.callsAnswered;
    d.pickupRate = t.pickupRate;
    d.pairs = t.pairs;
    d.kmAvoided = t.kmAvoided;
    d.co2Kg = t.co2Kg;
    // The last twelve weeks with activity; km avoided accumulate from the first week.
    double km = 0;
    for (const auto& g : ind.groups) {
        if (g.key.empty()) continue;
        km += g.values.kmAvoided;
        d.interviewsPerWeek.push_back(WeekValue{g.key, static_cast<double>(g.values.interviews)});
        d.kmPerWeek.push_back(WeekValue{g.key, km});
    }
    constexpr std::size_t kWeeks = 12;
    for (auto* series : {&d.interviewsPerWeek, &d.kmPerWeek})
        if (series->size() > kWeeks)
            series->erase(series->begin(), series->end() - static_cast<std::ptrdiff_t>(kWeeks));
    d.sessions = {{"physical", t.sessions.physical, ind.targets.physical},
                  {"phone", t.sessions.phone, ind.targets.phone},
                  {"workshop", t.sessions.workshop, ind.targets.workshop},
                  {"awareness", t.sessions.awareness, ind.targets.awareness}};
    return d;
}

void AppState::doorOutcome(const std::string& dwellingId, const std::string& outcome, bool confirmed) {
    const auto parsed = field::parseOutcome(outcome);
    if (!parsed) return;
    m_walk.message.clear();
    if (*parsed == field::DoorOutcome::Interview) {
        // The interview opens linked to the door; finalizing it records the "entretien" outcome.
        field::device::InterviewStart known;
        const clock::Instant now = m_clock ? m_clock() : clock::systemNow();
        known.localTime = clock::localDate(now) + "T" + clock::localFormat(now, "%H:%M");
        known.account = m_store.setting("server_user").value_or(""); // the logged-in user
        known.ambassadorCode = m_store.setting(ambassadorCodeSetting()).value_or("");
        auto draft = field::device::startInterview(m_store, dwellingId, m_userName, known);
        if (!draft.ok()) {
            m_walk.message = draft.error().message;
            return;
        }
        m_walk.doorId.clear();
        openRecord(*draft);
        m_formBack = Screen::WalkLists;
        return;
    }
    if (*parsed == field::DoorOutcome::DoNotContact && !confirmed) {
        m_walk.confirmDoNotContact = dwellingId; // asked once
        return;
    }
    m_walk.confirmDoNotContact.clear();
    auto before = m_store.get(dwellingId);
    if (!before.ok()) {
        m_walk.message = before.error().message;
        return;
    }
    auto r = field::device::recordDoorOutcome(m_store, dwellingId, *parsed, nowIso(), m_userName);
    if (!r.ok()) {
        m_walk.message = r.error().message;
        return;
    }
    m_walk.doorId.clear();
    // What the outcome changed on the door, as it was: an undo puts it back and deletes the visit.
    auto after = m_store.get(dwellingId);
    nlohmann::json changed = nlohmann::json::object();
    if (after.ok())
        for (const auto& [k, v] : after->answers.items())
            if (!before->answers.contains(k) || before->answers[k] != v)
                changed[k] = before->answers.contains(k) ? before->answers[k] : nlohmann::json();
    m_walk.undoVisit = *r;
    m_walk.undoDoor = dwellingId;
    m_walk.undoOutcome = outcome;
    m_walk.undoBefore = std::move(changed);
    m_walk.undoUntil = clock() + kUndoSeconds;
}

void AppState::undoOutcome() {
    if (m_walk.undoVisit.empty() || clock() > m_walk.undoUntil) return;
    const std::string door = m_walk.undoDoor;
    const std::string visit = m_walk.undoVisit;
    const nlohmann::json before = m_walk.undoBefore;
    m_walk.undoVisit.clear();
    m_walk.undoDoor.clear();
    // One unit of work: the visit goes and the door gets back what it held, or nothing changes.
    auto tx = m_store.transaction();
    if (!tx.begun().ok()) {
        m_walk.message = tx.begun().error().message;
        return;
    }
    if (auto r = m_store.deleteRecord(visit); !r.ok()) {
        m_walk.message = r.error().message;
        return;
    }
    for (const auto& [k, v] : before.items())
        if (auto r = m_store.setAnswer(door, k, v); !r.ok()) {
            m_walk.message = r.error().message;
            return;
        }
    if (auto r = tx.commit(); !r.ok()) {
        m_walk.message = r.error().message;
        return;
    }
    m_walk.doorId = door; // the right outcome is one tap away
}

double AppState::clock() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count() + m_clockOffset;
}

void AppState::callOutcome(const std::string& taskId, const std::string& outcome) {
    const auto parsed = field::parseCallOutcome(outcome);
    if (!parsed) return;
    field::CallAttempt attempt;
    attempt.outcome = *parsed;
    attempt.at = nowIso();
    attempt.caller = m_userName;
    if (*parsed == field::CallOutcome::Callback) attempt.callbackDate = m_calls.date;
    auto r = field::device::recordCall(m_store, taskId, attempt, m_campaign);
    if (!r.ok()) {
        m_calls.message = r.error().message;
        return;
    }
    m_calls = CallQueueModel{};
    if (!r->scriptId.empty()) {
        openRecord(r->scriptId);
        m_formBack = Screen::CallQueue;
    }
}

void AppState::openContact(const std::string& personId) {
    if (m_screen != Screen::Contact) m_contact.back = m_screen;
    m_contact.personId = personId;
    m_contact.confirmErase = false;
    m_contact.message.clear();
    m_screen = Screen::Contact;
}

} // namespace carnet::app
