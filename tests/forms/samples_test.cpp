// The sample campaign forms in assets/forms: they load cleanly, are fully bilingual, and a realistic
// door-to-door interview produces the record the campaign expects.
#include "forms/loader.hpp"
#include "forms/session.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using namespace carnet::forms;
using carnet::Lang;
using nlohmann::json;

namespace {

const std::filesystem::path kFormsDir = std::filesystem::path(CARNET_SOURCE_DIR) / "assets" / "forms";

std::vector<std::filesystem::path> sampleFiles() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(kFormsDir))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::shared_ptr<const Form> loadSample(const std::string& name) {
    const LoadResult r = loadFormFile(kFormsDir / name);
    if (!r.ok()) {
        std::ostringstream out;
        for (const auto& p : r.problems)
            out << p.format(name, Lang::En) << "\n";
        FAIL(name << " does not load:\n" << out.str());
    }
    return r.form;
}

// "" when `text` is absent or has both languages; otherwise what is missing.
std::string missingLanguages(const LocalText& text) {
    if (text.empty()) return {};
    std::string missing;
    for (const char* lang : {"fr", "en"})
        if (!text.byLang.count(lang) || text.byLang.find(lang)->second.empty()) missing += std::string(" ") + lang;
    return missing;
}

void set(Session& s, const std::string& path, const json& value) {
    auto r = s.setAnswer(path, value);
    if (!r.ok()) FAIL("setAnswer(" << path << ", " << value.dump() << "): " << r.error().message);
}

bool visible(const Session& s, const std::string& path) {
    const auto paths = s.visiblePaths();
    return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// Every shown label in a view, groups and repeat instances included.
void collectLabels(const std::vector<ItemView>& items, std::vector<std::string>& out) {
    for (const auto& item : items) {
        if (item.type != ItemType::Group) out.push_back(item.label);
        collectLabels(item.children, out);
        for (const auto& inst : item.instances)
            collectLabels(inst, out);
        for (const auto& c : item.choices)
            out.push_back(c.label);
    }
}

std::string labelOf(const Session& s, const std::string& name) {
    const FormView v = s.view();
    std::vector<const std::vector<ItemView>*> todo;
    for (const auto& p : v.pages)
        todo.push_back(&p.items);
    while (!todo.empty()) {
        const auto* items = todo.back();
        todo.pop_back();
        for (const auto& item : *items) {
            if (item.path == name) return item.label;
            todo.push_back(&item.children);
            for (const auto& inst : item.instances)
                todo.push_back(&inst);
        }
    }
    return "<not shown>";
}

double daysOf(const char* iso) {
    double d = 0;
    REQUIRE(parseIsoDate(iso, d));
    return d;
}

} // namespace

TEST_CASE("the sample forms are all there", "[samples]") {
    // The other cases loop over the directory: make sure they do not pass on an empty one.
    const auto files = sampleFiles();
    std::vector<std::string> names;
    for (const auto& f : files)
        names.push_back(f.filename().string());
    for (const char* expected :
         {"advice_desk_session.json", "door_to_door.json", "phone_followup.json", "trip_survey.json"}) {
        INFO(expected);
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());
    }
}

TEST_CASE("every sample form loads with no problem", "[samples]") {
    for (const auto& file : sampleFiles()) {
        INFO(file.filename().string());
        const LoadResult r = loadFormFile(file);
        std::string problems;
        for (const auto& p : r.problems)
            problems += p.format(file.filename().string(), Lang::En) + "\n";
        INFO(problems);
        CHECK(r.problems.empty());
        REQUIRE(r.ok());
        CHECK(r.form->id + ".json" == file.filename().string());
        CHECK_FALSE(r.form->version.empty());
        // The built-in field forms (settings.builtin: walk lists, households, calls) are small records.
        if (!r.form->settings.value("builtin", false)) CHECK(r.form->questionCount() >= 10);
    }
}

TEST_CASE("every sample form has French and English texts everywhere", "[samples]") {
    for (const auto& file : sampleFiles()) {
        const auto form = loadSample(file.filename().string());
        INFO(file.filename().string());
        CHECK(std::find(form->languages.begin(), form->languages.end(), "fr") != form->languages.end());
        CHECK(std::find(form->languages.begin(), form->languages.end(), "en") != form->languages.end());
        CHECK(missingLanguages(form->title).empty());
        for (const auto& item : form->items) {
            INFO(item.pointer << " (" << item.name << ")");
            if (item.type != ItemType::Calculate && item.type != ItemType::Group) CHECK_FALSE(item.label.empty());
            CHECK(missingLanguages(item.label).empty());
            CHECK(missingLanguages(item.hint).empty());
            CHECK(missingLanguages(item.requiredMessage).empty());
            CHECK(missingLanguages(item.constraintMessage).empty());
        }
        for (const auto& list : form->choiceLists)
            for (const auto& choice : list.choices) {
                INFO("choice list " << list.name << ", value " << choice.value);
                CHECK(missingLanguages(choice.label).empty());
            }
    }
}

TEST_CASE("every sample form opens as a new record in both languages", "[samples]") {
    for (const auto& file : sampleFiles()) {
        const auto form = loadSample(file.filename().string());
        INFO(file.filename().string());
        for (const char* lang : {"fr", "en"}) {
            SessionOptions o;
            o.language = lang;
            o.now = [] { return daysOf("2026-11-20") + 0.75; };
            Session s(form, o);
            if (!form->settings.value("builtin", false)) {
                CHECK_FALSE(s.complete()); // every sample interview asks something required
                CHECK_FALSE(s.issues().empty());
            }
            CHECK_FALSE(s.visiblePaths().empty());
            const FormView v = s.view();
            CHECK(v.title == form->title.get(lang, form->defaultLanguage));
            REQUIRE_FALSE(v.pages.empty());
            std::vector<std::string> labels;
            for (const auto& p : v.pages) {
                CHECK_FALSE(p.label.empty());
                collectLabels(p.items, labels);
            }
            for (const auto& label : labels) {
                INFO(label);
                CHECK_FALSE(label.empty());
                CHECK(label.find("${") == std::string::npos); // interpolated
            }
            // The empty record survives a round trip.
            Session t(form, o);
            CHECK(t.loadAnswers(s.answers()).empty());
            CHECK(t.answers() == s.answers());
        }
    }
}

TEST_CASE("door to door: a completed interview gives the expected record", "[samples]") {
    const auto form = loadSample("door_to_door.json");
    SessionOptions o;
    o.now = [] { return daysOf("2026-11-20") + 10.25 / 24; }; // 20 November 2026, 10:15
    Session s(form, o);

    // Page 1: the visit.
    CHECK(s.valueAt("campagne") == "MOBILIZE – automne 2026"); // default, read only
    CHECK_FALSE(s.setAnswer("campagne", "autre").ok());
    const auto badCode = s.setAnswer("code_ambassadeur", "AMB-7");
    REQUIRE_FALSE(badCode.ok());
    CHECK(badCode.error().message == "Le code doit avoir la forme AMB-000.");
    set(s, "code_ambassadeur", "AMB-007");
    set(s, "commune", "venelles");
    const auto wrongTown = s.setAnswer("quartier", "aix_centre"); // filtered out by the commune
    REQUIRE_FALSE(wrongTown.ok());
    set(s, "quartier", "venelles_logissons");
    CHECK_FALSE(s.setAnswer("adresse", "12").ok()); // at least 5 characters
    set(s, "adresse", "12 avenue Jean-Moulin");
    set(s, "heure_passage", "2026-11-20T10:15");
    CHECK_FALSE(visible(s, "nb_personnes")); // the household pages wait for the outcome
    set(s, "issue_visite", "entretien");

    // Page 2: the household.
    CHECK(visible(s, "nb_personnes"));
    CHECK(s.valueAt("nb_personnes") == 1); // default
    CHECK(visible(s, "membres[1]/prenom"));
    CHECK_FALSE(visible(s, "membres[2]/prenom"));
    CHECK_FALSE(s.setAnswer("nb_personnes", 13).ok());
    set(s, "nb_personnes", "2");
    CHECK(labelOf(s, "membres[2]/prenom") == "Prénom de la personne n° 2 (facultatif)");
    set(s, "membres[1]/prenom", "Catherine");
    set(s, "membres[1]/tranche_age", "45_59");
    set(s, "membres[1]/permis", "oui");
    set(s, "membres[2]/tranche_age", "60_74");
    CHECK(visible(s, "membres[2]/permis"));
    set(s, "membres[2]/permis", "oui");
    CHECK(s.valueAt("nb_adultes") == 2);
    set(s, "voiture", "oui");
    set(s, "nb_voitures", 2);
    CHECK(s.valueAt("voitures_par_adulte") == 1);
    CHECK(visible(s, "note_multimotorise"));
    CHECK(labelOf(s, "note_multimotorise").rfind("Foyer multimotorisé (1 voiture par adulte)", 0) == 0);

    // Page 3: the eco-gesture.
    set(s, "eco_geste", "parking_relais");
    CHECK_FALSE(visible(s, "eco_geste_autre"));
    CHECK_FALSE(s.setAnswer("trajets_vises", "aucun travail").ok());
    set(s, "trajets_vises", "travail,courses");
    CHECK(visible(s, "distance_travail_km"));
    set(s, "distance_travail_km", "12,5");

    // Page 4: follow-up and consent.
    set(s, "accord_suivi", "oui");
    CHECK(visible(s, "telephone"));
    CHECK_FALSE(s.complete());
    set(s, "telephone", "06 12 34 56 78");
    set(s, "accord_appels", true);
    set(s, "consentement_reponses", true);

    // Page 5: end of visit.
    set(s, "position", "43.5953 5.4780");
    CHECK(labelOf(s, "note_recap") == "Récapitulatif : issue « entretien », volontaire inscrit : 1 (1 = oui).");

    std::string issues;
    for (const auto& issue : s.issues())
        issues += issue.path + ": " + issue.message + "\n";
    INFO(issues);
    CHECK(s.issues().empty());
    CHECK(s.complete());
    CHECK(s.view().complete);

    const json expected = json::parse(R"({
      "campagne": "MOBILIZE – automne 2026",
      "code_ambassadeur": "AMB-007",
      "commune": "venelles",
      "quartier": "venelles_logissons",
      "adresse": "12 avenue Jean-Moulin",
      "heure_passage": "2026-11-20T10:15",
      "issue_visite": "entretien",
      "nb_personnes": 2,
      "membres": [
        {"_id": "n1", "rang_membre": 1, "prenom": "Catherine", "tranche_age": "45_59", "permis": "oui", "est_adulte": 1},
        {"_id": "n2", "rang_membre": 2, "tranche_age": "60_74", "permis": "oui", "est_adulte": 1}
      ],
      "nb_adultes": 2,
      "voiture": "oui",
      "nb_voitures": 2,
      "voitures_par_adulte": 1,
      "eco_geste": "parking_relais",
      "trajets_vises": ["travail", "courses"],
      "distance_travail_km": 12.5,
      "accord_suivi": "oui",
      "telephone": "+33612345678",
      "accord_appels": true,
      "consentement_reponses": true,
      "position": "43.5953 5.478",
      "volontaire": 1
    })");
    const json record = s.record();
    CHECK(record == expected);
    // Keys one by one, for a readable failure.
    for (const auto& [key, value] : expected.items()) {
        INFO(key);
        CHECK(record.value(key, json()) == value);
    }

    // The draft reopens as it was.
    Session reopened(form, o);
    CHECK(reopened.loadAnswers(s.answers()).empty());
    CHECK(reopened.record() == expected);
    CHECK(reopened.complete());
}

TEST_CASE("door to door: come back later, then a refusal", "[samples]") {
    const auto form = loadSample("door_to_door.json");
    SessionOptions o;
    o.language = "en";
    o.now = [] { return daysOf("2026-11-20") + 0.5; };
    Session s(form, o);
    set(s, "code_ambassadeur", "AMB-012");
    set(s, "commune", "marseille");
    set(s, "quartier", "marseille_joliette");
    set(s, "adresse", "3 rue de la République");
    set(s, "heure_passage", "2026-11-20T12:00");
    set(s, "issue_visite", "repasser");
    CHECK(visible(s, "date_repassage"));
    CHECK_FALSE(visible(s, "nb_personnes"));
    CHECK_FALSE(s.complete()); // the date to come back is required
    const auto late = s.setAnswer("date_repassage", "2027-03-01");
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().message == "Choose a date between today and 60 days from now.");
    set(s, "date_repassage", "27/11/2026");
    set(s, "heure_repassage", "18:30");
    CHECK(s.complete());
    CHECK(s.record()["volontaire"] == 0);
    CHECK(s.record()["date_repassage"] == "2026-11-27");

    set(s, "issue_visite", "refus");
    CHECK_FALSE(visible(s, "date_repassage"));
    CHECK(visible(s, "motif_refus"));
    set(s, "motif_refus", "pas_le_temps");
    const json record = s.record();
    CHECK_FALSE(record.contains("date_repassage")); // hidden now, kept in the draft
    CHECK(s.answers()["date_repassage"] == "2026-11-27");
    CHECK(record["motif_refus"] == "pas_le_temps");
    CHECK_FALSE(record.contains("nb_personnes"));
    CHECK_FALSE(record.contains("membres"));
    CHECK(s.complete());

    // Changing the town now leaves the neighbourhood invalid, and says so.
    set(s, "commune", "gardanne");
    CHECK_FALSE(s.complete());
    const auto issues = s.issues();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == "quartier");
    CHECK(issues[0].kind == IssueKind::ChoiceUnavailable);
}
