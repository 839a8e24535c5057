#include "app/app_state.hpp"
#include "app/fonts.hpp"
#include "app/screens.hpp"
#include "app/theme.hpp"
#include "headless_imgui.hpp"
#include "tap.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using carnet::test::tapAndApply;
using nlohmann::json;

namespace {

std::unique_ptr<AppState> openApp(const test::TempDir& dir, Lang lang = Lang::Fr) {
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.formsDir = std::string(CARNET_SOURCE_DIR) + "/assets/forms";
    o.lang = lang;
    auto app = AppState::open(o);
    INFO((app.ok() ? std::string() : app.error().message));
    REQUIRE(app.ok());
    return std::move(*app);
}

} // namespace

TEST_CASE("home is computed from the store's facts, in both languages", "[app]") {
    HomeData d;
    d.userName = "Awa";
    d.forms = {{"door_to_door", "Porte-à-porte"}};
    d.drafts = {{"r1", "Porte-à-porte", "Brouillon"}};
    d.waiting = 3;
    const HomeView fr = evaluateHome(d, Lang::Fr);
    CHECK(fr.greeting == "Bonjour Awa !");
    CHECK(fr.waiting == "3 fiche(s) en attente d’envoi");
    CHECK(fr.lastSync == "Dernière synchronisation : jamais");
    CHECK(fr.forms.size() == 1);
    const HomeView en = evaluateHome(d, Lang::En);
    CHECK(en.greeting == "Hello Awa!");
    CHECK(en.lastSync == "Last sync: never");
    d.lastSync = "25/11/2026 14:03";
    CHECK(evaluateHome(d, Lang::Fr).lastSync == "Dernière synchronisation : 25/11/2026 14:03");
}

TEST_CASE("records are filtered by tab and search", "[app]") {
    const std::vector<RecordRow> rows{{"a", "Porte-à-porte", "Brouillon", "", true, true, "", ""},
                                      {"b", "Enquête déplacements", "Finalisée", "", false, true, "", ""},
                                      {"c", "Porte-à-porte", "Finalisée", "", false, true, "⚠ en attente", ""},
                                      {"d", "Porte-à-porte", "Finalisée", "", false, false, "", ""}};
    RecordsModel m;
    CHECK(evaluateRecords(m, rows, Lang::Fr).rows.size() == 1);
    m.tab = 1;
    CHECK(evaluateRecords(m, rows, Lang::Fr).rows.size() == 2);
    m.search = "ENQUÊTE";
    // Case folding is ASCII only: the search still matches the unaccented part.
    m.search = "enquête";
    auto v = evaluateRecords(m, rows, Lang::Fr);
    REQUIRE(v.rows.size() == 1);
    CHECK(v.rows[0].id == "b");
    // Sent: finalized and nothing of it left in the outbox.
    m.tab = 2;
    m.search.clear();
    v = evaluateRecords(m, rows, Lang::Fr);
    REQUIRE(v.rows.size() == 1);
    CHECK(v.rows[0].id == "d");
}

TEST_CASE("the font is built in and covers French fully", "[app]") {
    // Embedded at build time (DejaVu Sans is 700 KB and starts as a TrueType file), not read from a
    // Debian path at run time.
    const auto bytes = embeddedFont();
    REQUIRE(bytes.size() > 100000);
    CHECK(bytes[0] == 0x00);
    CHECK(bytes[1] == 0x01);
    HeadlessImGui ui(800, 1280);
    CHECK(ui.fontFile == "DejaVu Sans");
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    for (unsigned c :
         {0x00E9u, 0x00E8u, 0x00E0u, 0x00E7u, 0x0153u, 0x2019u, 0x2026u, 0x20ACu, 0x00ABu, 0x00BBu, 0x00C9u, 0x0152u}) {
        INFO("U+" << std::hex << c);
        CHECK(font->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr);
    }
}

TEST_CASE("every touch target is at least 48 px on every screen, both orientations", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir);
    for (const auto& size : {std::pair{800.0f, 1280.0f}, std::pair{1280.0f, 800.0f}}) {
        HeadlessImGui ui(size.first, size.second);
        for (const std::string screen : {"first-run", "home", "records", "settings", "form:door_to_door",
                                         "form:trip_survey", "form:phone_followup", "form:advice_desk_session"}) {
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
    }
}

TEST_CASE("first run asks the language and the name, then opens home", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir);
    CHECK(app->screen() == Screen::FirstRun);
    HeadlessImGui ui(800, 1280);
    tapAndApply(ui, *app, "lang.en");
    CHECK(app->lang() == Lang::En);
    // Start is disabled without a name.
    tapAndApply(ui, *app, "start");
    CHECK(app->screen() == Screen::FirstRun);
    Intent name;
    name.kind = Intent::Kind::EditName;
    name.text = "Awa";
    app->apply({name});
    tapAndApply(ui, *app, "start");
    CHECK(app->screen() == Screen::Home);
    CHECK(app->store().setting("user_name").value_or("") == "Awa");
    CHECK(app->store().setting("language").value_or("") == "en");
    // The next start goes straight home, in English.
    app.reset();
    AppOptions o;
    o.dataDir = dir.path() / "data";
    auto again = AppState::open(o);
    REQUIRE(again.ok());
    CHECK((*again)->screen() == Screen::Home);
    CHECK((*again)->lang() == Lang::En);
}

TEST_CASE("filling a form by touch saves every answer in the store", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir);
    REQUIRE(app->openScreen("home").ok());
    HeadlessImGui ui(800, 1280);
    tapAndApply(ui, *app, "form.trip_survey");
    REQUIRE(app->screen() == Screen::Form);
    const std::string id = app->formModel().recordId;
    REQUIRE_FALSE(id.empty());

    // A select as toggle buttons: one tap stores the choice.
    auto draw = [&](DrawContext& ctx) { app->draw(ctx); };
    ui.frame(draw);
    std::string choiceId;
    for (const auto& t : ui.targets)
        if (t.id.rfind("choice.survey_phase.", 0) == 0) {
            choiceId = t.id;
            break;
        }
    REQUIRE_FALSE(choiceId.empty());
    tapAndApply(ui, *app, choiceId);
    const std::string chosen = choiceId.substr(std::string("choice.survey_phase.").size());
    CHECK(app->store().get(id)->answers["survey_phase"] == chosen);

    // Numbers through the keypad: open it, type 1 then 2, validate.
    app->apply({[] {
        Intent i;
        i.kind = Intent::Kind::GoToPage;
        i.number = 1;
        return i;
    }()});
    ui.frame(draw);
    std::string numberId;
    for (const auto& t : ui.targets)
        if (t.id.rfind("number.", 0) == 0) {
            numberId = t.id;
            break;
        }
    REQUIRE_FALSE(numberId.empty());
    const std::string field = numberId.substr(7);
    tapAndApply(ui, *app, numberId);
    CHECK(app->formModel().keypad == field);
    tapAndApply(ui, *app, "key.1");
    tapAndApply(ui, *app, "key.2");
    tapAndApply(ui, *app, "key.ok");
    CHECK(app->store().get(id)->answers[field] == 12);
    CHECK(app->formModel().keypad.empty());

    // A number typed but not validated is saved when leaving: nothing typed is lost.
    tapAndApply(ui, *app, numberId);
    tapAndApply(ui, *app, "key.clear");
    tapAndApply(ui, *app, "key.7");
    tapAndApply(ui, *app, "save_leave");
    CHECK(app->screen() == Screen::Home);
    CHECK(app->store().get(id)->answers[field] == 7);

    // Home lists the draft; tapping it reopens it.
    tapAndApply(ui, *app, "draft." + id);
    CHECK(app->screen() == Screen::Form);
    CHECK(app->formModel().recordId == id);
}

TEST_CASE("finalizing an incomplete record shows what is missing and keeps it a draft", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir, Lang::En);
    REQUIRE(app->openScreen("form:trip_survey").ok());
    const std::string id = app->formModel().recordId;
    Intent last;
    last.kind = Intent::Kind::GoToPage;
    last.number = 99;
    app->apply({last});
    HeadlessImGui ui(800, 1280);
    tapAndApply(ui, *app, "finalize");
    CHECK(app->formModel().showSummary);
    CHECK_FALSE(app->formModel().summary.empty());
    CHECK(app->store().get(id)->status == store::Status::Draft);
    tapAndApply(ui, *app, "summary.ok");
    CHECK_FALSE(app->formModel().showSummary);
}

TEST_CASE("an invalid value is refused with the engine's message and nothing changes", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir, Lang::En);
    REQUIRE(app->openScreen("form:trip_survey").ok());
    const std::string id = app->formModel().recordId;
    const json before = app->store().get(id)->answers;
    Intent bad;
    bad.kind = Intent::Kind::SetAnswer;
    bad.path = "survey_phase";
    bad.value = "not-a-choice";
    app->apply({bad});
    CHECK(app->formModel().message.find("field 'survey_phase'") != std::string::npos);
    CHECK(app->store().get(id)->answers == before);
}

TEST_CASE("settings change language, text size and contrast, and persist them", "[app]") {
    test::TempDir dir;
    auto app = openApp(dir);
    REQUIRE(app->openScreen("settings").ok());
    HeadlessImGui ui(800, 1280);
    tapAndApply(ui, *app, "size.2");
    CHECK(app->textScale() == Approx(1.5f));
    CHECK(app->fontsDirty());
    tapAndApply(ui, *app, "contrast.on");
    CHECK(app->highContrast());
    tapAndApply(ui, *app, "lang.en");
    CHECK(app->lang() == Lang::En);
    tapAndApply(ui, *app, "nav.records");
    CHECK(app->screen() == Screen::Records);
    CHECK(app->store().setting("high_contrast").value_or("") == "1");
}
