// The XLSForm corpus filled in the app (issue 16): every workbook of ../shared/xlsform-corpus/ that
// tests/forms/xlsform_corpus.tsv says imports is imported, installed in a real device store (the app's
// forms folder, as `make run` installs the demo campaign), opened as a new interview from the home
// screen and filled to the end through ImGui input, the way a finger does: a choice tapped, a number
// typed on the keypad, text typed on the keyboard, a day picked in the calendar, "Now" for a time, a
// repeat entry added; every visible question is answered (not only the required ones), page after
// page, then "Finalize". The record must be finalized in the store with the answers given.
//
// Answers are valid for their type; constraints are respected by trying a few plausible values in
// turn (numbers 1, 2, 5, 10, 20, 0, 100; texts "a", a 10-digit number...), each through the screen,
// until the app takes one. A form that cannot be finalized through input for a real reason is in
// kBlocked with that reason and the exact questions that stay unanswered; the test checks that list.
// The corpus is read from ../shared at run time, never copied here. One test case per workbook: a
// failure names its form.
#include "app/app_state.hpp"
#include "forms/loader.hpp"
#include "forms/session.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"
#include "xlsform/import.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace carnet;
using carnet::test::HeadlessImGui;
using forms::ItemType;
using forms::ItemView;
using nlohmann::json;

namespace {

const std::filesystem::path kSource(CARNET_SOURCE_DIR);
// ../shared from the repository; CARNET_CORPUS_DIR elsewhere (a git worktree in another folder).
const std::filesystem::path kCorpus = std::getenv("CARNET_CORPUS_DIR")
                                          ? std::filesystem::path(std::getenv("CARNET_CORPUS_DIR"))
                                          : kSource / "../shared/xlsform-corpus";
constexpr const char* kToday = "2026-12-06";

/// Forms that cannot be finalized through input, why, and the required questions left unanswered
/// (paths, in form order): exactly these, no more.
struct Blocked {
    std::string reason;
    std::vector<std::string> unanswered;
};
const std::map<std::string, Blocked> kBlocked = {};

/// CSV files a workbook reads its choices from that its repository (and so the corpus) does not have,
/// written by this test beside the form as a field team ships them beside theirs: a few rows with the
/// columns the form's choice_filter reads, so that the app's path for external choices is the one
/// filled. The form and its questions are still the corpus's own.
const std::map<std::string, std::map<std::string, std::string>> kMediaWritten = {
    {"pyx_UCL_Biomass_Plot_Form.xlsx",
     {{"UCL_regions.csv", "name,label\nr1,Arusha\nr2,Morogoro\n"},
      {"UCL_districts.csv", "name,label,region_id\nd1,Meru,r1\nd2,Kilosa,r2\n"},
      {"UCL_villages.csv", "name,label,district_id\nv1,Nkoaranga,d1\nv2,Magole,d2\n"},
      {"ULC_Biomass_Plots.csv", "name,label,village,plant_phase\np1,Plot 1,v1,2022\np2,Plot 2,v1,2023\n"
                                "p3,Plot 3,v2,2022\n"},
      {"species_names.csv", "name,label\ns1,Grevillea robusta\ns2,Markhamia lutea\n"}}},
};

/// Visible questions no input can answer here (paths in form order), by form: a recording or a
/// signature (photos and videos take a file of the media folder through the file picker; audio is left
/// to tests/app/audio_test.cpp) or a select whose choices are the rows of a CSV file that is not in
/// the corpus (it offers no choice). Optional ones are left unanswered, and
/// the form is finalized without them; a required one keeps it from being finalized (kBlocked).
const std::map<std::string, std::vector<std::string>> kSkipped = {
    // The OpenStreetMap field forms end with an optional "Audio Note" and "Take A Picture" (the
    // picture is given a file).
    {"osmfw_buildings.xlsx", {"audio"}},
    {"osmfw_camping.xlsx", {"audio"}},
    {"osmfw_campsite.xlsx", {"audio"}},
    {"osmfw_emergency.xlsx", {"audio"}},
    {"osmfw_highways.xlsx", {"audio"}},
    {"osmfw_roadbarriers.xlsx", {"audio"}},
    {"osmfw_solidwaste.xlsx", {"communities"}}, // communities.csv
    {"osmfw_structure.xlsx", {"audio"}},
    {"osmfw_waste_collection.xlsx", {"audio"}},
    // choice_filter `pastel=yes`: `yes` is a path (a child named yes of the choice), not the text 'yes';
    // ODK offers no choice either.
    {"pyx_or_other.xlsx", {"fav_pastel"}},
    {"pyx_search_and_select.xlsx", {"fruit"}}, // fruits.csv
};

// Values tried in turn, through the screen, until the question takes one (its constraint).
const std::vector<std::string> kNumbers = {"1", "2", "5", "10", "20", "0", "100"};
const std::vector<std::string> kTexts = {"a", "5551234567", "Awa Diallo", "abc123"};

bool isFile(ItemType t) {
    return t == ItemType::Signature || t == ItemType::Audio;
}

/// The files of the media folder the file picker offers photo and video questions.
const std::map<ItemType, std::string> kMediaFiles = {{ItemType::Photo, "porte.jpg"}, {ItemType::Video, "rue.mp4"}};

struct Filler {
    Filler(app::AppState& a, HeadlessImGui& u)
        : app(a)
        , ui(u) {}
    app::AppState& app;
    HeadlessImGui& ui;
    std::string lang = "en";
    std::string recordId;
    HeadlessImGui::Draw draw = [this](app::DrawContext& ctx) { app.draw(ctx); };
    std::set<std::string> tried;
    std::map<std::string, json> given;   ///< path -> the value the store took
    std::vector<std::string> skipped;    ///< visible questions no input can answer here
    std::vector<std::string> unanswered; ///< the required ones among them
    std::string heldBy;                  ///< the messages of a page "Next" did not leave

    std::unique_ptr<forms::Session> session() {
        auto s = app.store().openSession(recordId);
        REQUIRE(s.ok());
        (*s)->setLanguage(lang);
        return std::move(*s);
    }

    // The targets' ids and heights: unchanged after a drag means the list is at its end.
    std::vector<std::pair<std::string, float>> placement() const {
        std::vector<std::pair<std::string, float>> out;
        for (const auto& t : ui.targets)
            out.emplace_back(t.id, t.y);
        return out;
    }

    /// Scrolls (finger drags) down, then up, until `id` is wholly on screen.
    bool reveal(const std::string& id) {
        app.apply(ui.look(draw)); // what the screen asks by itself (a question brought on screen)
        if (ui.find(id)) return true;
        const ImVec2 size = ImGui::GetIO().DisplaySize;
        for (float direction : {1.0f, -1.0f}) {
            for (int k = 0; k < 40; ++k) {
                const auto before = placement();
                const float from = direction > 0 ? size.y * 0.7f : size.y * 0.3f;
                app.apply(ui.drag(size.x / 2, from, -direction * size.y * 0.23f, draw));
                ui.settle(draw);
                if (ui.find(id)) return true;
                if (placement() == before) break;
            }
        }
        return false;
    }

    void tap(const std::string& id) {
        INFO("target " << id);
        REQUIRE(reveal(id));
        app.apply(ui.tap(id, draw));
    }

    /// The value the store holds now at `path`, when the app took the last input without a message.
    json taken(const std::string& path) {
        if (!app.formModel().message.empty()) return nullptr;
        return session()->valueAt(path);
    }

    bool hasIssue(const std::string& path) {
        for (const auto& issue : session()->issues())
            if (issue.path == path) return true;
        return false;
    }

    json typeText(const std::string& path, const std::vector<std::string>& candidates) {
        std::size_t erase = 0;
        for (const auto& text : candidates) {
            tap("input." + path);
            for (std::size_t k = 0; k < erase; ++k)
                app.apply(ui.key(HeadlessImGui::kBackspace, draw));
            app.apply(ui.type(text, draw));
            app.apply(ui.key(HeadlessImGui::kEnter, draw));
            if (json v = taken(path); !v.is_null()) return v;
            erase = text.size() + 2; // the refused text stays in the field, with its message
        }
        return nullptr;
    }

    json keypad(const std::string& path) {
        for (const auto& digits : kNumbers) {
            tap("number." + path); // opens the keypad under the question
            tap("key.clear");
            for (char c : digits)
                tap(std::string("key.") + c);
            tap("key.ok");
            if (json v = taken(path); !v.is_null()) return v;
        }
        return nullptr;
    }

    json choose(const ItemView& q) {
        for (const auto& c : q.choices) {
            tap("choice." + q.path + "." + c.value);
            if (json v = taken(q.path); !v.is_null()) return v;
            if (q.type == ItemType::SelectMultiple && !session()->valueAt(q.path).is_null())
                tap("choice." + q.path + "." + c.value); // refused with others ticked: untick it
        }
        return nullptr;
    }

    json pickDay(const std::string& path) {
        for (const char* day : {kToday, "2026-11-20", "2027-01-15"}) {
            tap("calendar." + path);
            const std::string d(day);
            if (d < kToday) tap("picker.previous");
            if (d > kToday) tap("picker.next");
            tap("picker.day." + d);
            if (json v = taken(path); !v.is_null()) return v;
        }
        return nullptr;
    }

    json answer(const ItemView& q) {
        switch (q.type) {
        case ItemType::SelectOne:
        case ItemType::SelectMultiple:
            return choose(q);
        case ItemType::Integer:
        case ItemType::Decimal:
            return keypad(q.path);
        case ItemType::Text:
        case ItemType::Barcode:
            return typeText(q.path, kTexts);
        case ItemType::Phone:
            return typeText(q.path, {"06 12 34 56 78"});
        case ItemType::Email:
            return typeText(q.path, {"awa@example.org"});
        case ItemType::Geopoint:
            return typeText(q.path, {"43.5297 5.4474"});
        case ItemType::Geotrace:
            return typeText(q.path, {"43.5297 5.4474;43.5301 5.448"});
        case ItemType::Geoshape:
            return typeText(q.path, {"43.5297 5.4474;43.5301 5.448;43.5305 5.4471"});
        case ItemType::Date:
        case ItemType::DateTime:
            return pickDay(q.path);
        case ItemType::Time:
            tap("now." + q.path);
            return taken(q.path);
        case ItemType::Acknowledge:
            tap("ack." + q.path);
            return taken(q.path);
        case ItemType::Range:
            for (int k = 0; k < 20; ++k) {
                tap("plus." + q.path);
                if (json v = taken(q.path); !v.is_null() && !hasIssue(q.path)) return v;
            }
            return nullptr;
        default:
            return nullptr;
        }
    }

    // The next thing to do on the page: a question not tried yet, or a repeat without an entry.
    std::optional<ItemView> next(const std::vector<ItemView>& items) {
        for (const auto& it : items) {
            if (it.appearance == "hidden") continue; // the app never shows them
            if (it.type == ItemType::Group) {
                if (auto n = next(it.children)) return n;
                continue;
            }
            if (it.type == ItemType::Repeat) {
                if (it.instances.empty() && it.canAdd && !tried.count("+" + it.path)) return it;
                for (const auto& inst : it.instances)
                    if (auto n = next(inst)) return n;
                continue;
            }
            if (!forms::isAnswerable(it.type) || it.readOnly || !it.value.is_null() || tried.count(it.path)) continue;
            return it;
        }
        return std::nullopt;
    }

    /// Answers everything on the page shown.
    void fillPage() {
        for (int guard = 0; guard < 300; ++guard) {
            const forms::FormView v = session()->view();
            const int page = app.formModel().page;
            REQUIRE(page < static_cast<int>(v.pages.size()));
            auto q = next(v.pages[static_cast<std::size_t>(page)].items);
            if (!q) return;
            INFO("question " << q->path << " (" << forms::typeName(q->type) << ")");
            if (q->type == ItemType::Repeat) {
                tried.insert("+" + q->path);
                tap("add." + q->path);
                CHECK(app.formModel().message.empty());
                continue;
            }
            tried.insert(q->path);
            if (const auto file = kMediaFiles.find(q->type); file != kMediaFiles.end()) {
                // "Choose a file", then the file's row: the store copies it, the answer names it.
                tap("file.choose." + q->path);
                tap("file.pick." + q->path + "/" + file->second);
                json value = taken(q->path);
                if (value.is_null()) FAIL("the file was not taken: '" << app.formModel().message << "'");
                CHECK(value.get<std::string>().ends_with(file->second.substr(file->second.rfind('.'))));
                given[q->path] = value;
                continue;
            }
            if (isFile(q->type) ||
                (q->choices.empty() && (q->type == ItemType::SelectOne || q->type == ItemType::SelectMultiple))) {
                // A recording, a signature: nothing to give here. A select without a choice (its CSV
                // file is not in the corpus): nothing to tap.
                skipped.push_back(q->path);
                if (q->required) unanswered.push_back(q->path);
                continue;
            }
            json value = answer(*q);
            if (value.is_null())
                FAIL("no value tried through the screen was taken (the last message: '"
                     << app.formModel().message << "'): give one in this test and say why");
            given[q->path] = value;
        }
        FAIL("the page never ran out of questions");
    }

    /// Fills every page, then taps "Finalize"; true when the record left the screen finalized.
    bool fillAll() {
        for (int guard = 0; guard < 60; ++guard) {
            fillPage();
            const int page = app.formModel().page;
            const int pages = static_cast<int>(session()->view().pages.size());
            if (page + 1 < pages) {
                tap("page.next");
                INFO("page " << page + 1 << " of " << pages << ": " << app.formModel().message);
                if (app.formModel().page != page + 1) {
                    for (const auto& [path, message] : app.formModel().slots)
                        if (!message.empty()) heldBy += path + ": " + message;
                    return false;
                }
                continue;
            }
            tap("finalize");
            return app.screen() != app::Screen::Form;
        }
        FAIL("more than 60 pages");
        return false;
    }
};

std::map<std::string, std::string> importedInTable() {
    std::map<std::string, std::string> out;
    std::ifstream in(kSource / "tests/forms/xlsform_corpus.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file, outcome;
        std::getline(fields, file, '\t');
        std::getline(fields, outcome, '\t');
        out[file] = outcome;
    }
    return out;
}

// The workbooks filled below, one test case each.
std::vector<std::string>& filledHere() {
    static std::vector<std::string> files;
    return files;
}
struct Registered {
    explicit Registered(const char* file) { filledHere().push_back(file); }
};

void fillWorkbook(const std::string& file) {
    const std::filesystem::path path = kCorpus / file;
    if (!std::filesystem::is_regular_file(path)) {
        WARN("no corpus workbook at " << path.string() << ": nothing to fill");
        return;
    }
    const auto imported = xlsform::importXlsformFile(path);
    for (const auto& m : imported.messages)
        if (m.severity == xlsform::Severity::Error) UNSCOPED_INFO(m.format(file, Lang::En));
    REQUIRE(imported.ok());
    const std::string text = imported.json.dump(2);
    const auto loaded = forms::loadForm(text); // what `carnet-forms check` does
    REQUIRE(loaded.ok());
    const forms::Form& form = *loaded.form;

    test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "forms");
    std::ofstream(dir.path() / "forms" / (form.id + ".json")) << text;
    if (const auto media = kMediaWritten.find(file); media != kMediaWritten.end())
        for (const auto& [name, content] : media->second)
            std::ofstream(dir.path() / "forms" / name, std::ios::binary) << content;
    std::filesystem::create_directories(dir.path() / "media");
    for (const auto& [type, name] : kMediaFiles)
        std::ofstream(dir.path() / "media" / name, std::ios::binary) << name << std::string(3000, '\x5a');
    app::AppOptions o;
    o.mediaDir = dir.path() / "media";
    o.dataDir = dir.path() / "data";
    o.formsDir = dir.path() / "forms";
    o.lang = Lang::En;
    o.today = kToday;
    auto opened = app::AppState::open(o);
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    app::AppState& app = **opened;
    app::Intent name;
    name.kind = app::Intent::Kind::EditName;
    name.text = "Awa";
    app::Intent finish;
    finish.kind = app::Intent::Kind::FinishFirstRun;
    app.apply({name, finish});
    REQUIRE(app.screen() == app::Screen::Home);

    HeadlessImGui ui(800, 1280);
    Filler f(app, ui);
    // The form's button on the home screen, found by its title.
    const std::string title = form.title.get("en", form.defaultLanguage);
    ui.look(f.draw);
    INFO("home button " << title);
    REQUIRE(ui.findLabel(title));
    app.apply(ui.tapLabel(title, f.draw));
    REQUIRE(app.screen() == app::Screen::Form);
    f.recordId = app.formModel().recordId;

    const bool finalized = f.fillAll();
    {
        // The questions left alone are exactly the table's.
        const auto it = kSkipped.find(file);
        CHECK(f.skipped == (it == kSkipped.end() ? std::vector<std::string>{} : it->second));
    }
    const auto rec = app.store().get(f.recordId);
    REQUIRE(rec.ok());
    // No page keeps the person: an optional select whose CSV file is missing (osmfw_solidwaste's
    // "communities") says so and is left unanswered; it held "Next" before.
    CHECK(f.heldBy.empty());
    const auto blocked = kBlocked.find(file);
    if (blocked != kBlocked.end()) {
        INFO(blocked->second.reason);
        CHECK_FALSE(finalized);
        CHECK(rec->status == store::Status::Draft);
        CHECK(f.unanswered == blocked->second.unanswered);
        std::vector<std::string> missing;
        for (const auto& issue : app.formModel().summary)
            missing.push_back(issue.path);
        CHECK(missing == blocked->second.unanswered); // what the summary names
        return;
    }
    {
        INFO("required questions no input answers: " << json(f.unanswered).dump());
        CHECK(f.unanswered.empty());
    }
    {
        std::string summary;
        for (const auto& issue : app.formModel().summary)
            summary += issue.path + ": " + issue.message + "\n";
        INFO("finalize summary:\n" << summary);
        REQUIRE(finalized);
    }
    CHECK(app.screen() == app::Screen::Home);
    CHECK(rec->status == store::Status::Finalized);
    // The answers given are the record's (those still relevant: a later answer may hide one).
    const auto s = f.session();
    const auto visible = s->visiblePaths();
    for (const auto& [p, value] : f.given) {
        if (std::find(visible.begin(), visible.end(), p) == visible.end()) continue;
        INFO("answer " << p);
        CHECK(s->valueAt(p) == value);
    }
}

} // namespace

#define CARNET_CORPUS_FILL(FILE)                                                                                       \
    static const Registered INTERNAL_CATCH_UNIQUE_NAME(corpusFile)(FILE);                                              \
    TEST_CASE("corpus workbook " FILE " is filled to the end in the app", "[app][corpus]") {                           \
        fillWorkbook(FILE);                                                                                            \
    }

CARNET_CORPUS_FILL("osmfw_buildings.xlsx")
CARNET_CORPUS_FILL("osmfw_camping.xlsx")
CARNET_CORPUS_FILL("osmfw_campsite.xlsx")
CARNET_CORPUS_FILL("osmfw_emergency.xlsx")
CARNET_CORPUS_FILL("osmfw_highways.xlsx")
CARNET_CORPUS_FILL("osmfw_parking_survey.xlsx")
CARNET_CORPUS_FILL("osmfw_roadbarriers.xlsx")
CARNET_CORPUS_FILL("osmfw_solidwaste.xlsx")
CARNET_CORPUS_FILL("osmfw_structure.xlsx")
CARNET_CORPUS_FILL("osmfw_waste_collection.xlsx")
CARNET_CORPUS_FILL("pyx_ODKValidateWarnings.xlsx")
CARNET_CORPUS_FILL("pyx_UCL_Biomass_Plot_Form.xlsx")
CARNET_CORPUS_FILL("pyx_area.xlsx")
CARNET_CORPUS_FILL("pyx_cascading_with_other.xlsx")
CARNET_CORPUS_FILL("pyx_choice_filter_test.xlsx")
CARNET_CORPUS_FILL("pyx_extra_columns.xlsx")
CARNET_CORPUS_FILL("pyx_field-list.xlsx")
CARNET_CORPUS_FILL("pyx_group.xlsx")
CARNET_CORPUS_FILL("pyx_hint_with_no_label.xlsx")
CARNET_CORPUS_FILL("pyx_image_desc_translated.xlsx")
CARNET_CORPUS_FILL("pyx_loop.xlsx")
CARNET_CORPUS_FILL("pyx_or_other.xlsx")
CARNET_CORPUS_FILL("pyx_pull_data.xlsx")
CARNET_CORPUS_FILL("pyx_search_and_select.xlsx")
CARNET_CORPUS_FILL("pyx_select_one_external.xlsx")
CARNET_CORPUS_FILL("pyx_specify_other.xlsx")
CARNET_CORPUS_FILL("pyx_text_and_integer.xlsx")
CARNET_CORPUS_FILL("pyx_when_setvalue_1.xlsx")
CARNET_CORPUS_FILL("pyx_xl_date_ambiguous_v2.xlsx")
CARNET_CORPUS_FILL("pyx_xlsform_spec_test.xlsx")
CARNET_CORPUS_FILL("xlsoff_clean.xlsx")
CARNET_CORPUS_FILL("xlsoff_warning.xlsx")

TEST_CASE("the corpus workbooks filled in the app are those the corpus table says import", "[app][corpus]") {
    std::set<std::string> imported;
    for (const auto& [file, outcome] : importedInTable())
        if (outcome == "imported") imported.insert(file);
    REQUIRE_FALSE(imported.empty());
    const std::set<std::string> here(filledHere().begin(), filledHere().end());
    CHECK(here == imported);
    for (const auto& [file, b] : kBlocked)
        CHECK(here.count(file) == 1);
    WARN("corpus in the app: " << here.size() - kBlocked.size() << " of " << imported.size()
                               << " imported workbooks filled to the end and finalized");
}
