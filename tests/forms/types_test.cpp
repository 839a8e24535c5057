// normalizeAnswer for every question type: what is accepted, how it is stored, and what is refused
// with which message (French and English). Also the phone, e-mail and geopoint helpers directly.
#include "forms/loader.hpp"
#include "forms/normalize.hpp"
#include "forms/session.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace carnet::forms;
using carnet::Lang;
using nlohmann::json;

namespace {

const char* const kForm = R"({
  "id": "types", "version": "1", "title": {"fr": "Types", "en": "Types"},
  "default_language": "fr", "languages": ["fr", "en"],
  "pages": [{"type": "page", "name": "p", "label": "P", "children": [
    {"type": "text", "name": "text", "label": "Text"},
    {"type": "text", "name": "code", "label": "Code", "regex": "AMB-[0-9]{3}"},
    {"type": "integer", "name": "integer", "label": "Integer"},
    {"type": "decimal", "name": "decimal", "label": "Decimal"},
    {"type": "select_one", "name": "one", "label": "One",
     "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": 12, "label": "Douze"}]},
    {"type": "select_multiple", "name": "many", "label": "Many",
     "choices": [{"value": "bus", "label": "Bus"}, {"value": "velo", "label": "Vélo"}, {"value": "train", "label": "Train"}]},
    {"type": "date", "name": "date", "label": "Date"},
    {"type": "time", "name": "time", "label": "Time"},
    {"type": "datetime", "name": "datetime", "label": "Datetime"},
    {"type": "phone", "name": "phone", "label": "Phone"},
    {"type": "email", "name": "email", "label": "Email"},
    {"type": "note", "name": "note", "label": "Note"},
    {"type": "acknowledge", "name": "ack", "label": "Ack"},
    {"type": "range", "name": "range", "label": "Range"},
    {"type": "range", "name": "half", "label": "Half", "start": 1, "end": 5, "step": 0.5},
    {"type": "range", "name": "tenths", "label": "Tenths", "start": 0, "end": 1, "step": 0.1},
    {"type": "geopoint", "name": "geo", "label": "Geo"},
    {"type": "photo", "name": "photo", "label": "Photo"},
    {"type": "signature", "name": "sig", "label": "Signature"},
    {"type": "calculate", "name": "calc", "calculation": "1 + 1"}
  ]}]
})";

const std::shared_ptr<const Form>& typesForm() {
    static const std::shared_ptr<const Form> form = [] {
        LoadResult r = loadForm(kForm);
        if (!r.ok()) FAIL("the types form does not load: " << r.problems.front().format("types", Lang::En));
        return r.form;
    }();
    return form;
}

carnet::Result<json> norm(const char* name, const json& value, Lang lang = Lang::En) {
    const Form& form = *typesForm();
    const Item* item = form.find(name);
    REQUIRE(item != nullptr);
    return normalizeAnswer(form, *item, value, lang);
}

// Accepted, and stored as `expected`.
void accepts(const char* name, const json& value, const json& expected) {
    INFO(name << " <- " << value.dump());
    auto r = norm(name, value);
    if (!r.ok()) FAIL("refused: " << r.error().message);
    CHECK(*r == expected);
}

// Refused with `en` in English and `fr` in French.
void refuses(const char* name, const json& value, const std::string& en, const std::string& fr) {
    INFO(name << " <- " << value.dump());
    auto r = norm(name, value, Lang::En);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == carnet::ErrorCode::Invalid);
    CHECK(r.error().message == en);
    auto f = norm(name, value, Lang::Fr);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == fr);
}

void refuses(const char* name, const json& value) {
    INFO(name << " <- " << value.dump());
    CHECK_FALSE(norm(name, value).ok());
}

} // namespace

TEST_CASE("null and blank text clear any answer", "[types]") {
    for (const char* name : {"text", "integer", "decimal", "one", "many", "date", "time", "datetime", "phone", "email",
                             "ack", "range", "geo", "photo", "sig"}) {
        INFO(name);
        accepts(name, nullptr, nullptr);
        accepts(name, "", nullptr);
        accepts(name, "   ", nullptr);
    }
}

TEST_CASE("text", "[types]") {
    accepts("text", "Bonjour", "Bonjour");
    accepts("text", " garde les espaces ", " garde les espaces ");
    accepts("text", 42, "42");
    accepts("text", 2.5, "2.5");
    refuses("text", true, "Enter some text.", "Entrez du texte.");
    refuses("text", json::array({"a"}), "Enter some text.", "Entrez du texte.");
    refuses("text", json::object(), "Enter some text.", "Entrez du texte.");
}

TEST_CASE("integer: whole numbers, as numbers or text", "[types]") {
    accepts("integer", "42", 42);
    accepts("integer", 42, 42);
    accepts("integer", " -7 ", -7);
    accepts("integer", 4.0, 4);
    accepts("integer", "4,0", 4);
    refuses("integer", "4.5", "Enter a whole number.", "Entrez un nombre entier.");
    refuses("integer", 4.5, "Enter a whole number.", "Entrez un nombre entier.");
    refuses("integer", "quatre", "Enter a whole number.", "Entrez un nombre entier.");
    refuses("integer", "1e3");
    refuses("integer", true);
    refuses("integer", "1e300");
    const auto stored = norm("integer", "42");
    REQUIRE(stored.ok());
    CHECK(stored->is_number_integer());
}

TEST_CASE("decimal: a French decimal comma is accepted", "[types]") {
    accepts("decimal", "3,5", 3.5);
    accepts("decimal", "3.5", 3.5);
    accepts("decimal", 3.5, 3.5);
    accepts("decimal", "-0,25", -0.25);
    accepts("decimal", "12", 12);
    const auto whole = norm("decimal", "12");
    REQUIRE(whole.ok());
    CHECK(whole->is_number_integer()); // stored without a needless fraction
    refuses("decimal", "3,5,1", "Enter a number.", "Entrez un nombre.");
    refuses("decimal", "1 234,5", "Enter a number.", "Entrez un nombre.");
    refuses("decimal", "abc", "Enter a number.", "Entrez un nombre.");
    refuses("decimal", false);
}

TEST_CASE("select_one: a known choice value", "[types]") {
    accepts("one", "a", "a");
    accepts("one", " b ", "b");
    accepts("one", 12, "12"); // an integer choice value is stored as its text
    accepts("one", "12", "12");
    refuses("one", "c", "Unknown choice: 'c'.", "Choix inconnu : « c ».");
    refuses("one", "A"); // values are case-sensitive
    refuses("one", "a b");
    refuses("one", json::array({"a"}));
}

TEST_CASE("select_multiple: space or comma separated text, or an array", "[types]") {
    const json both = json::array({"bus", "velo"});
    accepts("many", "bus velo", both);
    accepts("many", "bus,velo", both);
    accepts("many", "bus, velo", both);
    accepts("many", json::array({"bus", "velo"}), both);
    accepts("many", "velo", json::array({"velo"}));
    accepts("many", "bus bus velo", both); // duplicates collapse
    accepts("many", json::array(), nullptr);
    accepts("many", ",", nullptr);
    refuses("many", "bus avion", "Unknown choice: 'avion'.", "Choix inconnu : « avion ».");
    refuses("many", json::array({"bus", "avion"}));
    refuses("many", json::array({"bus", json::object()}));
    refuses("many", json::object({{"bus", true}}));
}

TEST_CASE("date: ISO, or the French day/month/year", "[types]") {
    accepts("date", "2026-11-25", "2026-11-25");
    accepts("date", "25/11/2026", "2026-11-25");
    accepts("date", " 2024-02-29 ", "2024-02-29");
    accepts("date", "29/02/2024", "2024-02-29");
    refuses("date", "2026-02-30", "Enter a valid date (YYYY-MM-DD).", "Entrez une date valide (AAAA-MM-JJ).");
    refuses("date", "30/02/2026");
    refuses("date", "2026-13-01");
    refuses("date", "2026-11-25T10:00");
    refuses("date", "25-11-2026");
    refuses("date", "demain");
    refuses("date", 20261125);
}

TEST_CASE("time: HH:MM or HH:MM:SS, a single-digit hour gets its zero", "[types]") {
    accepts("time", "08:30", "08:30");
    accepts("time", "8:30", "08:30");
    accepts("time", "17:45:10", "17:45:10");
    accepts("time", "00:00", "00:00");
    refuses("time", "24:00", "Enter a valid time (HH:MM).", "Entrez une heure valide (HH:MM).");
    refuses("time", "8h30");
    refuses("time", "12:60");
    refuses("time", "12");
    refuses("time", 830);
}

TEST_CASE("datetime: ISO 8601 with optional seconds and offset", "[types]") {
    accepts("datetime", "2026-11-25T14:30", "2026-11-25T14:30");
    accepts("datetime", "2026-11-25T14:30:05", "2026-11-25T14:30:05");
    accepts("datetime", "2026-11-25T14:30:05Z", "2026-11-25T14:30:05Z");
    accepts("datetime", "2026-11-25T14:30+01:00", "2026-11-25T14:30+01:00");
    refuses("datetime", "2026-11-25", "Enter a valid date and time (YYYY-MM-DDTHH:MM).",
            "Entrez une date et une heure valides (AAAA-MM-JJTHH:MM).");
    refuses("datetime", "2026-02-30T10:00");
    refuses("datetime", "2026-11-25T14:30+1");
    // As the app shows it: French (day first, a space) and English (ISO with a space).
    accepts("datetime", "25/11/2026 14:30", "2026-11-25T14:30");
    accepts("datetime", "2026-11-25 14:30", "2026-11-25T14:30");
    refuses("datetime", "25/11/26 14:30");
}

TEST_CASE("phone: French numbers to E.164", "[types]") {
    accepts("phone", "06 12 34 56 78", "+33612345678");
    accepts("phone", "0612345678", "+33612345678");
    accepts("phone", "06.12.34.56.78", "+33612345678");
    accepts("phone", "06-12-34-56-78", "+33612345678");
    accepts("phone", "+33 6 12 34 56 78", "+33612345678");
    accepts("phone", "+33 (0)6 12 34 56 78", "+33612345678");
    accepts("phone", "+33 06 12 34 56 78", "+33612345678");
    accepts("phone", "0033 6 12 34 56 78", "+33612345678");
    accepts("phone", "04 42 12 34 56", "+33442123456");
    refuses("phone", "hello", "Invalid phone number.", "Numéro de téléphone non valide.");
    refuses("phone", "06 12 34 56", "Invalid phone number.", "Numéro de téléphone non valide.");
    refuses("phone", "06 12 34 56 78 9");
    refuses("phone", "00 12");
    refuses("phone", "+33 1234");
    refuses("phone", "06 12 34 56 7x");
    refuses("phone", "++33612345678");
    refuses("phone", true);
}

TEST_CASE("phone: French overseas numbers get their own country code", "[types]") {
    accepts("phone", "0690 12 34 56", "+590690123456"); // Guadeloupe mobile
    accepts("phone", "0590 12 34 56", "+590590123456"); // Guadeloupe landline
    accepts("phone", "0694 12 34 56", "+594694123456"); // Guyane
    accepts("phone", "0696 12 34 56", "+596696123456"); // Martinique
    accepts("phone", "0692 12 34 56", "+262692123456"); // La Réunion
    accepts("phone", "0262 12 34 56", "+262262123456");
    accepts("phone", "0639 12 34 56", "+262639123456"); // Mayotte
    accepts("phone", "+590 690 12 34 56", "+590690123456");
}

TEST_CASE("phone: other international numbers keep their code", "[types]") {
    accepts("phone", "+44 20 7946 0958", "+442079460958");
    accepts("phone", "0044 20 7946 0958", "+442079460958");
    accepts("phone", "+32 2 123 45 67", "+3221234567");
}

TEST_CASE("email: local@domain.tld without spaces", "[types]") {
    accepts("email", "claire.martin@example.fr", "claire.martin@example.fr");
    accepts("email", " a@b.co ", "a@b.co");
    refuses("email", "claire.martin", "Invalid email address.", "Adresse e-mail non valide.");
    refuses("email", "claire@example");
    refuses("email", "@example.fr");
    refuses("email", "claire@.fr");
    refuses("email", "claire@example.");
    refuses("email", "cla ire@example.fr");
    refuses("email", "a@b@example.fr");
    refuses("email", "claire@example..fr");
    refuses("email", 42);
}

TEST_CASE("note and calculate take no answer", "[types]") {
    refuses("note", "x", "This question takes no answer.", "Cette question n’attend pas de réponse.");
    refuses("note", nullptr, "This question takes no answer.", "Cette question n’attend pas de réponse.");
    refuses("calc", 2, "This question takes no answer.", "Cette question n’attend pas de réponse.");
}

TEST_CASE("acknowledge: ticked is true, unticked is unanswered", "[types]") {
    accepts("ack", true, true);
    accepts("ack", false, nullptr);
    accepts("ack", "oui", true);
    accepts("ack", "true", true);
    accepts("ack", "yes", true);
    accepts("ack", 1, true);
    accepts("ack", "non", nullptr);
    accepts("ack", 0, nullptr);
    refuses("ack", "peut-être");
    refuses("ack", "OK"); // issue 21: only 1/true/oui/yes tick it
    refuses("ack", 2);
    refuses("ack", json::array({true}));
}

TEST_CASE("range: within bounds, on a step from start", "[types]") {
    accepts("range", 0, 0);
    accepts("range", "7", 7);
    accepts("range", 10, 10);
    refuses("range", 11, "The value must be between 0 and 10.", "La valeur doit être comprise entre 0 et 10.");
    refuses("range", -1, "The value must be between 0 and 10.", "La valeur doit être comprise entre 0 et 10.");
    refuses("range", 2.5, "The value must be a step of 1 from 0.",
            "La valeur doit être un multiple de 1 à partir de 0.");
    refuses("range", "abc", "Enter a number.", "Entrez un nombre.");

    accepts("half", "2,5", 2.5);
    accepts("half", 1, 1);
    accepts("half", 5, 5);
    refuses("half", 0.5, "The value must be between 1 and 5.", "La valeur doit être comprise entre 1 et 5.");
    refuses("half", 2.25, "The value must be a step of 0.5 from 1.",
            "La valeur doit être un multiple de 0.5 à partir de 1.");

    // Steps that are not exact in binary still land on their multiples.
    accepts("tenths", 0.3, 0.3);
    accepts("tenths", 0.7, 0.7);
    refuses("tenths", 0.35);
}

TEST_CASE("range: a huge whole number stays a number", "[types]") {
    const auto loaded = loadForm(R"({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "range", "name": "big", "label": "Big", "start": 0, "end": 1e30, "step": 1, "default": 1e20}]}]})");
    REQUIRE(loaded.ok());
    const Item& big = *loaded.form->find("big");
    CHECK(big.defaultValue == 1e20);
    auto r = normalizeAnswer(*loaded.form, big, 1e20, Lang::En);
    REQUIRE(r.ok());
    CHECK(r->get<double>() == 1e20);
}

TEST_CASE("geopoint: lat lon [alt [accuracy]] or an object", "[types]") {
    accepts("geo", "43.5953 5.4780", "43.5953 5.478");
    accepts("geo", "  43.5953   5.4780  120  8 ", "43.5953 5.478 120 8");
    accepts("geo", "-90 -180", "-90 -180");
    accepts("geo", json{{"lat", 43.5}, {"lon", 5.25}}, "43.5 5.25");
    accepts("geo", json{{"lat", 43.5}, {"lon", 5.25}, {"alt", 100}, {"accuracy", 4.5}}, "43.5 5.25 100 4.5");
    refuses("geo", "91 5", "Invalid coordinates: 'latitude longitude [altitude accuracy]'.",
            "Coordonnées non valides : « latitude longitude [altitude précision] ».");
    refuses("geo", "43 181");
    refuses("geo", "43.5");
    refuses("geo", "43.5 5.4 100 -1"); // negative accuracy
    refuses("geo", "43.5 5.4 1 2 3");
    refuses("geo", "nord est");
    refuses("geo", json{{"lat", "43.5"}, {"lon", 5}});
    refuses("geo", json{{"lat", 43.5}});
}

TEST_CASE("photo and signature: a file name without path separators", "[types]") {
    for (const char* name : {"photo", "sig"}) {
        accepts(name, "IMG_20261125_1030.jpg", "IMG_20261125_1030.jpg");
        accepts(name, "signature.png", "signature.png");
        refuses(name, "../etc/passwd", "Invalid attachment reference.", "Référence de pièce jointe non valide.");
        refuses(name, "dossier/photo.jpg");
        refuses(name, "C:\\photos\\a.jpg");
        refuses(name, "..");
        refuses(name, ".");
        refuses(name, std::string(256, 'a'));
        refuses(name, 12);
    }
    accepts("photo", std::string(255, 'a'), std::string(255, 'a'));
}

TEST_CASE("uiLang maps a form language to a UI language", "[types]") {
    CHECK(uiLang("fr") == Lang::Fr);
    CHECK(uiLang("fr_FR") == Lang::Fr);
    CHECK(uiLang("en") == Lang::En);
    CHECK(uiLang("es") == Lang::En);
    CHECK(uiLang("") == Lang::En);
}

TEST_CASE("the normalize helpers on their own", "[types]") {
    CHECK(normalizePhone("06 12 34 56 78") == std::optional<std::string>("+33612345678"));
    CHECK_FALSE(normalizePhone(""));
    CHECK_FALSE(normalizePhone("0012345"));           // too short once the 00 is gone
    CHECK_FALSE(normalizePhone("+0612345678"));       // a country code never starts with 0
    CHECK_FALSE(normalizePhone("+6123456789012345")); // E.164 has at most 15 digits
    CHECK(normalizePhone("+612345678901234") == std::optional<std::string>("+612345678901234"));
    CHECK(isEmail("a.b-c@d-e.example.org"));
    CHECK_FALSE(isEmail("a@b.c;d@e.f"));
    CHECK_FALSE(isEmail("<a@b.fr>"));
    CHECK(normalizeGeopoint("1.50 2.00") == std::optional<std::string>("1.5 2"));
    CHECK_FALSE(normalizeGeopoint(""));
}

TEST_CASE("a session stores answers normalised by type", "[types]") {
    Session session(typesForm());
    REQUIRE(session.setAnswer("phone", "06 12 34 56 78").ok());
    REQUIRE(session.setAnswer("date", "25/11/2026").ok());
    REQUIRE(session.setAnswer("many", "bus,velo").ok());
    REQUIRE(session.setAnswer("decimal", "3,5").ok());
    const json answers = session.answers();
    CHECK(answers["phone"] == "+33612345678");
    CHECK(answers["date"] == "2026-11-25");
    CHECK(answers["many"] == json::array({"bus", "velo"}));
    CHECK(answers["decimal"] == 3.5);
    auto bad = session.setAnswer("integer", "4.5");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "Entrez un nombre entier."); // the form's default language is French
    CHECK_FALSE(session.answers().contains("integer"));
}

TEST_CASE("a very long answer to a question with a regex is matched like a short one", "[types]") {
    // RE2 matches in linear time without recursion: no length cap on answers.
    const auto form = loadForm(R"({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "text", "name": "nom", "label": "Nom", "regex": "[A-Za-z -]+"}]}]})");
    REQUIRE(form.ok());
    Session session(form.form, SessionOptions{"en", {}, {}});
    CHECK(session.setAnswer("nom", std::string(900, 'a')).ok());
    CHECK(session.setAnswer("nom", std::string(60000, 'a')).ok());
    CHECK_FALSE(session.setAnswer("nom", std::string(60000, 'a') + "1").ok());
    REQUIRE(session.setAnswer("nom", std::string(60000, 'a') + "1", Validation::Lenient).ok());
    const auto issues = session.issues();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].kind == IssueKind::Pattern);
}

TEST_CASE("a text regex must match the whole answer", "[types]") {
    Session session(typesForm(), SessionOptions{"en", {}, {}});
    CHECK(session.setAnswer("code", "AMB-007").ok());
    auto partial = session.setAnswer("code", "xAMB-007");
    REQUIRE_FALSE(partial.ok());
    CHECK(partial.error().message == "The answer's format is not valid.");
    CHECK(session.answers()["code"] == "AMB-007");
    REQUIRE(session.setAnswer("code", "AMB-0071", Validation::Lenient).ok());
    const auto issues = session.issues();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == "code");
    CHECK(issues[0].kind == IssueKind::Pattern);
}

TEST_CASE("a calculation of 1 div 0 is Infinity, as in ODK, geotraces and geoshapes in ODK's format", "[types][odk]") {
    // ODK XForms spec, "Number functions" (XPath 1.0 section 3.5): division by zero is Infinity.
    const auto form = loadForm(R"json({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "calculate", "name": "ratio", "calculation": "1 div ${n}"},
        {"type": "geotrace", "name": "trace", "label": "Trace"},
        {"type": "geoshape", "name": "shape", "label": "Shape"},
        {"type": "calculate", "name": "len", "calculation": "round(distance(${trace}))"},
        {"type": "barcode", "name": "code", "label": "Code", "appearance": "barcode"},
        {"type": "audio", "name": "sound", "label": "Sound"}]}]})json");
    REQUIRE(form.ok());
    Session session(form.form, SessionOptions{"en", {}, {}});
    REQUIRE(session.setAnswer("n", 0).ok());
    CHECK(session.valueAt("ratio") == "Infinity");
    REQUIRE(session.setAnswer("n", 4).ok());
    CHECK(session.valueAt("ratio") == 0.25);
    REQUIRE(session.setAnswer("trace", "0 0 0 0; 1 0 0 0").ok());
    CHECK(session.answers()["trace"] == "0 0 0 0;1 0 0 0");
    CHECK(session.valueAt("len") == 111319);
    CHECK_FALSE(session.setAnswer("trace", "0 0").ok()); // a line needs two points
    REQUIRE(session.setAnswer("shape", "0 0;0 1;1 1").ok());
    CHECK(session.answers()["shape"] == "0 0;0 1;1 1;0 0"); // closed
    CHECK_FALSE(session.setAnswer("shape", "0 0;nope").ok());
    REQUIRE(session.setAnswer("code", "4006381333931").ok());
    REQUIRE(session.setAnswer("sound", "note.m4a").ok());
    CHECK_FALSE(session.setAnswer("sound", "../etc/passwd").ok());
}
