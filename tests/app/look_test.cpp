// How the screens look to a person: check boxes and radio marks, placeholders that cannot pass for
// answers, texts that fit their buttons on a narrow tablet with large text, and the width of a
// landscape screen used. The real screens, driven through ImGui's input, with assertions on the store.
#include "app/app_state.hpp"
#include "app/screens.hpp"
#include "app/theme.hpp"
#include "driver.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <imgui.h>

using namespace carnet;
using namespace carnet::app;
using carnet::test::Driver;
using carnet::test::HeadlessImGui;
using carnet::test::openDemo;
using nlohmann::json;

namespace {

constexpr const char* kDoorToDoor = "Ambassadeurs de la mobilité – entretien en porte-à-porte";

std::optional<Target> byLabel(const HeadlessImGui& ui, const std::string& label) {
    return ui.findLabel(label);
}

Mark markOf(Driver& d, const std::string& label) {
    d.reveal(label);
    const auto t = byLabel(d.ui, label);
    INFO("label " << label);
    REQUIRE(t);
    CHECK(t->h >= theme::kTouchMin); // the mark never shrinks the target
    return t->mark;
}

// Relative luminance of an ImGui packed colour (sRGB, 0 = black, 1 = white).
double luminance(std::uint32_t abgr) {
    const ImVec4 c = ImGui::ColorConvertU32ToFloat4(abgr);
    auto lin = [](float v) { return v <= 0.04045f ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.x) + 0.7152 * lin(c.y) + 0.0722 * lin(c.z);
}

} // namespace

TEST_CASE("a multiple choice shows check boxes, a single choice radio marks, and taps tick them and save the values",
          "[app][look]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    // Page 1, "Issue de la visite" (one answer): radio marks, the one chosen dotted.
    CHECK(markOf(d, "Refus") == Mark::RadioOff);
    d.tapLabel("Entretien réalisé");
    CHECK(d.answers()["issue_visite"] == "entretien");
    CHECK(markOf(d, "Entretien réalisé") == Mark::RadioOn);
    CHECK(markOf(d, "Refus") == Mark::RadioOff);
    d.tap("page.next");
    d.tap("page.next");
    // Page 3: the first gesture is one answer, the trips several.
    CHECK(markOf(d, "Essayer le bus") == Mark::RadioOff);
    d.tapLabel("Essayer le bus");
    d.tapLabel("Prendre le train (TER)");
    CHECK(d.answers()["eco_geste"] == "train");
    CHECK(markOf(d, "Essayer le bus") == Mark::RadioOff);
    CHECK(markOf(d, "Prendre le train (TER)") == Mark::RadioOn);
    CHECK(markOf(d, "Domicile – travail") == Mark::BoxOff);
    d.tapLabel("Domicile – travail");
    d.tapLabel("Courses");
    CHECK(d.answers()["trajets_vises"] == json::array({"travail", "courses"}));
    CHECK(markOf(d, "Domicile – travail") == Mark::BoxOn);
    CHECK(markOf(d, "Courses") == Mark::BoxOn);
    CHECK(markOf(d, "Loisirs et visites") == Mark::BoxOff);
    // A second tap unticks.
    d.tapLabel("Domicile – travail");
    CHECK(d.answers()["trajets_vises"] == json::array({"courses"}));
    CHECK(markOf(d, "Domicile – travail") == Mark::BoxOff);
}

TEST_CASE("a placeholder reads as an example, muted, and is never stored", "[app][look]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(800, 1280);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    d.tapLabel("Entretien réalisé");
    for (int k = 0; k < 3; ++k)
        d.tap("page.next");
    d.tapLabel("Oui"); // accepts to be called back: the phone number is asked
    REQUIRE(d.answers()["accord_suivi"] == "oui");
    d.revealIf([&] { return ui.find("input.telephone").has_value(); });
    auto field = ui.find("input.telephone");
    REQUIRE(field);
    CHECK(field->placeholder == "ex. 06 12 34 56 78");
    // Far lighter than an answer's text, in both themes.
    const double text = luminance(ImGui::GetColorU32(ImGuiCol_Text));
    CHECK(luminance(field->placeholderRgba) - text > 0.15);
    theme::apply(1.0f, true);
    ui.look(d.draw);
    field = ui.find("input.telephone");
    REQUIRE(field);
    CHECK(luminance(field->placeholderRgba) - luminance(ImGui::GetColorU32(ImGuiCol_Text)) > 0.15);
    theme::apply(1.0f, false);
    // Tapped into and left without typing: nothing is stored.
    d.tap("input.telephone");
    d.tap("outline");
    d.tap("outline.close");
    CHECK_FALSE(d.answers().contains("telephone"));
    // Typed: the answer shows, not the placeholder.
    d.tap("input.telephone");
    app->apply(ui.type("0465710001", d.draw));
    app->apply(ui.key(HeadlessImGui::kEnter, d.draw));
    ui.look(d.draw);
    CHECK(d.answers()["telephone"] == "+33465710001"); // the engine stores it international
    field = ui.find("input.telephone");
    REQUIRE(field);
    CHECK(field->placeholder.empty());
}

namespace {

// Every target's text in the last frame fits inside it; returns how many were checked.
int checkFits(const HeadlessImGui& ui, const std::string& where) {
    int checked = 0;
    for (const auto& t : ui.targets) {
        if (t.textW <= 0) continue;
        INFO(where << ": " << t.id << " \"" << t.label << "\" text " << t.textW << "x" << t.textH << " in " << t.w
                   << "x" << t.h);
        CHECK(t.textW <= t.w + 0.5f);
        CHECK(t.textH <= t.h + 0.5f);
        ++checked;
    }
    return checked;
}

// Checks the screen as shown, then scrolled down step by step to its end.
int checkScreen(Driver& d, const std::string& where) {
    d.ui.look(d.draw);
    int checked = checkFits(d.ui, where);
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    for (int k = 0; k < 6; ++k) {
        d.app.apply(d.ui.drag(size.x / 2, size.y * 0.7f, -size.y * 0.4f, d.draw));
        d.ui.settle(d.draw);
        checked += checkFits(d.ui, where);
    }
    return checked;
}

} // namespace

TEST_CASE("at 720 px and 150 % text every button's text wraps or shrinks to fit inside it", "[app][look]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    Intent larger;
    larger.kind = Intent::Kind::SetTextScale;
    larger.real = 1.5f;
    app->apply({larger});
    REQUIRE(app->uiScale() == Approx(1.5f));
    HeadlessImGui ui(720, 1280, 1.5f);
    Driver d{*app, ui};
    // The long ones the issue saw cut: home's field buttons, "Enregistrer et quitter", call dates.
    ui.look(d.draw);
    for (const char* id : {"home.walk", "home.calls", "home.indicators", "nav.settings"}) {
        const auto t = ui.find(id);
        INFO(id);
        REQUIRE(t);
        CHECK(t->textW > 0);
    }
    int checked = checkScreen(d, "home");
    for (const char* screen : {"records", "settings", "walk:first", "calls:first", "contact:first", "indicators"}) {
        REQUIRE(app->openScreen(screen).ok());
        checked += checkScreen(d, screen);
    }
    REQUIRE(app->openScreen("calls:first").ok());
    ui.look(d.draw);
    bool call = false;
    for (const auto& t : ui.targets)
        call = call || (t.id.rfind("call.", 0) == 0 && t.textW > 0);
    CHECK(call);
    REQUIRE(app->openScreen("form:door_to_door").ok());
    for (int page = 0; page < 5; ++page) {
        checked += checkScreen(d, "door to door, page " + std::to_string(page + 1));
        if (page == 0) d.tapLabel("Entretien réalisé");
        ui.look(d.draw);
        const auto leave = ui.find("save_leave");
        REQUIRE(leave);
        CHECK(leave->textW > 0);
        if (page < 4) d.tap("page.next");
    }
    CHECK(checked > 100);
}

TEST_CASE("a landscape tablet shows the outline beside the form, and a tap on it jumps to the question",
          "[app][look]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    {
        // Portrait: one column, the outline behind its button.
        HeadlessImGui portrait(800, 1280);
        Driver d{*app, portrait};
        d.tapLabel(kDoorToDoor);
        portrait.look(d.draw);
        CHECK(portrait.find("outline"));
        CHECK_FALSE(portrait.find("outline.issue_visite"));
    }
    HeadlessImGui ui(1280, 800);
    Driver d{*app, ui};
    d.tapLabel("Entretien réalisé");
    ui.look(d.draw);
    const auto line = ui.find("outline.page.0");
    const auto answer = ui.find("choice.issue_visite.entretien");
    REQUIRE(line);
    REQUIRE(answer);
    CHECK(line->x + line->w <= answer->x); // beside, not above or below
    CHECK(answer->w < 1280 * 0.7f);        // not one column stretched over the width
    CHECK(ui.find("outline.page.4"));
    CHECK(ui.find("outline.campagne")); // the questions of the page shown
    // Page 3's heading, then its first gesture's line: the question is on screen, highlighted.
    d.tap("outline.page.2");
    CHECK(app->formModel().page == 2);
    d.tap("outline.eco_geste");
    CHECK(app->formModel().page == 2);
    ui.look(d.draw);
    ui.look(d.draw);
    const auto h = ui.find("highlight.eco_geste");
    REQUIRE(h);
    CHECK(h->y >= 0);
    CHECK(h->y + h->h <= 800);
    // Answering keeps the outline's state up to date.
    d.tapLabel("Essayer le bus");
    CHECK(d.answers()["eco_geste"] == "bus");
    const FormScreenView v =
        evaluateForm(app->formModel(), (*app->store().openSession(app->formModel().recordId))->view(), Lang::Fr,
                     "2026-12-06", "10:00");
    bool answered = false;
    for (const auto& l : v.outline)
        answered = answered || (l.path == "eco_geste" && l.state == OutlineLine::State::Answered);
    CHECK(answered);
}

TEST_CASE("a 1920 px landscape screen shows the outline beside the form too", "[app][look]") {
    test::TempDir dir;
    auto app = openDemo(dir.path());
    HeadlessImGui ui(1920, 1200);
    Driver d{*app, ui};
    d.tapLabel(kDoorToDoor);
    d.tapLabel("Entretien réalisé");
    ui.look(d.draw);
    const auto line = ui.find("outline.page.0");
    const auto answer = ui.find("choice.issue_visite.entretien");
    REQUIRE(line);
    REQUIRE(answer);
    CHECK(line->x + line->w <= answer->x); // two columns, not one stretched over 1920 px
    CHECK(answer->x > 1920 * 0.15f);
    CHECK(ui.find("outline.issue_visite")); // the page's questions, beside them
}
