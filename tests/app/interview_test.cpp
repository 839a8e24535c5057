// The interview as a person fills it: the real screens, driven through ImGui's input by the labels a
// person reads, with assertions on what the store saved.
#include "app/app_state.hpp"
#include "app/screens.hpp"
#include "app/theme.hpp"
#include "driver.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace carnet;
using namespace carnet::app;
using carnet::test::Driver;
using carnet::test::HeadlessImGui;
using carnet::test::openDemo;
using nlohmann::json;

namespace {

constexpr const char* kToday = "2026-12-06";
constexpr const char* kDoorToDoor = "Ambassadeurs de la mobilité – entretien en porte-à-porte";
constexpr const char* kEcoGeste = "Quel premier éco-geste la personne choisit-elle d’essayer ?";

// Home -> the door-to-door interview, "Entretien réalisé" on page 1, then "Finaliser" on the last
// page: the summary lists what is missing.
void startInterviewAndFinalize(Driver& d) {
    d.tapLabel(kDoorToDoor);
    REQUIRE(d.app.screen() == Screen::Form);
    d.tapLabel("Entretien réalisé");
    REQUIRE(d.answers()["issue_visite"] == "entretien");
    for (int k = 0; k < 4; ++k)
        d.tap("page.next");
    d.tap("finalize");
    REQUIRE(d.app.formModel().showSummary);
}

// The body of the form: between the header and the bottom bar.
bool onScreen(const app::Target& t, float height) {
    return t.y >= 0 && t.y + t.h <= height - (theme::kButtonHeight + 2 * theme::kPadding);
}

} // namespace

TEST_CASE("door to door page 3: the two taps after answering a question with an error record what was aimed at",
          "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    startInterviewAndFinalize(d);
    // The summary names the question, not its internal name, and jumps to it.
    d.tapLabel(kEcoGeste);
    REQUIRE_FALSE(app->formModel().showSummary);
    CHECK(app->formModel().page == 2);
    CHECK(app->formModel().highlight == "eco_geste");
    ui.look(d.draw);
    auto highlighted = ui.find("highlight.eco_geste");
    REQUIRE(highlighted);
    CHECK(onScreen(*highlighted, 1280));
    // The person sees "required" under the two questions and aims at two trips.
    const auto work = d.aim("Domicile – travail");
    const auto shopping = d.aim("Courses");
    d.tapLabel("Essayer le bus");
    CHECK(d.answers()["eco_geste"] == "bus");
    // The first answer removed its message: nothing below it moved, so the taps land where aimed.
    ui.look(d.draw);
    app->apply(ui.tapAt(work.first, work.second, d.draw));
    ui.look(d.draw);
    app->apply(ui.tapAt(shopping.first, shopping.second, d.draw));
    CHECK(d.answers()["trajets_vises"] == json::array({"travail", "courses"}));
}

TEST_CASE("a press on a target that moved a moment ago is ignored", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    startInterviewAndFinalize(d);
    d.tapLabel(kEcoGeste);
    // The person aims at the trips as drawn now.
    std::vector<std::pair<float, float>> trips;
    for (const char* label : {"Domicile – travail", "Domicile – école ou études", "Courses", "Loisirs et visites",
                              "Démarches, santé", "Aucun en particulier"})
        trips.push_back(d.aim(label));
    // "Autre geste" adds "Précisez le geste" above the trips: they move down.
    d.tapLabel("Autre geste");
    CHECK(d.answers()["eco_geste"] == "autre");
    const int ignoredBefore = ui.touch.ignoredPresses;
    // Quick taps where the trips were, within a fraction of a second: each lands on a button that
    // has just moved (or between two), and none records anything.
    for (const auto& [x, y] : trips)
        app->apply(ui.tapAt(x, y, d.draw));
    CHECK(ui.touch.ignoredPresses > ignoredBefore);
    CHECK_FALSE(d.answers().contains("trajets_vises"));
    // Once the screen has settled, a tap does what it says.
    d.tapLabel("Domicile – travail");
    CHECK(d.answers()["trajets_vises"] == json::array({"travail"}));
}

TEST_CASE("each page opens at its top", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    d.tapLabel("Entretien réalisé");
    d.tap("page.next");
    // Page 2 scrolled down by a finger drag.
    ui.look(d.draw);
    const auto before = ui.find("number.nb_personnes");
    REQUIRE(before);
    app->apply(ui.drag(400, 900, -500, d.draw));
    ui.settle(d.draw);
    const auto scrolled = ui.find("number.nb_personnes");
    REQUIRE((!scrolled || scrolled->y < before->y - 200)); // scrolled up, or out of sight
    d.tap("page.next");
    ui.look(d.draw);
    auto first = ui.findLabel("Essayer le bus");
    REQUIRE(first);
    CHECK(onScreen(*first, 1280));
    // And back: page 2 opens at its top too.
    d.tap("page.previous");
    ui.look(d.draw);
    const auto again = ui.find("number.nb_personnes");
    REQUIRE(again);
    CHECK(again->y == Approx(before->y));
}

TEST_CASE("the outline lists every page and question with its state and jumps to one", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    d.tapLabel("Entretien réalisé");
    d.tap("outline");
    REQUIRE(app->formModel().showOutline);
    const FormScreenView v = evaluateForm(
        app->formModel(), (*app->store().openSession(app->formModel().recordId))->view(), Lang::Fr, kToday, "10:00");
    int pages = 0;
    bool issueAnswered = false, ecoMissing = false;
    for (const auto& line : v.outline) {
        if (line.state == OutlineLine::State::Page) ++pages;
        if (line.path == "issue_visite") issueAnswered = line.state == OutlineLine::State::Answered;
        if (line.path == "eco_geste") ecoMissing = line.state == OutlineLine::State::Missing;
    }
    CHECK(pages == 5);
    CHECK(issueAnswered);
    CHECK(ecoMissing);
    // Jump to the consent question on page 4: it is on screen and highlighted.
    const std::string consent =
        "J’accepte que mes réponses soient utilisées, de façon anonyme, pour évaluer l’opération.";
    ui.look(d.draw);
    if (!ui.findLabel(consent)) {
        app->apply(ui.drag(400, 1000, -2000, d.draw));
        ui.settle(d.draw);
    }
    d.tapLabel(consent);
    CHECK_FALSE(app->formModel().showOutline);
    CHECK(app->formModel().page == 3);
    ui.look(d.draw);
    ui.look(d.draw);
    const auto h = ui.find("highlight.consentement_reponses");
    REQUIRE(h);
    CHECK(onScreen(*h, 1280));
}

TEST_CASE("a draft reopens at the page where it was left", "[app][interview]") {
    test::TempDir dir;
    std::string id;
    {
        auto app = openDemo(dir.path());
        HeadlessImGui ui(800, 1280);
        Driver d{*app, ui};
        d.tapLabel(kDoorToDoor);
        id = app->formModel().recordId;
        d.tapLabel("Entretien réalisé");
        d.tap("page.next");
        d.tap("page.next");
        d.tap("save_leave");
        REQUIRE(app->screen() == Screen::Home);
    }
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    Intent open;
    open.kind = Intent::Kind::OpenRecord;
    open.id = id;
    app->apply({open});
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->formModel().page == 2);
}

TEST_CASE("text typed is kept through a kill -9 with the field still focused", "[app][interview]") {
    test::TempDir dir;
    std::string id;
    {
        auto app = openDemo(dir.path());
        REQUIRE(app->openScreen("form:door_to_door").ok());
        id = app->formModel().recordId;
    }
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child types into the address field, then dies without leaving it.
        try {
            auto app = openDemo(dir.path());
            HeadlessImGui ui(800, 1280);
            Driver d{*app, ui};
            Intent open;
            open.kind = Intent::Kind::OpenRecord;
            open.id = id;
            app->apply({open});
            d.tap("input.adresse");
            app->apply(ui.type("12 rue Noël", d.draw));
            app->apply(ui.frame(d.draw));
            kill(getpid(), SIGKILL);
        } catch (...) {
        }
        _exit(3); // only when something above failed
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Intent open;
    open.kind = Intent::Kind::OpenRecord;
    open.id = id;
    app->apply({open});
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->store().get(id)->answers["adresse"] == "12 rue Noël");
}

TEST_CASE("digits typed on the keypad are kept through a kill -9 before \"Valider\"", "[app][interview]") {
    test::TempDir dir;
    std::string id;
    {
        auto app = openDemo(dir.path());
        REQUIRE(app->openScreen("form:door_to_door").ok());
        id = app->formModel().recordId;
    }
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child types 1 then 2 on the keypad of page 2's first number (1 by default: cleared
        // first), then dies with the keypad still open: no "Valider", no page change, no close.
        try {
            auto app = openDemo(dir.path());
            HeadlessImGui ui(800, 1280);
            Driver d{*app, ui};
            Intent open;
            open.kind = Intent::Kind::OpenRecord;
            open.id = id;
            app->apply({open});
            d.tapLabel("Entretien réalisé");
            d.tap("page.next");
            d.tap("number.nb_personnes");
            d.tap("key.clear");
            d.tap("key.1");
            d.tap("key.2");
            if (app->formModel().keypad != "nb_personnes") _exit(4);
            app->apply(ui.frame(d.draw));
            kill(getpid(), SIGKILL);
        } catch (...) {
        }
        _exit(3); // only when something above failed
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    INFO("child exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    Intent open;
    open.kind = Intent::Kind::OpenRecord;
    open.id = id;
    app->apply({open});
    REQUIRE(app->screen() == Screen::Form);
    // The digits are the answer now, and the draft reopened on their page, showing them.
    CHECK(app->store().get(id)->answers["nb_personnes"] == 12);
    CHECK(app->formModel().page == 1);
    ui.look(d.draw);
    const auto shown = ui.find("number.nb_personnes");
    REQUIRE(shown);
    CHECK(shown->label == "12");
}

TEST_CASE("walk list: opening a door moves no row and puts no button under the finger", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    REQUIRE(app->openScreen("walk:first").ok());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.ui.look(d.draw);
    // The first door is open (walk:first); the person taps the second door, then taps again at once.
    std::vector<app::Target> doors;
    for (const auto& t : ui.targets)
        if (t.id.rfind("door.", 0) == 0) doors.push_back(t);
    REQUIRE(doors.size() >= 2);
    const app::Target second = doors[1];
    auto countVisits = [&] {
        int n = 0;
        const auto all = app->store().list(std::nullopt, true);
        REQUIRE(all.ok());
        for (const auto& r : *all)
            if (r.formId == "door_visit") ++n;
        return n;
    };
    const int visitsBefore = countVisits();
    app->apply(ui.tapAt(second.x + second.w / 2, second.y + second.h / 2, d.draw));
    CHECK(app->walkModel().doorId == second.id.substr(5));
    ui.look(d.draw);
    const auto moved = ui.find(second.id);
    REQUIRE(moved);
    CHECK(moved->y == Approx(second.y)); // the row did not move
    // A second tap at the same spot lands on the same row (it closes it), never on an outcome.
    app->apply(ui.tapAt(second.x + second.w / 2, second.y + second.h / 2, d.draw));
    CHECK(countVisits() == visitsBefore);
    CHECK(app->walkModel().doorId.empty());
}

namespace {
// Through the screens: the walk lists, the first list, and the id of its first door on screen.
std::string firstDoor(Driver& d, HeadlessImGui& ui) {
    d.tap("nav.walk"); // the Doors tab opens the list being walked (the first, on a new device)
    ui.look(d.draw);
    REQUIRE(ui.find("walk.back"));
    std::string door;
    for (const auto& t : ui.targets)
        if (t.id.rfind("door.", 0) == 0 && door.empty()) door = t.id.substr(5);
    REQUIRE_FALSE(door.empty());
    return door;
}

int visitsAt(AppState& app, const std::string& door) {
    int n = 0;
    const auto all = app.store().list(std::nullopt, true);
    REQUIRE(all.ok());
    for (const auto& r : *all)
        if (r.formId == "door_visit" && !r.deleted && r.answers.value("dwelling_id", "") == door) ++n;
    return n;
}
} // namespace

TEST_CASE("walk list: a door outcome in two taps, undone within 5 s it is replaced, not added", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    REQUIRE(app->openScreen("walk").ok());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    const std::string door = firstDoor(d, ui);
    const json before = app->store().get(door)->answers;
    const int visits = visitsAt(*app, door);
    // Two taps: the door, then its outcome.
    d.tap("door." + door);
    d.tapLabel("Personne");
    CHECK(visitsAt(*app, door) == visits + 1);
    CHECK(app->store().get(door)->answers["derniere_issue"] == "absent");
    // It was a refusal: undo, then Refus.
    d.tapLabel("Annuler");
    CHECK(visitsAt(*app, door) == visits);
    CHECK(app->store().get(door)->answers == before);
    CHECK(app->walkModel().doorId == door); // the door is open again
    d.tapLabel("Refus");
    CHECK(visitsAt(*app, door) == visits + 1);
    CHECK(app->store().get(door)->answers["derniere_issue"] == "refus");
    // After 5 s the outcome stands.
    app->advanceClock(AppState::kUndoSeconds + 0.1);
    ui.look(d.draw);
    CHECK_FALSE(ui.find("undo"));
    CHECK(visitsAt(*app, door) == visits + 1);
}

namespace {
std::vector<std::string> doorsOnScreen(const HeadlessImGui& ui) {
    std::vector<std::string> doors;
    for (const auto& t : ui.targets)
        if (t.id.rfind("door.", 0) == 0) doors.push_back(t.id.substr(5));
    return doors;
}
} // namespace

TEST_CASE("a door outcome takes 3 taps from home and 2 from the walk list, and the tab reopens the list last walked",
          "[app][interview]") {
    test::TempDir dir;
    std::string secondList;
    {
        auto app = openDemo(dir.path());
        HeadlessImGui ui(800, 1280);
        Driver d{*app, ui};
        // Home: the Doors button opens the list being walked (the first, on a new device).
        d.tap("home.walk");
        ui.look(d.draw);
        auto doors = doorsOnScreen(ui);
        REQUIRE(doors.size() >= 2);
        const int before = visitsAt(*app, doors[0]);
        d.tap("door." + doors[0]);
        d.tapLabel("Personne");
        CHECK(d.taps == 3);
        CHECK(visitsAt(*app, doors[0]) == before + 1);
        CHECK(app->store().get(doors[0])->answers["derniere_issue"] == "absent");
        // From the list: the next door, two taps.
        d.taps = 0;
        const int before1 = visitsAt(*app, doors[1]);
        d.tap("door." + doors[1]);
        d.tapLabel("Refus");
        CHECK(d.taps == 2);
        CHECK(visitsAt(*app, doors[1]) == before1 + 1);
        CHECK(app->store().get(doors[1])->answers["derniere_issue"] == "refus");
        // The person walks the other list now.
        d.tap("walk.back");
        ui.look(d.draw);
        for (const auto& t : ui.targets)
            if (t.id.rfind("walk.", 0) == 0 && t.id != "walk.back" && t.id.substr(5) != app->walkModel().listId)
                secondList = t.id.substr(5);
        REQUIRE_FALSE(secondList.empty());
        d.tap("walk." + secondList);
        REQUIRE(app->walkModel().listId == secondList);
    }
    // After a restart, home's Doors button opens that list: still three taps.
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tap("home.walk");
    CHECK(app->walkModel().listId == secondList);
    ui.look(d.draw);
    const auto doors = doorsOnScreen(ui);
    REQUIRE_FALSE(doors.empty());
    const int before = visitsAt(*app, doors[0]);
    d.tap("door." + doors[0]);
    d.tapLabel("Personne");
    CHECK(d.taps == 3);
    CHECK(visitsAt(*app, doors[0]) == before + 1);
}

TEST_CASE("walk list: do not contact asks once", "[app][interview]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    REQUIRE(app->openScreen("walk:first").ok());
    const std::string door = app->walkModel().doorId;
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    const int visits = visitsAt(*app, door);
    d.tapLabel("Ne pas contacter");
    CHECK(visitsAt(*app, door) == visits);
    d.tap("dnc.cancel." + door);
    CHECK(visitsAt(*app, door) == visits);
    d.tapLabel("Ne pas contacter");
    d.tap("dnc.confirm." + door);
    CHECK(visitsAt(*app, door) == visits + 1);
    CHECK(app->store().get(door)->answers["derniere_issue"] == "ne_pas_contacter");
}

namespace {

// A call script about `personId` (a draft): the call's number and outcome, as the app saves them.
std::string callScript(AppState& app, const std::string& personId, const std::string& outcome) {
    auto id = app.store().createRecord("phone_followup", "Awa");
    REQUIRE(id.ok());
    if (!personId.empty()) REQUIRE(app.store().setAnswer(*id, "person_id", personId).ok());
    REQUIRE(app.store().setAnswer(*id, "numero_compose", "+33612345678").ok());
    REQUIRE(app.store().setAnswer(*id, "numero_appel", 1).ok());
    REQUIRE(app.store().setAnswer(*id, "issue_appel", outcome).ok());
    return *id;
}

std::string personName(AppState& app, const std::string& personId) {
    auto p = app.store().get(personId);
    REQUIRE(p.ok());
    return p->answers.value("prenom", "") + " " + p->answers.value("nom", "");
}

} // namespace

TEST_CASE("records are told apart by name: call scripts read as the person called, a tap opens the one aimed at",
          "[app][interview][records]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    std::vector<std::string> people;
    for (const auto& c : app->callQueueData().calls)
        if (people.size() < 3 && std::find(people.begin(), people.end(), c.personId) == people.end())
            people.push_back(c.personId);
    REQUIRE(people.size() == 3);
    std::vector<std::string> ids, names;
    for (const auto& p : people) {
        ids.push_back(callScript(*app, p, "pas_de_reponse"));
        // The person first, then the form's instance_name with the outcome's label, not its value.
        names.push_back(personName(*app, p) + " · Appel n° 1 – Pas de réponse / messagerie");
    }
    REQUIRE(names[0] != names[1]);
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(navView(Screen::Home, Lang::Fr).records);
    REQUIRE(app->screen() == Screen::Records);
    for (const auto& n : names) {
        d.reveal(n);
        CHECK(ui.findLabel(n));
    }
    d.tapLabel(names[1]);
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->formModel().recordId == ids[1]);
    CHECK_FALSE(app->formModel().readOnly);
}

TEST_CASE("a finalized record opens read-only: its answers are shown and a tap changes nothing",
          "[app][interview][records]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    const std::string id = callScript(*app, "", "pas_de_reponse");
    auto issues = app->store().finalize(id);
    REQUIRE(issues.ok());
    REQUIRE(issues->empty());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(navView(Screen::Home, Lang::Fr).records);
    d.tapLabel("À envoyer");
    const std::string name = "Appel n° 1 – Pas de réponse / messagerie";
    d.tapLabel(name);
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->formModel().recordId == id);
    CHECK(app->formModel().readOnly);
    // A tap on another outcome changes nothing, and is not an error either.
    d.tapLabel("Faux numéro");
    CHECK(app->store().get(id)->answers["issue_appel"] == "pas_de_reponse");
    CHECK(app->formModel().message.empty());
    CHECK_FALSE(ui.find("finalize"));
    d.tapLabel("Retour");
    CHECK(app->screen() == Screen::Records);
    CHECK(app->store().get(id)->status == store::Status::Finalized);
}

TEST_CASE("the call script names who is called, and the call leaves the queue only when its script is finalized",
          "[app][interview][calls]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(navView(Screen::Home, Lang::Fr).calls);
    REQUIRE(app->screen() == Screen::CallQueue);
    const std::vector<CallRow> before = app->callQueueData().calls;
    REQUIRE_FALSE(before.empty());
    const CallRow call = before.front();
    auto inQueue = [&] {
        for (const auto& c : app->callQueueData().calls)
            if (c.id == call.id) return true;
        return false;
    };
    auto task = [&] { return app->store().get(call.id)->answers; };
    d.tap("call." + call.id);
    d.tapLabel("A répondu : ouvrir le script");
    REQUIRE(app->screen() == Screen::Form);
    const std::string script = app->formModel().recordId;
    // The script says who is being called, with the number to dial.
    const std::string subject = "Vous appelez " + personName(*app, call.personId) + " · " + displayPhone(call.phone);
    ui.look(d.draw);
    CHECK(ui.findLabel(subject));

    // Left as a draft, the call stays in the queue, still to do.
    d.tapLabel("Enregistrer et quitter");
    REQUIRE(app->screen() == Screen::CallQueue);
    CHECK(inQueue());
    CHECK(task()["statut"] == "a_faire");
    const int attempts = task()["nb_tentatives"].get<int>();
    CHECK(attempts == call.attempts + 1);

    // Answered again: the same script, not a second one, and not a second attempt.
    d.tap("call." + call.id);
    d.tapLabel("A répondu : ouvrir le script");
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->formModel().recordId == script);
    CHECK(task()["nb_tentatives"] == attempts);

    // The script filled in and finalized through the screen: the call is done and leaves the queue.
    d.tap("number.numero_appel");
    d.tap("key.clear"); // 1 by default: typed again
    d.tap("key.1");
    d.tap("key.ok");
    REQUIRE(d.answers()["numero_appel"] == 1);
    d.tap("page.next");
    d.tapLabel("Positive");
    d.tapLabel("S’inscrire sur une plateforme de covoiturage");
    d.tapLabel("Non, pas pour l’instant");
    for (int k = 0; k < 4 && !ui.find("finalize"); ++k) {
        d.tap("page.next");
        ui.look(d.draw);
    }
    d.tap("finalize");
    INFO(app->formModel().message);
    CHECK(app->store().get(script)->status == store::Status::Finalized);
    CHECK(task()["statut"] == "termine");
    CHECK_FALSE(inQueue());
}

TEST_CASE("dates in lists are written the French way: a session log by its date, tapped by that name",
          "[app][interview][records]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    auto id = app->store().createRecord("advice_desk_session", "Awa");
    REQUIRE(id.ok());
    REQUIRE(app->store().setAnswer(*id, "type_seance", "atelier_thematique").ok());
    REQUIRE(app->store().setAnswer(*id, "date_seance", "2026-12-06").ok());
    REQUIRE(app->store().setAnswer(*id, "structure", "gefosat").ok());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(navView(Screen::Home, Lang::Fr).records);
    d.tapLabel("Atelier thématique – 06/12/2026 – Gefosat (association)");
    REQUIRE(app->screen() == Screen::Form);
    CHECK(app->formModel().recordId == *id);
    CHECK(app->store().get(*id)->answers["date_seance"] == "2026-12-06"); // stored ISO

    CHECK(displayDatesIn("Visite – 2026-12-06T18:47 – Noël", Lang::Fr) == "Visite – 06/12/2026 18:47 – Noël");
    CHECK(displayDatesIn("2026-12-06T18:47", Lang::En) == "2026-12-06 18:47");
    CHECK(displayDatesIn("n° 12026-12-06, 2026-1-6", Lang::Fr) == "n° 12026-12-06, 2026-1-6");
}

TEST_CASE("an interview started at a door asks nothing the app knows: outcome, time, place, ambassador code",
          "[app][interview][door]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    // The code given in an earlier interview on this tablet (saved when that interview was finalized).
    REQUIRE(app->store().setSetting("ambassador_code", "AMB-012").ok());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    const std::string door = firstDoor(d, ui);
    d.tap("door." + door);
    d.tapLabel("Entretien");
    REQUIRE(app->screen() == Screen::Form);
    const json a = d.answers();
    CHECK(a.value("issue_visite", "") == "entretien");
    CHECK(a.value("heure_passage", "").rfind(std::string(kToday) + "T", 0) == 0);
    CHECK(a.value("code_ambassadeur", "") == "AMB-012");
    CHECK_FALSE(a.value("commune", "").empty());
    CHECK_FALSE(a.value("adresse", "").empty());
    INFO("walk list " << app->store().get(app->store().get(door)->answers.value("walk_list_id", ""))->answers.dump());
    CHECK_FALSE(a.value("quartier", "").empty());
    // Page 1 is complete: nothing to type before the household questions.
    d.tap("page.next");
    CHECK(app->formModel().page == 1);
}

TEST_CASE("the first door interview on a tablet paired with an account takes the ambassador from it",
          "[app][interview][door]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    // Paired as the login leaves it (sync::login): the account name, no interview finalized yet.
    REQUIRE(app->store().setSetting("server_url", "https://carnet.example").ok());
    REQUIRE(app->store().setSetting("server_user", "AMB-042").ok());
    REQUIRE(app->store().setting("ambassador_code").value_or("").empty());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    const std::string door = firstDoor(d, ui);
    d.tap("door." + door);
    d.tapLabel("Entretien");
    REQUIRE(app->screen() == Screen::Form);
    const std::string id = app->formModel().recordId;
    // Saved in the record itself, not only shown: nothing was typed.
    CHECK(app->store().get(id)->answers.value("code_ambassadeur", "") == "AMB-042");
}

TEST_CASE("an account name that is not an ambassador code leaves the code given in an earlier interview",
          "[app][interview][door]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    REQUIRE(app->store().setSetting("server_user", "awa").ok());
    // Kept by account since a tablet may pass from one ambassador to another.
    REQUIRE(app->store().setSetting("ambassador_code.awa", "AMB-012").ok());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    const std::string door = firstDoor(d, ui);
    d.tap("door." + door);
    d.tapLabel("Entretien");
    REQUIRE(app->screen() == Screen::Form);
    CHECK(d.answers().value("code_ambassadeur", "") == "AMB-012");
}

TEST_CASE("date and time fields read and take dates the French way and store ISO", "[app][interview][dates]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    REQUIRE(app->screen() == Screen::Form);
    d.tap("now.heure_passage");
    const std::string iso = d.answers().value("heure_passage", "");
    REQUIRE(iso.rfind(std::string(kToday) + "T", 0) == 0);
    // The field shows "06/12/2026 HH:MM": as many characters as there are to erase.
    d.tap("input.heure_passage");
    for (int k = 0; k < 16; ++k)
        app->apply(ui.key(HeadlessImGui::kBackspace, d.draw));
    app->apply(ui.type("07/12/2026 09:30", d.draw));
    d.tapLabel("Entretien réalisé"); // the field loses focus: its text becomes the answer
    CHECK(d.answers().value("heure_passage", "") == "2026-12-07T09:30");
    CHECK(app->formModel().message.empty());
}

TEST_CASE("a date question's calendar: French month, big day cells, another month in a tap, stored ISO",
          "[app][interview][dates]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel("Enquête déplacements – 6 questions avant / après");
    REQUIRE(app->screen() == Screen::Form);
    d.tap("calendar.date_enquete");
    ui.look(d.draw);
    CHECK(ui.shows("décembre 2026")); // opens at today's month, named the French way
    // The survey date is in the last 30 days: the month before, in a tap.
    d.tap("picker.previous");
    ui.look(d.draw);
    CHECK(ui.shows("novembre 2026"));
    d.revealIf([&] { return ui.find("picker.day.2026-11-20").has_value(); });
    const auto cell = ui.find("picker.day.2026-11-20");
    REQUIRE(cell);
    CHECK(cell->w >= 48.0f);
    CHECK(cell->h >= 48.0f);
    d.tap("picker.day.2026-11-20");
    CHECK(d.answers().value("date_enquete", "") == "2026-11-20");
    CHECK(app->formModel().picker.empty()); // the day tapped closes the calendar
    ui.look(d.draw);
    CHECK_FALSE(ui.find("picker.day.2026-11-21"));
}

TEST_CASE("a date-time question's calendar takes the time from its steppers with the day", "[app][interview][dates]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    REQUIRE(app->screen() == Screen::Form);
    d.tap("now.heure_passage");
    const std::string now = d.answers().value("heure_passage", "");
    REQUIRE(now.size() >= 16);
    // The calendar opens at the time the question holds; an hour later, five minutes earlier.
    d.tap("calendar.heure_passage");
    CHECK(app->formModel().pickerTime == now.substr(11, 5));
    d.tap("picker.hour.plus");
    d.tap("picker.minute.minus");
    const int minutes = (std::stoi(now.substr(11, 2)) * 60 + std::stoi(now.substr(14, 2)) + 55) % 1440;
    char expected[8];
    std::snprintf(expected, sizeof expected, "%02d:%02d", minutes / 60, minutes % 60);
    CHECK(app->formModel().pickerTime == expected);
    d.tap("picker.next");
    d.tap("picker.day.2027-01-15");
    CHECK(d.answers().value("heure_passage", "") == std::string("2027-01-15T") + expected);
}

namespace {

// The `nth` door of the walk list shown (0 = the first), from the Doors tab.
std::string nthDoor(Driver& d, HeadlessImGui& ui, int nth) {
    d.tap("nav.walk");
    ui.look(d.draw);
    for (const auto& t : ui.targets)
        if (t.id.rfind("door.", 0) == 0 && nth-- == 0) return t.id.substr(5);
    FAIL("no door " << nth);
    return {};
}

// "Entretien" at a door: the interview opens, prefilled.
std::string interviewAt(Driver& d, HeadlessImGui& ui, int nth) {
    d.tap("door." + nthDoor(d, ui, nth));
    d.tapLabel("Entretien");
    REQUIRE(d.app.screen() == Screen::Form);
    return d.app.formModel().recordId;
}

} // namespace

TEST_CASE("a tablet passed from one account to another: each account's interviews take its own ambassador code",
          "[app][interview][door]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    REQUIRE(app->store().setSetting("server_url", "https://carnet.example").ok());
    REQUIRE(app->store().setSetting("server_user", "awa").ok()); // an account named by a name, not a code
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    // Nothing maps "awa" to a code yet: the question is left to the ambassador, who types it once.
    const std::string first = interviewAt(d, ui, 0);
    CHECK(d.answers().value("code_ambassadeur", "") == "");
    d.tap("input.code_ambassadeur");
    app->apply(ui.type("AMB-012", d.draw));
    // The household, as a person would have answered it (not what this test is about).
    for (const auto& [path, value] :
         std::vector<std::pair<std::string, json>>{{"nb_personnes", 1},
                                                   {"membres[1]/prenom", "Karim"},
                                                   {"membres[1]/tranche_age", "30_44"},
                                                   {"voiture", "non"},
                                                   {"eco_geste", "velo"},
                                                   {"trajets_vises", json::array({"travail"})},
                                                   {"distance_travail_km", 8},
                                                   {"accord_suivi", "non"},
                                                   {"consentement_reponses", true}}) {
        INFO(path);
        REQUIRE(app->store().setAnswer(first, path, value).ok());
    }
    for (int k = 0; k < 5 && !ui.find("finalize"); ++k) {
        d.tap("page.next");
        ui.look(d.draw);
    }
    d.tap("finalize");
    INFO(app->formModel().message);
    REQUIRE(app->store().get(first)->status == store::Status::Finalized);
    CHECK(app->store().get(first)->answers.value("code_ambassadeur", "") == "AMB-012");
    // Awa's next interview is signed with her code, in the record itself.
    const std::string second = interviewAt(d, ui, 1);
    CHECK(app->store().get(second)->answers.value("code_ambassadeur", "") == "AMB-012");
    d.tap("save_leave");
    // The tablet paired with Bruno's account: not Awa's code in his interviews.
    REQUIRE(app->store().setSetting("server_user", "bruno").ok());
    const std::string third = interviewAt(d, ui, 2);
    CHECK(app->store().get(third)->answers.value("code_ambassadeur", "") == "");
    d.tap("save_leave");
    // And back to Awa's account: hers again.
    REQUIRE(app->store().setSetting("server_user", "awa").ok());
    const std::string fourth = interviewAt(d, ui, 3);
    CHECK(app->store().get(fourth)->answers.value("code_ambassadeur", "") == "AMB-012");
}

TEST_CASE("a date question's calendar greys the days its constraint refuses, and a tap on one stores nothing",
          "[app][interview][dates]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    // The survey date: ". <= today() and today() - . <= 30", today 2026-12-06.
    d.tapLabel("Enquête déplacements – 6 questions avant / après");
    REQUIRE(app->screen() == Screen::Form);
    d.tap("calendar.date_enquete");
    d.revealIf([&] { return ui.find("picker.day.2026-12-31").has_value(); });
    for (const char* day : {"2026-12-07", "2026-12-25", "2026-12-31"}) {
        INFO(day);
        const auto cell = ui.find(std::string("picker.day.") + day);
        REQUIRE(cell);
        CHECK(cell->disabled);
    }
    for (const char* day : {"2026-12-01", "2026-12-06"}) {
        INFO(day);
        const auto cell = ui.find(std::string("picker.day.") + day);
        REQUIRE(cell);
        CHECK_FALSE(cell->disabled);
    }
    // A tap on tomorrow: nothing stored, no error, the calendar stays open.
    d.tap("picker.day.2026-12-07");
    CHECK_FALSE(d.answers().contains("date_enquete"));
    CHECK(app->formModel().message.empty());
    CHECK(app->formModel().picker == "date_enquete");
    // The month before: up to 30 days back.
    d.tap("picker.previous");
    d.revealIf([&] { return ui.find("picker.day.2026-11-06").has_value(); });
    REQUIRE(ui.find("picker.day.2026-11-05"));
    CHECK(ui.find("picker.day.2026-11-05")->disabled);
    CHECK_FALSE(ui.find("picker.day.2026-11-06")->disabled);
    d.tap("picker.day.2026-11-05");
    CHECK_FALSE(d.answers().contains("date_enquete"));
    d.tap("picker.day.2026-11-06");
    CHECK(d.answers().value("date_enquete", "") == "2026-11-06");
    CHECK(app->formModel().picker.empty());
}

TEST_CASE("a time question's picker: an hour then a minute, two taps, stored HH:MM", "[app][interview][dates]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    // The session's start time: ". >= '07:00' and . <= '21:00'".
    d.tapLabel("Info-mobilité rurale – compte rendu de séance");
    REQUIRE(app->screen() == Screen::Form);
    d.tapLabel("Choisir l’heure");
    REQUIRE(app->formModel().picker == "heure_debut");
    d.reveal("18 h");
    CHECK(ui.shows("Touchez l’heure, puis les minutes."));
    for (const char* id : {"picker.hour.18", "picker.minute.47"}) {
        d.revealIf([&] { return ui.find(id).has_value(); });
        const auto cell = ui.find(id);
        REQUIRE(cell);
        CHECK(cell->w >= theme::kTouchMin);
        CHECK(cell->h >= theme::kTouchMin);
    }
    d.tapLabel("18 h");
    CHECK(app->formModel().pickerTime.substr(0, 3) == "18:");
    CHECK_FALSE(d.answers().contains("heure_debut")); // an hour alone is not the answer
    d.tapLabel("47");
    CHECK(d.answers().value("heure_debut", "") == "18:47");
    CHECK(app->formModel().picker.empty());
    // Opened again, it holds 18:47.
    d.tapLabel("Choisir l’heure");
    CHECK(app->formModel().pickerTime == "18:47");
    d.reveal("18 h");
    CHECK(ui.shows("18:47"));
    // The chosen hour and minute keep their text on one line, as their neighbours do: the mark goes
    // before a label only where both fit.
    for (const auto& [chosenId, otherId] : std::vector<std::pair<std::string, std::string>>{
             {"picker.hour.18", "picker.hour.17"}, {"picker.minute.47", "picker.minute.46"}}) {
        d.revealIf([&] { return ui.find(chosenId).has_value() && ui.find(otherId).has_value(); });
        const auto chosen = ui.find(chosenId), other = ui.find(otherId);
        REQUIRE(chosen);
        REQUIRE(other);
        INFO(chosenId << " text " << chosen->textW << "x" << chosen->textH << " in " << chosen->w);
        CHECK(chosen->textH == Approx(other->textH));
    }
    // Hours without a minute the question takes are greyed, and a tap on one does nothing.
    for (const char* hour : {"00 h", "06 h", "22 h", "23 h"}) {
        d.reveal(hour);
        INFO(hour);
        REQUIRE(ui.findLabel(hour));
        CHECK(ui.findLabel(hour)->disabled);
    }
    d.tapLabel("06 h");
    CHECK(app->formModel().pickerTime == "18:47");
    // 21 h: only 21:00 is taken.
    d.tapLabel("21 h");
    CHECK(app->formModel().pickerTime == "21:47");
    d.reveal("47");
    CHECK(ui.findLabel("47")->disabled);
    CHECK_FALSE(ui.findLabel("00")->disabled);
    d.tapLabel("47");
    CHECK(d.answers().value("heure_debut", "") == "18:47");
    CHECK(app->formModel().message.empty());
    CHECK(app->formModel().picker == "heure_debut");
    d.tapLabel("00");
    CHECK(d.answers().value("heure_debut", "") == "21:00");
}
