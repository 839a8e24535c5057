// The field screens (walk lists, call queue, contact card, indicators): pure evaluate/layout checks,
// then taps on a real store seeded with the demo campaign by the field library.
#include "app/app_state.hpp"
#include "app/charts.hpp"
#include "app/screens.hpp"
#include "app/theme.hpp"
#include "field/device.hpp"
#include "headless_imgui.hpp"
#include "tap.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <map>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using carnet::test::tapAndApply;
using nlohmann::json;

namespace {

constexpr const char* kToday = "2026-11-26";

std::unique_ptr<AppState> openDemo(const test::TempDir& dir, Lang lang = Lang::Fr) {
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.lang = lang;
    o.demo = true;
    o.today = kToday;
    auto app = AppState::open(o);
    INFO((app.ok() ? std::string() : app.error().message));
    REQUIRE(app.ok());
    // The first run names the ambassador: visits, calls and consents are recorded under that name.
    Intent name;
    name.kind = Intent::Kind::EditName;
    name.text = "Awa";
    Intent finish;
    finish.kind = Intent::Kind::FinishFirstRun;
    (*app)->apply({name, finish});
    REQUIRE((*app)->screen() == Screen::Home);
    return std::move(*app);
}

std::vector<store::Record> recordsOf(store::Store& s, const std::string& formId) {
    std::vector<store::Record> out;
    auto all = s.list(std::nullopt, true);
    REQUIRE(all.ok());
    for (auto& r : *all)
        if (r.formId == formId) out.push_back(std::move(r));
    return out;
}

std::string text(const json& answers, const char* field) {
    return answers.contains(field) && answers[field].is_string() ? answers[field].get<std::string>() : std::string();
}

} // namespace

TEST_CASE("bar layout: the tallest value or target sets a round scale, heights are proportional", "[app][charts]") {
    BarChartData d;
    d.bars = {{"a", 10, std::nullopt}, {"b", 0, std::nullopt}, {"c", 30, 40.0}};
    const BarLayout l = layoutBars(d, 300, 200);
    CHECK(l.scaleMax == Approx(50)); // 40 rounds up to 50
    REQUIRE(l.bars.size() == 3);
    CHECK(l.bars[0].h == Approx(40));
    CHECK(l.bars[0].y == Approx(160));
    CHECK(l.bars[1].h == Approx(0));
    CHECK(l.bars[2].h == Approx(120));
    CHECK_FALSE(l.targetY[0].has_value());
    REQUIRE(l.targetY[2].has_value());
    CHECK(*l.targetY[2] == Approx(200 - 160));
    // Bars sit in equal slots, left to right, inside the width.
    CHECK(l.bars[0].x < l.bars[1].x);
    CHECK(l.bars[2].x + l.bars[2].w <= 300);
    // Nothing at all still gives a usable scale.
    CHECK(layoutBars(BarChartData{}, 300, 200).scaleMax == Approx(1));
}

TEST_CASE("line layout: points evenly spread, y from zero to the rounded maximum", "[app][charts]") {
    LineChartData d;
    d.points = {{"S1", 0}, {"S2", 100}, {"S3", 180}};
    const LineLayout l = layoutLine(d, 400, 100);
    CHECK(l.scaleMax == Approx(200));
    REQUIRE(l.points.size() == 3);
    CHECK(l.points[0] == std::pair{0.0f, 100.0f});
    CHECK(l.points[1].first == Approx(200));
    CHECK(l.points[1].second == Approx(50));
    CHECK(l.points[2].second == Approx(10));
}

TEST_CASE("indicators view: key figures in French, sessions against the 129/162/66/92 targets", "[app]") {
    IndicatorsData d;
    d.interviews = 1590;
    d.volunteers = 1412;
    d.calls = 25000;
    d.pickupRate = 0.25;
    d.kmAvoided = 2262;
    d.co2Kg = 288.4;
    d.interviewsPerWeek = {{"2026-W47", 12}, {"2026-W48", 7}};
    d.kmPerWeek = {{"2026-W47", 941}, {"2026-W48", 2262}};
    d.sessions = {{"physical", 40, 129}, {"phone", 50, 162}, {"workshop", 10, 66}, {"awareness", 5, 92}};
    const IndicatorsView fr = evaluateIndicators(d, Lang::Fr);
    REQUIRE(fr.figures.size() == 8);
    CHECK(fr.figures[0].value == "1\u202f590");
    CHECK(fr.figures[3].value == "25\u202f000");
    CHECK(fr.figures[4].value == "25 %");
    CHECK(fr.figures[6].value == "2\u202f262 km");
    CHECK(fr.figures[7].value == "288 kg");
    REQUIRE(fr.sessionsChart.bars.size() == 4);
    CHECK(fr.sessionsChart.bars[1].label == "Perm. tél.");
    CHECK(fr.sessionsChart.bars[1].target == Approx(162));
    CHECK(fr.sessionsChart.bars[3].target == Approx(92));
    REQUIRE(fr.interviewsChart.bars.size() == 2);
    CHECK(fr.interviewsChart.bars[0].label == "S47");
    CHECK(fr.kmChart.points.back().value == Approx(2262));
    const IndicatorsView en = evaluateIndicators(d, Lang::En);
    CHECK(en.figures[0].value == "1,590");
    CHECK(en.figures[4].value == "25%");
    CHECK(en.interviewsChart.bars[0].label == "W47");
}

TEST_CASE("call queue view: sorted by due date, overdue flagged, calendar of the month", "[app]") {
    CallQueueData d;
    d.today = kToday;
    d.calls = {{"t2", "p2", "Bruno Martin", "+33611111111", "2026-12-03", 0},
               {"t1", "p1", "Awa Diallo", "+33622222222", "2026-11-20", 2}};
    CallQueueModel m;
    m.taskId = "t2";
    m.picking = true;
    CallQueueView v = evaluateCallQueue(m, d, Lang::Fr);
    REQUIRE(v.calls.size() == 2);
    CHECK(v.calls[0].id == "t1");
    CHECK(v.calls[0].overdue);
    CHECK(v.calls[0].subtitle == "+33 6 22 22 22 22 · en retard, prévu le 20/11/2026 · 2 essai(s)");
    CHECK_FALSE(v.calls[1].overdue);
    CHECK(v.calls[1].open);
    // November 2026 starts on a Sunday: day 1 sits in the seventh column.
    CHECK(v.monthLabel == "novembre 2026");
    CHECK(v.firstWeekday == 6);
    REQUIRE(v.days.size() == 30);
    CHECK(v.days[25].today);
    CHECK(v.days[25].past); // today is not a callback date
    CHECK_FALSE(v.days[26].past);
    CHECK_FALSE(v.canConfirm);
    CHECK(v.quick[2].second == "2027-01-07"); // in six weeks
    m.date = "2026-12-24";
    m.monthOffset = 1;
    v = evaluateCallQueue(m, d, Lang::Fr);
    CHECK(v.monthLabel == "décembre 2026");
    CHECK(v.firstWeekday == 1); // 1 December 2026 is a Tuesday
    CHECK(v.days.size() == 31);
    CHECK(v.days[23].selected);
    CHECK(v.canConfirm);
    CHECK(v.confirmCallback == "Rappeler le 24/12/2026");
}

TEST_CASE("walk list: tapping a door then Personne writes a door visit and updates the dwelling", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("walk:first").ok());
    const std::string door = app->walkModel().doorId;
    REQUIRE_FALSE(door.empty());
    const int visitsBefore = static_cast<int>(recordsOf(app->store(), "door_visit").size());
    const json before = app->store().get(door)->answers;
    const double countBefore = before.value("nb_passages", 0.0);

    HeadlessImGui ui(800, 6000); // tall: every door of the list is on screen
    // First tap closes the door opened by "walk:first"; the next two are the two taps of the field.
    tapAndApply(ui, *app, "door." + door);
    CHECK(app->walkModel().doorId.empty());
    tapAndApply(ui, *app, "door." + door);
    CHECK(app->walkModel().doorId == door);
    tapAndApply(ui, *app, "outcome." + door + ".absent");
    CHECK(app->walkModel().message == "");
    CHECK(app->walkModel().doorId.empty());

    const auto visits = recordsOf(app->store(), "door_visit");
    CHECK(static_cast<int>(visits.size()) == visitsBefore + 1);
    int found = 0;
    for (const auto& v : visits)
        if (text(v.answers, "dwelling_id") == door && text(v.answers, "visite_le").rfind(kToday, 0) == 0) {
            ++found;
            CHECK(text(v.answers, "issue") == "absent");
        }
    CHECK(found == 1);
    const json after = app->store().get(door)->answers;
    CHECK(text(after, "derniere_issue") == "absent");
    CHECK(after.value("nb_passages", 0.0) == Approx(countBefore + 1));
    // The screen shows it.
    const WalkListView view = evaluateWalkLists(app->walkModel(), app->walkListData(), Lang::Fr);
    bool shown = false;
    for (const auto& b : view.buildings)
        for (const auto& d : b.dwellings)
            if (d.id == door) shown = d.status.rfind("Personne · ", 0) == 0;
    CHECK(shown);
}

TEST_CASE("walk list: nobody home for a whole building, after a confirmation", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("walk:first").ok());
    std::string building;
    int remaining = 0;
    std::map<std::string, int> visitsBefore;
    for (const auto& b : app->walkListData().buildings)
        if (b.remaining > 1 && building.empty()) {
            building = b.id;
            remaining = b.remaining;
            for (const auto& d : b.dwellings)
                visitsBefore[d.id] = d.visits;
        }
    REQUIRE_FALSE(building.empty());
    const auto recordsBefore = recordsOf(app->store(), "door_visit").size();
    HeadlessImGui ui(800, 6000);
    tapAndApply(ui, *app, "absent_all." + building);
    CHECK(app->walkModel().confirmBuilding == building);
    // Cancel changes nothing.
    tapAndApply(ui, *app, "absent_all.cancel." + building);
    CHECK(recordsOf(app->store(), "door_visit").size() == recordsBefore);
    tapAndApply(ui, *app, "absent_all." + building);
    tapAndApply(ui, *app, "absent_all.confirm." + building);
    CHECK(app->walkModel().message == "");
    CHECK(recordsOf(app->store(), "door_visit").size() == recordsBefore + static_cast<std::size_t>(remaining));
    // Exactly the remaining doors got one more visit, each "nobody home".
    int visited = 0;
    for (const auto& b : app->walkListData().buildings) {
        if (b.id != building) continue;
        CHECK(b.remaining == remaining); // "nobody home" is not final: those doors are to visit again
        for (const auto& d : b.dwellings)
            if (d.visits == visitsBefore[d.id] + 1) {
                ++visited;
                CHECK(d.outcome == "absent");
            }
    }
    CHECK(visited == remaining);
}

TEST_CASE("walk list: Entretien opens the door interview linked to the dwelling", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("walk:first").ok());
    const std::string door = app->walkModel().doorId;
    HeadlessImGui ui(800, 6000);
    tapAndApply(ui, *app, "outcome." + door + ".entretien");
    REQUIRE(app->screen() == Screen::Form);
    const auto rec = app->store().get(app->formModel().recordId);
    REQUIRE(rec.ok());
    CHECK(rec->formId == "door_to_door");
    CHECK(text(rec->answers, "dwelling_id") == door);
    // The link is a hidden question: on the first page, but not drawn.
    ui.frame([&](DrawContext& ctx) { app->draw(ctx); });
    CHECK(ui.find("save_leave"));
    CHECK_FALSE(ui.find("input.dwelling_id"));
    // Leaving the interview goes back to the walk list.
    tapAndApply(ui, *app, "save_leave");
    CHECK(app->screen() == Screen::WalkLists);
}

TEST_CASE("call queue: no answer and a callback reschedule the call", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("calls:first").ok());
    const std::string task = app->callModel().taskId;
    REQUIRE_FALSE(task.empty());
    const double attemptsBefore = app->store().get(task)->answers.value("nb_tentatives", 0.0);
    HeadlessImGui ui(800, 6000);
    tapAndApply(ui, *app, "call.no_answer." + task);
    CHECK(app->callModel().message == "");
    json t = app->store().get(task)->answers;
    CHECK(t.value("nb_tentatives", 0.0) == Approx(attemptsBefore + 1));
    if (text(t, "statut") == "a_faire") {
        const auto retry = field::addDays(kToday, app->campaign().retryDays);
        REQUIRE(retry);
        CHECK(text(t, "echeance") == *retry);
    } else {
        CHECK(text(t, "statut") == "epuise"); // that was its last attempt
    }

    // A callback on a chosen date: open the call, the picker, choose "in six weeks", confirm.
    const CallQueueData q = app->callQueueData();
    REQUIRE_FALSE(q.calls.empty());
    const std::string next = q.calls.front().id;
    tapAndApply(ui, *app, "call." + next);
    tapAndApply(ui, *app, "call.callback." + next);
    CHECK(app->callModel().picking);
    tapAndApply(ui, *app, "quick.2");
    CHECK(app->callModel().date == "2027-01-07");
    tapAndApply(ui, *app, "callback.confirm");
    CHECK(app->callModel().message == "");
    t = app->store().get(next)->answers;
    CHECK(text(t, "statut") == "a_faire");
    CHECK(text(t, "echeance") == "2027-01-07");
    // The queue is sorted by due date: the call moved after the others due earlier.
    const CallQueueData after = app->callQueueData();
    const CallQueueView v = evaluateCallQueue(CallQueueModel{}, after, Lang::Fr);
    for (std::size_t k = 1; k < v.calls.size(); ++k)
        CHECK(after.calls[k - 1].due <= after.calls[k].due);
}

TEST_CASE("call queue: answered opens the script linked to the person and the call", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("calls:first").ok());
    const std::string task = app->callModel().taskId;
    const std::string person = app->callQueueData().calls.front().personId;
    HeadlessImGui ui(800, 6000);
    tapAndApply(ui, *app, "call.answered." + task);
    REQUIRE(app->screen() == Screen::Form);
    const auto script = app->store().get(app->formModel().recordId);
    REQUIRE(script.ok());
    CHECK(script->formId == "phone_followup");
    CHECK(text(script->answers, "person_id") == person);
    CHECK(text(script->answers, "call_task_id") == task);
}

TEST_CASE("contact card: consent with its wording version, do not contact cancels the calls", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    REQUIRE(app->openScreen("contact:first").ok());
    REQUIRE(app->screen() == Screen::Contact);
    const std::string person = app->contactModel().personId;
    ContactData c = app->contactData();
    REQUIRE(c.found);
    CHECK_FALSE(c.name.empty());
    REQUIRE(c.consents.size() == 2);

    HeadlessImGui ui(800, 6000);
    tapAndApply(ui, *app, "consent.answers_use.no");
    CHECK(app->contactModel().message == "");
    c = app->contactData();
    CHECK(c.consents[1].purpose == "answers_use");
    CHECK(c.consents[1].recorded);
    CHECK_FALSE(c.consents[1].granted);
    CHECK(c.consents[1].wordingVersion == app->campaign().consentWordingVersion);
    CHECK(c.consents[1].collectedAt.rfind(kToday, 0) == 0);
    CHECK(c.consents[1].collectedBy == "Awa");

    auto hasCall = [&] {
        for (const auto& call : app->callQueueData().calls)
            if (call.personId == person) return true;
        return false;
    };
    CHECK(hasCall());
    tapAndApply(ui, *app, "dnc.on");
    CHECK(app->contactModel().message == "");
    CHECK(app->contactData().doNotContact);
    CHECK_FALSE(hasCall());

    // Erasing asks first; then the name and phone are gone.
    tapAndApply(ui, *app, "erase");
    CHECK(app->contactModel().confirmErase);
    tapAndApply(ui, *app, "erase.confirm");
    CHECK(app->contactModel().message == "");
    c = app->contactData();
    CHECK(c.erased);
    CHECK(c.name.empty());
    CHECK(c.phone.empty());
    tapAndApply(ui, *app, "contact.back");
    CHECK(app->screen() == Screen::Home);
}

TEST_CASE("indicators screen: the seeded records' figures and bar heights", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    const IndicatorsData d = app->indicatorsData();
    // Counted again here, straight from the store, the way docs/field-model.md defines them.
    int interviews = 0;
    for (const auto& r : recordsOf(app->store(), "door_to_door"))
        if (r.status == store::Status::Finalized && text(r.answers, "issue_visite") == "entretien") ++interviews;
    CHECK(d.interviews == interviews);
    CHECK(d.interviews > 0);
    int sessions[4] = {0, 0, 0, 0};
    for (const auto& r : recordsOf(app->store(), "advice_desk_session")) {
        if (r.status != store::Status::Finalized) continue;
        const std::string kind = text(r.answers, "type_seance");
        const char* const kinds[] = {"permanence_physique", "permanence_telephonique", "atelier_thematique",
                                     "sensibilisation_pro"};
        for (int k = 0; k < 4; ++k)
            if (kind == kinds[k]) ++sessions[k];
    }
    REQUIRE(d.sessions.size() == 4);
    const int targets[] = {129, 162, 66, 92};
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(d.sessions[k].count == sessions[k]);
        CHECK(d.sessions[k].target == targets[k]);
    }
    int calls = 0;
    for (const auto& r : recordsOf(app->store(), "call_task"))
        if (r.answers.contains("tentatives")) calls += static_cast<int>(r.answers["tentatives"].size());
    CHECK(d.calls == calls);
    CHECK(d.pickupRate == Approx(d.calls ? static_cast<double>(d.answeredCalls) / d.calls : 0.0));
    // Cumulative km never go down, and end at the total.
    for (std::size_t k = 1; k < d.kmPerWeek.size(); ++k)
        CHECK(d.kmPerWeek[k].value >= d.kmPerWeek[k - 1].value);

    // The sessions chart: bar heights proportional to the counts, target markers at 129/162/66/92.
    const IndicatorsView v = evaluateIndicators(d, Lang::Fr);
    const BarLayout l = layoutBars(v.sessionsChart, 600, 200);
    CHECK(l.scaleMax == Approx(200)); // 162 is the tallest target
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(l.bars[k].h == Approx(200.0 * sessions[k] / 200.0));
        REQUIRE(l.targetY[k]);
        CHECK(*l.targetY[k] == Approx(200.0f - 200.0f * static_cast<float>(targets[k]) / 200.0f));
    }
}

TEST_CASE("field screens: every touch target at least 48 px, portrait and landscape", "[app][field]") {
    test::TempDir dir;
    auto app = openDemo(dir);
    for (const auto& size : {std::pair{800.0f, 1280.0f}, std::pair{1280.0f, 800.0f}}) {
        HeadlessImGui ui(size.first, size.second);
        for (const std::string screen :
             {"home", "walk", "walk:first", "calls", "calls:first", "contact:first", "indicators"}) {
            REQUIRE(app->openScreen(screen).ok());
            ui.frame([&](DrawContext& ctx) { app->draw(ctx); });
            INFO(screen << " at " << size.first << "x" << size.second);
            CHECK(ui.targets.size() >= 3);
            for (const auto& t : ui.targets) {
                INFO(t.id);
                CHECK(t.h >= theme::kTouchMin);
                CHECK(t.w >= theme::kTouchMin);
            }
        }
        // The date picker too.
        REQUIRE(app->openScreen("calls:first").ok());
        Intent open;
        open.kind = Intent::Kind::ShowCallbackPicker;
        open.flag = true;
        app->apply({open});
        ui.frame([&](DrawContext& ctx) { app->draw(ctx); });
        int days = 0;
        for (const auto& t : ui.targets) {
            INFO(t.id);
            if (t.id.rfind("day.", 0) == 0) ++days;
            CHECK(t.h >= theme::kTouchMin);
            CHECK(t.w >= theme::kTouchMin);
        }
        CHECK(days >= 28);
    }
}

TEST_CASE("time stamps: at 00:30 in Paris the field stamp is the UTC instant, not 24 h ahead", "[app][clock]") {
    // The device's zone for this test (POSIX TZ), put back afterwards.
    const char* oldTz = std::getenv("TZ");
    const std::string saved = oldTz ? oldTz : "";
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    struct Restore {
        bool had;
        std::string value;
        ~Restore() {
            if (had)
                setenv("TZ", value.c_str(), 1);
            else
                unsetenv("TZ");
            tzset();
        }
    } restore{oldTz != nullptr, saved};

    test::TempDir dir;
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.clock = clock::fixedAt(*clock::parseIsoUtc("2026-03-10T23:30:00Z")); // 00:30 on the 11th in Paris
    auto opened = AppState::open(o);
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    AppState& app = **opened;
    CHECK(app.today() == "2026-03-11"); // what the screens show: the local date
    CHECK(app.nowIso() == "2026-03-10T23:30:00Z");
    // --today moves the clock to that local date and keeps the local time of day.
    o.today = "2026-11-26";
    o.dataDir = dir.path() / "data2";
    auto fixedDay = AppState::open(o);
    REQUIRE(fixedDay.ok());
    CHECK((*fixedDay)->today() == "2026-11-26");
    CHECK((*fixedDay)->nowIso() == "2026-11-25T23:30:00Z");
}
