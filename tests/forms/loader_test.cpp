// The loader: every check of docs/form-format.md "Loader checks", each problem located by its JSON
// pointer (or line:column for JSON syntax), several problems reported at once, and the loaded model.
#include "core/i18n.hpp"
#include "forms/loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace carnet::forms;
using carnet::Lang;
using nlohmann::json;

namespace {

// A valid form whose only page holds `children`.
json formWith(json children);

// The same from a braced list of questions. `formWith(json{q})` alone would be compiler-dependent: a
// braced list of one json is a copy of that element for clang and a one-element array for gcc.
json formWith(std::initializer_list<json> children) {
    json list = json::array();
    for (const json& c : children)
        list.push_back(c);
    return formWith(std::move(list));
}

json formWith(json children) {
    return json{{"id", "test_form"},
                {"version", "1"},
                {"title", {{"fr", "Essai"}, {"en", "Test"}}},
                {"default_language", "fr"},
                {"languages", {"fr", "en"}},
                {"pages", json::array({json{{"type", "page"},
                                            {"name", "p1"},
                                            {"label", {{"fr", "Page"}, {"en", "Page"}}},
                                            {"children", std::move(children)}}})}};
}

json question(const char* type, const char* name) {
    return json{{"type", type}, {"name", name}, {"label", {{"fr", name}, {"en", name}}}};
}

std::string describe(const LoadResult& r) {
    std::ostringstream out;
    for (const auto& p : r.problems)
        out << "  " << p.format("form.json", Lang::En) << " [" << p.key << "]\n";
    return out.str();
}

LoadResult load(const json& doc) {
    LoadResult r = loadFormJson(doc);
    // Every problem has a translation, and a message in both languages.
    for (const auto& p : r.problems) {
        INFO(p.key);
        CHECK(carnet::hasTranslation(p.key));
        CHECK_FALSE(p.message(Lang::En).empty());
        CHECK_FALSE(p.message(Lang::Fr).empty());
    }
    return r;
}

// The problem at `pointer` with `key` (a copy: callers often pass a temporary result); fails the
// test when there is none.
Problem problemAt(const LoadResult& r, const std::string& pointer, const std::string& key) {
    INFO("problems:\n" << describe(r));
    REQUIRE_FALSE(r.ok());
    for (const auto& p : r.problems)
        if (p.pointer == pointer && p.key == key) return p;
    FAIL("no " << key << " at " << pointer);
    return r.problems.front();
}

// A form with exactly one problem, at `pointer` with `key`.
Problem onlyProblem(const LoadResult& r, const std::string& pointer, const std::string& key) {
    INFO("problems:\n" << describe(r));
    REQUIRE(r.problems.size() == 1);
    return problemAt(r, pointer, key);
}

} // namespace

// ------------------------------------------------------------------ JSON text

TEST_CASE("a JSON syntax error is located by line and column", "[loader]") {
    const LoadResult r = loadForm("{\n  \"id\": \"x\",\n  \"version\": 1 2\n}\n");
    REQUIRE(r.problems.size() == 1);
    const Problem& p = r.problems[0];
    CHECK(p.key == "load.json_syntax");
    CHECK(p.line == 3);
    CHECK(p.column == 16);
    CHECK(p.pointer.empty());
    const std::string text = p.format("forms/x.json", Lang::En);
    CHECK(text.rfind("forms/x.json:3:16: JSON syntax error: ", 0) == 0);
    CHECK(p.format("forms/x.json", Lang::Fr).rfind("forms/x.json:3:16: erreur de syntaxe JSON : ", 0) == 0);
    CHECK_FALSE(r.ok());
    CHECK(r.form == nullptr);
}

TEST_CASE("truncated and empty documents are syntax errors", "[loader]") {
    for (const char* text : {"", "{", "{\"id\": ", "{\"pages\": [}", "nul"}) {
        INFO(text);
        const LoadResult r = loadForm(text);
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].key == "load.json_syntax");
        CHECK(r.problems[0].line >= 1);
        CHECK(r.problems[0].column >= 1);
    }
}

TEST_CASE("the document must be an object", "[loader]") {
    for (const json& doc : {json::array(), json("form"), json(42), json(nullptr)}) {
        const LoadResult r = load(doc);
        const Problem p = onlyProblem(r, "", "load.expect_object");
        CHECK(p.format("f.json", Lang::En) == "f.json: /: must be an object");
    }
}

TEST_CASE("an unreadable file is one problem that names the file", "[loader]") {
    const LoadResult r = loadFormFile("/nonexistent/dir/missing_form.json");
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message(Lang::En).find("missing_form.json") != std::string::npos);
}

// ------------------------------------------------------------------ top level

TEST_CASE("a minimal form loads", "[loader]") {
    const LoadResult r = load(formWith({question("text", "nom")}));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.problems.empty());
    CHECK(r.form->id == "test_form");
    CHECK(r.form->version == "1");
    CHECK(r.form->questionCount() == 1);
}

TEST_CASE("required top-level properties", "[loader]") {
    for (const char* key : {"id", "version", "title", "pages", "languages", "default_language"}) {
        INFO(key);
        json doc = formWith({question("text", "a")});
        doc.erase(key);
        const LoadResult r = load(doc);
        // Without `languages`, the English texts are undeclared too: the missing property is what matters.
        const Problem p =
            std::string(key) == "languages" ? problemAt(r, "", "load.missing") : onlyProblem(r, "", "load.missing");
        REQUIRE(p.args.size() == 1);
        CHECK(p.args[0] == key);
        CHECK(p.message(Lang::En) == std::string("missing required property '") + key + "'");
    }
}

TEST_CASE("top-level values are checked", "[loader]") {
    SECTION("id must be a name") {
        json doc = formWith({question("text", "a")});
        doc["id"] = "porte à porte";
        onlyProblem(load(doc), "/id", "load.bad_name");
    }
    SECTION("version must be a non-empty string") {
        json doc = formWith({question("text", "a")});
        doc["version"] = "";
        onlyProblem(load(doc), "/version", "load.expect_string");
        doc["version"] = 3;
        onlyProblem(load(doc), "/version", "load.expect_string");
    }
    SECTION("languages must be a non-empty array of strings") {
        json doc = formWith({question("text", "a")});
        doc["languages"] = json::array();
        problemAt(load(doc), "/languages", "load.expect_array");
        doc["languages"] = {"fr", 3};
        problemAt(load(doc), "/languages/1", "load.expect_string");
    }
    SECTION("the default language must be declared") {
        json doc = formWith({question("text", "a")});
        doc["default_language"] = "de";
        const Problem p = problemAt(load(doc), "/default_language", "load.unknown_language");
        CHECK(p.args == std::vector<std::string>{"de"});
    }
    SECTION("settings must be an object") {
        json doc = formWith({question("text", "a")});
        doc["settings"] = "interview";
        onlyProblem(load(doc), "/settings", "load.expect_object");
    }
    SECTION("pages must be a non-empty array") {
        json doc = formWith({question("text", "a")});
        doc["pages"] = json::array();
        onlyProblem(load(doc), "/pages", "load.empty_pages");
        doc["pages"] = json::object();
        onlyProblem(load(doc), "/pages", "load.expect_array");
    }
}

TEST_CASE("an unknown property is an error, at any level", "[loader]") {
    SECTION("top level") {
        json doc = formWith({question("text", "a")});
        doc["titel"] = "typo";
        const Problem p = onlyProblem(load(doc), "/titel", "load.unknown_property");
        CHECK(p.message(Lang::En) == "unknown property 'titel'");
        CHECK(p.message(Lang::Fr) == "propriété inconnue « titel »");
    }
    SECTION("a page") {
        json doc = formWith({question("text", "a")});
        doc["pages"][0]["colour"] = "red";
        onlyProblem(load(doc), "/pages/0/colour", "load.unknown_property");
    }
    SECTION("a question") {
        json q = question("text", "a");
        q["lable"] = "typo";
        onlyProblem(load(formWith({q})), "/pages/0/children/0/lable", "load.unknown_property");
    }
    SECTION("a name with / and ~ is escaped in the pointer") {
        json q = question("text", "a");
        q["a/b~c"] = 1;
        onlyProblem(load(formWith({q})), "/pages/0/children/0/a~1b~0c", "load.unknown_property");
    }
    SECTION("a group, a repeat") {
        json g = {{"type", "group"}, {"name", "g"}, {"min_count", 1}, {"children", {question("text", "a")}}};
        json r = {{"type", "repeat"}, {"name", "r"}, {"label", "R"}, {"regex", "x"}, {"children", json::array()}};
        const LoadResult res = load(formWith({g, r}));
        problemAt(res, "/pages/0/children/0/min_count", "load.unknown_property");
        problemAt(res, "/pages/0/children/1/regex", "load.unknown_property");
        CHECK(res.problems.size() == 2);
    }
    SECTION("the $schema property is allowed and ignored") {
        json doc = formWith({question("text", "a")});
        doc["$schema"] = "../../schema/form.schema.json";
        CHECK(load(doc).ok());
    }
}

TEST_CASE("type-specific properties are refused on other types", "[loader]") {
    json onInteger = question("integer", "a");
    onInteger["regex"] = "[0-9]+";
    json onText = question("text", "b");
    onText["choices"] = json::array();
    json rangeOnDecimal = question("decimal", "c");
    rangeOnDecimal["start"] = 0;
    json filterOnDate = question("date", "d");
    filterOnDate["choice_filter"] = "x = 1";
    const LoadResult r = load(formWith({onInteger, onText, rangeOnDecimal, filterOnDate}));
    INFO(describe(r));
    CHECK(r.problems.size() == 4);
    problemAt(r, "/pages/0/children/0/regex", "load.unknown_property");
    problemAt(r, "/pages/0/children/1/choices", "load.unknown_property");
    problemAt(r, "/pages/0/children/2/start", "load.unknown_property");
    problemAt(r, "/pages/0/children/3/choice_filter", "load.unknown_property");
}

// ------------------------------------------------------------------ texts and languages

TEST_CASE("texts: a string or an object of declared languages with the default one", "[loader]") {
    SECTION("plain string") {
        json q = question("text", "a");
        q["label"] = "Marseille";
        const LoadResult r = load(formWith({q}));
        REQUIRE(r.ok());
        CHECK(r.form->find("a")->label.get("en", "fr") == "Marseille");
    }
    SECTION("missing default-language text") {
        json q = question("text", "a");
        q["label"] = {{"en", "Town"}};
        const Problem p =
            onlyProblem(load(formWith({q})), "/pages/0/children/0/label", "load.missing_default_language");
        CHECK(p.args == std::vector<std::string>{"fr"});
        CHECK(p.message(Lang::En) == "no text in the default language 'fr'");
    }
    SECTION("undeclared language") {
        json q = question("text", "a");
        q["hint"] = {{"fr", "Aide"}, {"de", "Hilfe"}};
        const Problem p = onlyProblem(load(formWith({q})), "/pages/0/children/0/hint/de", "load.unknown_language");
        CHECK(p.message(Lang::En) == "language 'de' is not declared in 'languages'");
    }
    SECTION("a translation that is not a string") {
        json q = question("text", "a");
        q["label"] = {{"fr", "Commune"}, {"en", 3}};
        onlyProblem(load(formWith({q})), "/pages/0/children/0/label/en", "load.expect_string");
    }
    SECTION("a text of the wrong shape") {
        json q = question("text", "a");
        q["constraint_message"] = json::array({"x"});
        onlyProblem(load(formWith({q})), "/pages/0/children/0/constraint_message", "load.expect_text");
    }
    SECTION("the title is a text too") {
        json doc = formWith({question("text", "a")});
        doc["title"] = {{"en", "Test"}};
        onlyProblem(load(doc), "/title", "load.missing_default_language");
    }
    SECTION("a missing translation falls back to the default language") {
        json q = question("text", "a");
        q["label"] = {{"fr", "Commune"}};
        const LoadResult r = load(formWith({q}));
        REQUIRE(r.ok());
        CHECK(r.form->find("a")->label.get("en", "fr") == "Commune");
    }
}

// ------------------------------------------------------------------ structure

TEST_CASE("an unknown type names the type", "[loader]") {
    const LoadResult r = load(formWith({question("textarea", "a")}));
    const Problem p = onlyProblem(r, "/pages/0/children/0/type", "load.unknown_type");
    CHECK(p.args == std::vector<std::string>{"textarea"});
    CHECK(p.message(Lang::En) == "unknown question type 'textarea'");
    CHECK(p.format("forms/x.json", Lang::En) ==
          "forms/x.json: /pages/0/children/0/type: unknown question type 'textarea'");
}

TEST_CASE("pages appear only at the top level, and the top level holds only pages", "[loader]") {
    SECTION("a page inside a page") {
        json inner = {{"type", "page"}, {"name", "p2"}, {"label", "P2"}, {"children", json::array()}};
        onlyProblem(load(formWith({inner})), "/pages/0/children/0/type", "load.page_nested");
    }
    SECTION("a page inside a group") {
        json inner = {{"type", "page"}, {"name", "p2"}, {"label", "P2"}, {"children", json::array()}};
        json group = {{"type", "group"}, {"name", "g"}, {"children", {inner}}};
        onlyProblem(load(formWith({group})), "/pages/0/children/0/children/0/type", "load.page_nested");
    }
    SECTION("a question at the top level") {
        json doc = formWith({question("text", "a")});
        doc["pages"].push_back(question("text", "b"));
        onlyProblem(load(doc), "/pages/1/type", "load.top_not_page");
    }
}

TEST_CASE("items must be objects with a type, and containers need children", "[loader]") {
    const LoadResult r =
        load(formWith({"a question", json{{"name", "x"}, {"label", "X"}}, json{{"type", "group"}, {"name", "g"}},
                       json{{"type", "repeat"}, {"name", "r"}, {"label", "R"}, {"children", "none"}}}));
    INFO(describe(r));
    CHECK(r.problems.size() == 4);
    problemAt(r, "/pages/0/children/0", "load.expect_object");
    CHECK(problemAt(r, "/pages/0/children/1", "load.missing").args == std::vector<std::string>{"type"});
    CHECK(problemAt(r, "/pages/0/children/2", "load.missing").args == std::vector<std::string>{"children"});
    problemAt(r, "/pages/0/children/3/children", "load.expect_array");
}

TEST_CASE("labels are required except on calculations, which need a calculation", "[loader]") {
    json noLabel = {{"type", "integer"}, {"name", "a"}};
    json calcNoLabel = {{"type", "calculate"}, {"name", "b"}, {"calculation", "1"}};
    json calcNoCalc = {{"type", "calculate"}, {"name", "c"}};
    json pageNoLabel = {{"type", "page"}, {"name", "p2"}, {"children", json::array()}};
    json repeatNoLabel = {{"type", "repeat"}, {"name", "r"}, {"children", json::array()}};
    json groupNoLabel = {{"type", "group"}, {"name", "g"}, {"children", json::array()}}; // groups may omit it
    json doc = formWith({noLabel, calcNoLabel, calcNoCalc, repeatNoLabel, groupNoLabel});
    doc["pages"].push_back(pageNoLabel);
    const LoadResult r = load(doc);
    INFO(describe(r));
    CHECK(r.problems.size() == 4);
    CHECK(problemAt(r, "/pages/0/children/3", "load.missing").args == std::vector<std::string>{"label"});
    CHECK(problemAt(r, "/pages/0/children/0", "load.missing").args == std::vector<std::string>{"label"});
    problemAt(r, "/pages/0/children/2", "load.value_needs_calculation");
    CHECK(problemAt(r, "/pages/1", "load.missing").args == std::vector<std::string>{"label"});
}

// ------------------------------------------------------------------ names

TEST_CASE("names are valid and unique across the whole form", "[loader]") {
    SECTION("invalid names") {
        const LoadResult r = load(formWith({question("text", "1abc"), question("text", "nom prénom"),
                                            question("text", "_ok"), question("text", "a-b.c_2")}));
        INFO(describe(r));
        CHECK(r.problems.size() == 2);
        problemAt(r, "/pages/0/children/0/name", "load.bad_name");
        problemAt(r, "/pages/0/children/1/name", "load.bad_name");
    }
    SECTION("a duplicate names where the name was first used") {
        const LoadResult r = load(formWith({question("text", "commune"), question("integer", "commune")}));
        const Problem p = onlyProblem(r, "/pages/0/children/1/name", "load.duplicate_name");
        CHECK(p.args == std::vector<std::string>{"commune", "/pages/0/children/0"});
        CHECK(p.message(Lang::En) == "duplicate name 'commune' (first used at /pages/0/children/0)");
    }
    SECTION("duplicates across pages, groups and repeats") {
        json doc = formWith({question("text", "a")});
        json repeat = {{"type", "repeat"}, {"name", "r"}, {"label", "R"}, {"children", {question("text", "a")}}};
        doc["pages"].push_back(
            json{{"type", "page"}, {"name", "p2"}, {"label", "P2"}, {"children", {repeat, question("text", "p1")}}});
        const LoadResult r = load(doc);
        INFO(describe(r));
        CHECK(r.problems.size() == 2);
        CHECK(problemAt(r, "/pages/1/children/0/children/0/name", "load.duplicate_name").args[1] ==
              "/pages/0/children/0");
        CHECK(problemAt(r, "/pages/1/children/1/name", "load.duplicate_name").args[1] == "/pages/0");
    }
    SECTION("a missing name") {
        json q = {{"type", "text"}, {"label", "X"}};
        CHECK(onlyProblem(load(formWith({q})), "/pages/0/children/0", "load.missing").args ==
              std::vector<std::string>{"name"});
    }
}

// ------------------------------------------------------------------ choices

TEST_CASE("choice lists and choices are checked", "[loader]") {
    SECTION("unknown choice list") {
        json q = question("select_one", "commune");
        q["choice_list"] = "comunes";
        const Problem p =
            onlyProblem(load(formWith({q})), "/pages/0/children/0/choice_list", "load.unknown_choice_list");
        CHECK(p.message(Lang::En) == "choice list 'comunes' does not exist");
    }
    SECTION("both or neither of choices and choice_list") {
        json doc = formWith({question("select_one", "a"), question("select_multiple", "b")});
        doc["choice_lists"] = {{"yn", {{{"value", "y"}, {"label", "Y"}}}}};
        doc["pages"][0]["children"][0]["choice_list"] = "yn";
        doc["pages"][0]["children"][0]["choices"] = {{{"value", "y"}, {"label", "Y"}}};
        const LoadResult r = load(doc);
        INFO(describe(r));
        CHECK(r.problems.size() == 2);
        problemAt(r, "/pages/0/children/0", "load.choices_both");
        problemAt(r, "/pages/0/children/1", "load.choices_missing");
    }
    SECTION("bad choices") {
        json q = question("select_one", "a");
        q["choices"] = {json{{"value", "x"}, {"label", "X"}},
                        json{{"value", "x"}, {"label", "X again"}},
                        json{{"value", " y"}, {"label", "Leading space"}},
                        json{{"label", "No value"}},
                        json{{"value", "w"}},
                        json{{"value", true}, {"label", "Bool"}},
                        json{{"value", "v"}, {"label", "V"}, {"area", json::array()}},
                        "not an object",
                        json{{"value", 3}, {"label", "Three"}, {"area", "nord"}, {"rank", 2}}};
        const LoadResult r = load(formWith({q}));
        INFO(describe(r));
        CHECK(r.problems.size() == 7);
        CHECK(problemAt(r, "/pages/0/children/0/choices/1/value", "load.duplicate_choice").args ==
              std::vector<std::string>{"x"});
        problemAt(r, "/pages/0/children/0/choices/2/value", "load.bad_name");
        CHECK(problemAt(r, "/pages/0/children/0/choices/3", "load.missing").args == std::vector<std::string>{"value"});
        CHECK(problemAt(r, "/pages/0/children/0/choices/4", "load.missing").args == std::vector<std::string>{"label"});
        problemAt(r, "/pages/0/children/0/choices/5/value", "load.expect_string");
        problemAt(r, "/pages/0/children/0/choices/6/area", "load.expect_string");
        problemAt(r, "/pages/0/children/0/choices/7", "load.expect_object");
    }
    SECTION("a value with a space: accepted for select_one, refused for select_multiple, as pyxform does") {
        json doc =
            formWith({json{{"type", "select_one"}, {"name", "barrier"}, {"label", "Barrier"}, {"choice_list", "kinds"}},
                      json{{"type", "select_one"}, {"name", "again"}, {"label", "Again"}, {"choice_list", "kinds"}}});
        doc["choice_lists"] = {{"kinds",
                                {{{"value", "cattle grid"}, {"label", "Cattle grid"}},
                                 {{"value", "gate"}, {"label", "Gate"}},
                                 {{"value", "lift gate"}, {"label", "Lift gate"}}}}};
        const LoadResult one = load(doc);
        INFO(describe(one));
        REQUIRE(one.ok());
        const ChoiceList& list = one.form->choiceLists[static_cast<std::size_t>(one.form->find("barrier")->choiceList)];
        CHECK(list.choices[0].value == "cattle grid");
        // Both select_multiple questions on the list: each value reported once, at the value.
        doc["pages"][0]["children"][0]["type"] = "select_multiple";
        doc["pages"][0]["children"][1]["type"] = "select_multiple";
        const LoadResult multiple = load(doc);
        INFO(describe(multiple));
        CHECK(multiple.problems.size() == 2);
        CHECK(problemAt(multiple, "/choice_lists/kinds/0/value", "load.space_in_multiple").args ==
              std::vector<std::string>{"cattle grid", "barrier"});
        problemAt(multiple, "/choice_lists/kinds/2/value", "load.space_in_multiple");
    }
    SECTION("choice list names are names") {
        json doc = formWith({question("text", "a")});
        doc["choice_lists"] = {{"oui non", {{{"value", "y"}, {"label", "Y"}}}}};
        onlyProblem(load(doc), "/choice_lists/oui non", "load.bad_name");
    }
    SECTION("integer values and extra columns are kept as text") {
        json q = question("select_one", "a");
        q["choices"] = json::array({json{{"value", 3}, {"label", "Three"}, {"area", "nord"}, {"rank", 2}}});
        const LoadResult r = load(formWith({q}));
        REQUIRE(r.ok());
        const ChoiceList& list = r.form->choiceLists[static_cast<std::size_t>(r.form->find("a")->choiceList)];
        REQUIRE(list.choices.size() == 1);
        CHECK(list.choices[0].value == "3");
        CHECK(list.choices[0].columns.at("area") == "nord");
        CHECK(list.choices[0].columns.at("rank") == "2");
        CHECK(list.find("3") == 0);
        CHECK(list.find("4") == -1);
    }
}

// ------------------------------------------------------------------ repeats and ranges

TEST_CASE("repeat counts and range bounds", "[loader]") {
    json repeat = {{"type", "repeat"}, {"name", "r"}, {"label", "R"}, {"children", {question("text", "a")}}};
    SECTION("max_count below min_count") {
        repeat["min_count"] = 3;
        repeat["max_count"] = 2;
        const Problem p = onlyProblem(load(formWith({repeat})), "/pages/0/children/0/max_count", "load.repeat_counts");
        CHECK(p.message(Lang::En) == "'max_count' must be at least 'min_count'");
    }
    SECTION("counts must be integers from 0 to 100000") {
        repeat["min_count"] = -1;
        repeat["max_count"] = 2.5;
        const LoadResult r = load(formWith({repeat}));
        CHECK(r.problems.size() == 2);
        problemAt(r, "/pages/0/children/0/min_count", "load.expect_number");
        problemAt(r, "/pages/0/children/0/max_count", "load.expect_number");
        repeat["min_count"] = 100001;
        repeat.erase("max_count");
        onlyProblem(load(formWith({repeat})), "/pages/0/children/0/min_count", "load.expect_number");
    }
    SECTION("range: end > start, step > 0, numbers") {
        json a = question("range", "a");
        a["start"] = 5;
        a["end"] = 5;
        json b = question("range", "b");
        b["step"] = 0;
        json c = question("range", "c");
        c["end"] = "10";
        const LoadResult r = load(formWith({a, b, c}));
        INFO(describe(r));
        CHECK(r.problems.size() == 3);
        problemAt(r, "/pages/0/children/0", "load.range_bounds");
        problemAt(r, "/pages/0/children/1", "load.range_bounds");
        problemAt(r, "/pages/0/children/2/end", "load.expect_number");
    }
}

// ------------------------------------------------------------------ regular expressions

TEST_CASE("regex patterns must compile", "[loader]") {
    SECTION("a text question's regex") {
        json q = question("text", "code");
        q["regex"] = "AMB-[0-9{3}";
        const Problem p = onlyProblem(load(formWith({q})), "/pages/0/children/0/regex", "load.bad_regex");
        CHECK(p.message(Lang::En).rfind("invalid regular expression: ", 0) == 0);
    }
    SECTION("a literal pattern of regex()") {
        json q = question("text", "code");
        q["constraint"] = "regex(., '(ab')";
        onlyProblem(load(formWith({q})), "/pages/0/children/0/constraint", "load.bad_regex");
    }
    SECTION("patterns are bounded in length (compiled memory grows with them)") {
        const std::string nested = std::string(600, '(') + "a" + std::string(600, ')');
        json q = question("text", "code");
        q["regex"] = nested;
        const Problem p = onlyProblem(load(formWith({q})), "/pages/0/children/0/regex", "load.regex_too_long");
        CHECK(p.message(Lang::En) == "regular expression too long (at most 1000 characters)");
        json r = question("text", "other");
        r["constraint"] = "regex(., '" + nested + "')";
        onlyProblem(load(formWith({r})), "/pages/0/children/0/constraint", "load.regex_too_long");
        json ok = question("text", "ok");
        ok["regex"] = std::string(300, '(') + "a" + std::string(300, ')');
        CHECK(load(formWith({ok})).ok());
    }
    SECTION("a regex that is not a string") {
        json q = question("text", "code");
        q["regex"] = 3;
        onlyProblem(load(formWith({q})), "/pages/0/children/0/regex", "load.expect_string");
    }
}

// ------------------------------------------------------------------ expressions

TEST_CASE("an expression syntax error gives the column", "[loader]") {
    json q = question("text", "adresse");
    q["constraint"] = "count(lenght(.)) > 3";
    const Problem p = onlyProblem(load(formWith({q})), "/pages/0/children/0/constraint", "load.expr");
    REQUIRE_FALSE(p.args.empty());
    CHECK(p.args[0] == "7");
    CHECK(p.message(Lang::En) == "column 7: unknown function 'lenght'");
    CHECK(p.message(Lang::Fr) == "colonne 7 : fonction inconnue « lenght »");
    CHECK(p.format("forms/x.json", Lang::En) ==
          "forms/x.json: /pages/0/children/0/constraint: column 7: unknown function 'lenght'");
}

TEST_CASE("every expression property is parsed and located", "[loader]") {
    json q = question("integer", "a");
    q["relevant"] = "1 +";
    q["required"] = "(1";
    q["read_only"] = "1 2";
    q["constraint"] = "";
    json c = {{"type", "calculate"}, {"name", "c"}, {"calculation", "if(1, 2)"}};
    json s = question("select_one", "s");
    s["choices"] = {{{"value", "x"}, {"label", "X"}}};
    s["choice_filter"] = "area = ";
    json r = {{"type", "repeat"},
              {"name", "r"},
              {"label", "R"},
              {"repeat_count", "$x"},
              {"children", {question("text", "t")}}};
    const LoadResult res = load(formWith({q, c, s, r}));
    INFO(describe(res));
    CHECK(res.problems.size() == 7);
    CHECK(problemAt(res, "/pages/0/children/0/relevant", "load.expr").message(Lang::En) ==
          "column 4: unexpected end of expression");
    CHECK(problemAt(res, "/pages/0/children/0/required", "load.expr").message(Lang::En) == "column 3: expected ')'");
    CHECK(problemAt(res, "/pages/0/children/0/read_only", "load.expr").message(Lang::En) == "column 3: unexpected '2'");
    CHECK(problemAt(res, "/pages/0/children/0/constraint", "load.expr").message(Lang::En) ==
          "column 1: empty expression");
    CHECK(problemAt(res, "/pages/0/children/1/calculation", "load.expr").message(Lang::En) ==
          "column 1: if() takes 3 argument(s)");
    CHECK(problemAt(res, "/pages/0/children/2/choice_filter", "load.expr").message(Lang::En) ==
          "column 8: unexpected end of expression");
    CHECK(problemAt(res, "/pages/0/children/3/repeat_count", "load.expr").message(Lang::En) ==
          "column 1: unexpected character '$'");
}

TEST_CASE("required and read_only take a boolean, an XLSForm spelling or an expression", "[loader]") {
    json a = question("text", "a");
    a["required"] = true;
    json b = question("text", "b");
    b["required"] = "yes";
    b["read_only"] = "true()";
    json c = question("text", "c");
    c["required"] = "${a} = 'x'";
    c["read_only"] = "no";
    json d = question("text", "d");
    d["required"] = 1;
    const LoadResult bad = load(formWith({a, b, c, d}));
    onlyProblem(bad, "/pages/0/children/3/required", "load.expect_expr");

    const LoadResult r = load(formWith({a, b, c}));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.form->find("a")->requiredAlways);
    CHECK(r.form->find("b")->requiredAlways);
    CHECK(r.form->find("b")->readOnlyAlways);
    CHECK_FALSE(r.form->find("c")->requiredAlways);
    CHECK(r.form->find("c")->required.has_value());
    CHECK_FALSE(r.form->find("c")->readOnlyAlways);
}

TEST_CASE("bare names are choice columns, allowed only in choice_filter", "[loader]") {
    json q = question("integer", "a");
    q["relevant"] = "commune = 'x'";
    const Problem p = onlyProblem(load(formWith({q})), "/pages/0/children/0/relevant", "load.expr");
    CHECK(p.message(Lang::En) == "column 1: 'commune' is not a field reference: write ${commune}");

    json s = question("select_one", "s");
    s["choices"] = {{{"value", "x"}, {"label", "X"}, {"commune", "aix"}}};
    s["choice_filter"] = "commune = 'aix'";
    CHECK(load(formWith({s})).ok());
}

TEST_CASE("every ${name} must exist, in expressions and in labels", "[loader]") {
    json a = question("integer", "a");
    a["relevant"] = "${nope} = 1";
    json b = question("text", "b");
    b["label"] = {{"fr", "Membre n° ${rang}"}, {"en", "Member no. ${a}"}};
    json c = {{"type", "calculate"}, {"name", "c"}, {"calculation", "${a} + ${missing}"}};
    json d = question("text", "d");
    d["hint"] = "Voir ${aide}";
    const LoadResult r = load(formWith({a, b, c, d}));
    INFO(describe(r));
    CHECK(r.problems.size() == 4);
    CHECK(problemAt(r, "/pages/0/children/3/hint", "load.unknown_ref").args == std::vector<std::string>{"aide"});
    const Problem p = problemAt(r, "/pages/0/children/0/relevant", "load.unknown_ref");
    CHECK(p.args == std::vector<std::string>{"nope"});
    CHECK(p.message(Lang::En) == "unknown field 'nope'");
    CHECK(problemAt(r, "/pages/0/children/1/label", "load.unknown_ref").args == std::vector<std::string>{"rang"});
    CHECK(problemAt(r, "/pages/0/children/2/calculation", "load.unknown_ref").args ==
          std::vector<std::string>{"missing"});
}

TEST_CASE("position(..) only inside a repeat", "[loader]") {
    json outside = {{"type", "calculate"}, {"name", "n"}, {"calculation", "position(..)"}};
    const Problem p = onlyProblem(load(formWith({outside})), "/pages/0/children/0/calculation", "load.not_in_repeat");
    CHECK(p.message(Lang::En) == "position(..) only makes sense inside a repeat");

    // A repeat's own relevant is evaluated outside its instances.
    json repeatRelevant = {{"type", "repeat"},
                           {"name", "r"},
                           {"label", "R"},
                           {"relevant", "position(..) > 1"},
                           {"children", {question("text", "t")}}};
    onlyProblem(load(formWith({repeatRelevant})), "/pages/0/children/0/relevant", "load.not_in_repeat");

    json inside = {{"type", "repeat"},
                   {"name", "r"},
                   {"label", "R"},
                   {"children",
                    {json{{"type", "calculate"}, {"name", "rank"}, {"calculation", "position(..)"}},
                     json{{"type", "group"},
                          {"name", "g"},
                          {"relevant", "position(..) > 1 and position(..) < 5"},
                          {"children", {question("text", "t")}}}}}};
    const LoadResult ok = load(formWith({inside}));
    INFO(describe(ok));
    CHECK(ok.ok());

    // Reported once per expression, even when position(..) appears twice.
    json twice = {{"type", "calculate"}, {"name", "n"}, {"calculation", "position(..) + position(..)"}};
    onlyProblem(load(formWith({twice})), "/pages/0/children/0/calculation", "load.not_in_repeat");
}

// ------------------------------------------------------------------ defaults

TEST_CASE("defaults are valid answers, stored normalised", "[loader]") {
    SECTION("bad defaults") {
        json a = question("integer", "a");
        a["default"] = 4.5;
        json b = question("select_one", "b");
        b["choices"] = {{{"value", "x"}, {"label", "X"}}};
        b["default"] = "y";
        json c = question("phone", "c");
        c["default"] = "12";
        json d = question("date", "d");
        d["default"] = "2026-02-30";
        json e = question("note", "e");
        e["default"] = "x";
        const LoadResult r = load(formWith({a, b, c, d, e}));
        INFO(describe(r));
        CHECK(r.problems.size() == 5);
        CHECK(problemAt(r, "/pages/0/children/0/default", "load.bad_default").message(Lang::En) ==
              "invalid default value: Enter a whole number.");
        CHECK(problemAt(r, "/pages/0/children/1/default", "load.bad_default").message(Lang::En) ==
              "invalid default value: Unknown choice: 'y'.");
        problemAt(r, "/pages/0/children/2/default", "load.bad_default");
        problemAt(r, "/pages/0/children/3/default", "load.bad_default");
        problemAt(r, "/pages/0/children/4/default", "load.bad_default");
    }
    SECTION("good defaults are normalised") {
        json a = question("integer", "a");
        a["default"] = "4";
        json b = question("date", "b");
        b["default"] = "25/11/2026";
        json c = question("phone", "c");
        c["default"] = "06 12 34 56 78";
        json d = question("text", "d");
        d["default"] = "";
        const LoadResult r = load(formWith({a, b, c, d}));
        INFO(describe(r));
        REQUIRE(r.ok());
        CHECK(r.form->find("a")->defaultValue == 4);
        CHECK(r.form->find("b")->defaultValue == "2026-11-25");
        CHECK(r.form->find("c")->defaultValue == "+33612345678");
        CHECK(r.form->find("d")->defaultValue.is_null());
    }
}

// ------------------------------------------------------------------ cycles

TEST_CASE("a cycle between calculations is refused and shown", "[loader]") {
    SECTION("two calculations") {
        json a = {{"type", "calculate"}, {"name", "a"}, {"calculation", "${b} + 1"}};
        json b = {{"type", "calculate"}, {"name", "b"}, {"calculation", "${a} + 1"}};
        const LoadResult r = load(formWith({a, b}));
        REQUIRE(r.problems.size() == 1);
        const Problem& p = r.problems[0];
        CHECK(p.key == "load.cycle");
        REQUIRE(p.args.size() == 1);
        CHECK((p.args[0] == "a -> b -> a" || p.args[0] == "b -> a -> b"));
        CHECK(p.message(Lang::En) == "cycle between calculations: " + p.args[0]);
        CHECK((p.pointer == "/pages/0/children/0" || p.pointer == "/pages/0/children/1"));
    }
    SECTION("a calculation that uses itself") {
        json a = {{"type", "calculate"}, {"name", "a"}, {"calculation", "${a} + 1"}};
        const Problem p = onlyProblem(load(formWith({a})), "/pages/0/children/0", "load.cycle");
        CHECK(p.args == std::vector<std::string>{"a -> a"});
    }
    SECTION("relevance and calculations") {
        json q = question("integer", "q");
        q["relevant"] = "${total} > 0";
        json total = {{"type", "calculate"}, {"name", "total"}, {"calculation", "coalesce(${q}, 0) + 1"}};
        const LoadResult r = load(formWith({q, total}));
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].key == "load.cycle");
        CHECK(r.problems[0].args[0].find("q") != std::string::npos);
        CHECK(r.problems[0].args[0].find("total") != std::string::npos);
    }
    SECTION("only the loop is shown, not what hangs off it") {
        json a = {{"type", "calculate"}, {"name", "a"}, {"calculation", "${c} + 1"}};
        json b = {{"type", "calculate"}, {"name", "b"}, {"calculation", "${c} + 1"}};
        json c = {{"type", "calculate"}, {"name", "c"}, {"calculation", "${b} * 2"}};
        const LoadResult r = load(formWith({a, b, c}));
        REQUIRE(r.problems.size() == 1);
        const std::string loop = r.problems[0].args.at(0);
        CHECK(loop.find('a') == std::string::npos);
        CHECK((loop == "b -> c -> b" || loop == "c -> b -> c"));
    }
    SECTION("constraints and required may refer to anything, even themselves") {
        json q = question("integer", "q");
        q["constraint"] = ". = ${q} and ${r} >= 0";
        json r = question("integer", "r");
        r["required"] = "${q} > 0";
        CHECK(load(formWith({q, r})).ok());
    }
}

// ------------------------------------------------------------------ several problems

TEST_CASE("several problems are all reported at once", "[loader]") {
    json doc = formWith({});
    doc["colour"] = "blue";
    json& children = doc["pages"][0]["children"];
    children.push_back(question("textarea", "a"));
    children.push_back(question("text", "b b"));
    json c = question("integer", "c");
    c["constraint"] = ". > 0 and lenght(.) < 3";
    children.push_back(c);
    json d = question("select_one", "d");
    d["choice_list"] = "missing";
    children.push_back(d);
    json e = question("text", "e");
    e["regex"] = "(";
    e["label"] = {{"en", "E"}};
    children.push_back(e);
    children.push_back(question("text", "e"));
    json f = question("range", "f");
    f["step"] = -1;
    children.push_back(f);

    const LoadResult r = load(doc);
    INFO(describe(r));
    CHECK(r.problems.size() == 9);
    problemAt(r, "/colour", "load.unknown_property");
    problemAt(r, "/pages/0/children/0/type", "load.unknown_type");
    problemAt(r, "/pages/0/children/1/name", "load.bad_name");
    CHECK(problemAt(r, "/pages/0/children/2/constraint", "load.expr").args[0] == "11");
    problemAt(r, "/pages/0/children/3/choice_list", "load.unknown_choice_list");
    problemAt(r, "/pages/0/children/4/regex", "load.bad_regex");
    problemAt(r, "/pages/0/children/4/label", "load.missing_default_language");
    problemAt(r, "/pages/0/children/5/name", "load.duplicate_name");
    problemAt(r, "/pages/0/children/6", "load.range_bounds");
    CHECK(r.form == nullptr);
}

TEST_CASE("reference problems are all reported together too", "[loader]") {
    json a = question("integer", "a");
    a["relevant"] = "${x} = 1";
    a["constraint"] = "regex(., '[')";
    json b = {{"type", "calculate"}, {"name", "b"}, {"calculation", "position(..) + ${y}"}};
    json c = question("note", "c");
    c["label"] = "${z}";
    const LoadResult r = load(formWith({a, b, c}));
    INFO(describe(r));
    CHECK(r.problems.size() == 5);
    problemAt(r, "/pages/0/children/0/relevant", "load.unknown_ref");
    problemAt(r, "/pages/0/children/0/constraint", "load.bad_regex");
    problemAt(r, "/pages/0/children/1/calculation", "load.unknown_ref");
    problemAt(r, "/pages/0/children/1/calculation", "load.not_in_repeat");
    problemAt(r, "/pages/0/children/2/label", "load.unknown_ref");
}

// ------------------------------------------------------------------ the loaded model

TEST_CASE("the loaded form: items, scopes, repeats and the dependency graph", "[loader]") {
    json doc = formWith(
        {question("integer", "nb"),
         json{
             {"type", "group"}, {"name", "g"}, {"relevant", "${nb} > 0"}, {"children", {question("text", "in_group")}}},
         json{{"type", "repeat"},
              {"name", "membres"},
              {"label", "Membres"},
              {"repeat_count", "${nb}"},
              {"children",
               {question("text", "prenom"), json{{"type", "repeat"},
                                                 {"name", "trajets"},
                                                 {"label", "Trajets"},
                                                 {"children", {question("decimal", "km")}}}}}},
         json{{"type", "calculate"}, {"name", "total_km"}, {"calculation", "sum(${km})"}}});
    doc["settings"] = {{"kind", "interview"}};
    doc["choice_lists"] = {{"yn", {{{"value", "y"}, {"label", "Y"}}}}};
    const LoadResult r = load(doc);
    INFO(describe(r));
    REQUIRE(r.ok());
    const Form& f = *r.form;
    CHECK(f.settings == json{{"kind", "interview"}});
    CHECK(f.languages == std::vector<std::string>{"fr", "en"});
    CHECK(f.defaultLanguage == "fr");
    CHECK(f.title.get("en", "fr") == "Test");
    REQUIRE(f.pages.size() == 1);
    CHECK(f.items[static_cast<std::size_t>(f.pages[0])].name == "p1");
    CHECK(f.questionCount() == 4);
    CHECK(f.find("nope") == nullptr);
    for (std::size_t i = 0; i < f.items.size(); ++i)
        CHECK(f.items[i].index == static_cast<int>(i));

    const Item& inGroup = *f.find("in_group");
    CHECK(f.items[static_cast<std::size_t>(inGroup.parent)].name == "g");
    CHECK(inGroup.repeat == -1);
    CHECK(inGroup.pointer == "/pages/0/children/1/children/0");

    const Item& membres = *f.find("membres");
    const Item& trajets = *f.find("trajets");
    const Item& km = *f.find("km");
    CHECK(membres.depth == 0);
    CHECK(trajets.depth == 1);
    CHECK(trajets.repeat == membres.index);
    CHECK(km.depth == 2);
    CHECK(km.repeatPath == std::vector<int>{membres.index, trajets.index});
    CHECK(membres.repeatCount.has_value());
    // Stored slots: answers are flat except inside repeats.
    CHECK(f.repeatSlots.at(membres.index).size() == 2); // prenom, trajets
    CHECK(f.repeatSlots.at(trajets.index) == std::vector<int>{km.index});
    CHECK(std::find(f.rootSlots.begin(), f.rootSlots.end(), inGroup.index) != f.rootSlots.end());
    CHECK(std::find(f.rootSlots.begin(), f.rootSlots.end(), km.index) == f.rootSlots.end());
    // The graph: total_km depends on km; membres on nb; everything in g on g.
    const Item& total = *f.find("total_km");
    const Item& nb = *f.find("nb");
    CHECK(std::find(km.dependents.begin(), km.dependents.end(), total.index) != km.dependents.end());
    CHECK(std::find(nb.dependents.begin(), nb.dependents.end(), membres.index) != nb.dependents.end());
    CHECK(km.rank < total.rank);
    CHECK(nb.rank < membres.rank);
    CHECK(std::find(membres.descendants.begin(), membres.descendants.end(), km.index) != membres.descendants.end());
    CHECK_FALSE(f.canonicalJson.empty());
    CHECK(json::parse(f.canonicalJson) == doc);
    // ${ref} nodes are bound to item indexes.
    bool bound = false;
    forEachNode(*total.calculation->root, [&](const Expr& e) {
        if (e.kind == Expr::Kind::Ref) bound = e.target == km.index;
    });
    CHECK(bound);
}

TEST_CASE("type names round-trip", "[loader]") {
    for (const char* name :
         {"page",     "group", "repeat",    "text",     "integer", "decimal", "select_one",  "select_multiple",
          "date",     "time",  "datetime",  "phone",    "email",   "note",    "acknowledge", "range",
          "geopoint", "photo", "signature", "calculate"}) {
        INFO(name);
        const auto type = parseTypeName(name);
        REQUIRE(type.has_value());
        CHECK(typeName(*type) == name);
    }
    CHECK_FALSE(parseTypeName("textarea"));
    CHECK(isContainer(ItemType::Repeat));
    CHECK_FALSE(isContainer(ItemType::Note));
    CHECK(isAnswerable(ItemType::Acknowledge));
    CHECK_FALSE(isAnswerable(ItemType::Note));
    CHECK_FALSE(isAnswerable(ItemType::Calculate));
    CHECK_FALSE(isAnswerable(ItemType::Group));
}

// ------------------------------------------------------------------ translations used by the engine

TEST_CASE("every message key used by the engine is in the translation table", "[loader][i18n]") {
    const std::filesystem::path root = CARNET_SOURCE_DIR;
    const std::regex keyLiteral(R"re("((?:cli|expr|forms|load)\.[a-z_.]+[a-z_])")re");
    std::set<std::string> used;
    for (const char* dir : {"forms/src", "forms/tools", "core/src"}) {
        for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
            if (entry.path().extension() != ".cpp" || entry.path().filename() == "i18n.cpp") continue;
            std::ifstream in(entry.path());
            std::stringstream text;
            text << in.rdbuf();
            const std::string source = text.str();
            for (std::sregex_iterator it(source.begin(), source.end(), keyLiteral), end; it != end; ++it)
                used.insert((*it)[1].str());
        }
    }
    REQUIRE(used.size() > 30);
    for (const auto& key : used) {
        INFO(key);
        CHECK(carnet::hasTranslation(key));
    }
}

TEST_CASE("'personal' marks questions holding personal data, and must be a boolean", "[loader]") {
    json nom = question("text", "nom");
    nom["personal"] = true;
    json tel = question("text", "telephone");
    tel["personal"] = "yes";
    const LoadResult ok = load(formWith({nom, question("integer", "nb")}));
    INFO(describe(ok));
    REQUIRE(ok.ok());
    REQUIRE(ok.form->find("nom"));
    REQUIRE(ok.form->find("nb"));
    CHECK(ok.form->find("nom")->personal);
    CHECK_FALSE(ok.form->find("nb")->personal);
    onlyProblem(load(formWith({tel})), "/pages/0/children/0/personal", "load.expect_bool");
}

// ------------------------------------------------------------------ nesting limits (issue 17, finding 1)

namespace {

// A form whose page holds groups nested `depth` deep, as text (a parsed tree that deep could not even
// be written back out before the limit: dump() recurses).
std::string nestedGroups(int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
        open += R"({"type":"group","name":"g)" + std::to_string(i) + R"(","children":[)";
        close += "]}";
    }
    return R"({"id":"deep","version":"1","title":"Deep","default_language":"fr","languages":["fr"],)"
           R"("pages":[{"type":"page","name":"p","label":"P","children":[)" +
           open + R"({"type":"text","name":"q","label":"Q"})" + close + "]}]}";
}

} // namespace

TEST_CASE("groups nested 20,000 deep are refused with the path where the limit is crossed", "[loader][limits]") {
    const LoadResult r = loadForm(nestedGroups(20000));
    INFO(describe(r));
    REQUIRE(r.problems.size() == 1);
    const Problem p = r.problems.front();
    CHECK(p.key == "load.too_deep");
    // The JSON path of the first container past the limit: the page, then groups inside groups.
    CHECK(p.pointer.rfind("/pages/0/children/0/children/0/children/0/", 0) == 0);
    CHECK(std::count(p.pointer.begin(), p.pointer.end(), '/') == kMaxFormJsonDepth);
    CHECK(p.format("deep.json", Lang::En).rfind("deep.json: /pages/0/children/0/", 0) == 0);
    CHECK(p.message(Lang::En) == "arrays and objects nested deeper than 128 levels");
    CHECK(p.message(Lang::Fr) == "tableaux et objets imbriqués sur plus de 128 niveaux");
}

TEST_CASE("a value nested 100,000 deep is refused before it is parsed", "[loader][limits]") {
    const std::string text =
        R"({"id":"deep","version":"1","x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    const LoadResult r = loadForm(text);
    std::string ptr = "/x";
    for (int i = 1; i < kMaxFormJsonDepth; ++i)
        ptr += "/0";
    onlyProblem(r, ptr, "load.too_deep");
}

TEST_CASE("groups and repeats nest at most 32 deep, within the JSON depth", "[loader][limits]") {
    CHECK(loadForm(nestedGroups(kMaxItemNesting)).ok());
    const LoadResult r = loadForm(nestedGroups(kMaxItemNesting + 1));
    std::string ptr = "/pages/0";
    for (int i = 0; i <= kMaxItemNesting; ++i)
        ptr += "/children/0";
    const Problem p = onlyProblem(r, ptr, "load.too_nested");
    CHECK(p.message(Lang::En) == "groups and repeats nested deeper than 32 levels");
}

TEST_CASE("a parsed document deeper than the limit is refused before it is walked", "[loader][limits]") {
    json doc = json::array();
    for (int i = 0; i < 20000; ++i)
        doc = json::array({std::move(doc)});
    json form = formWith(json::array({question("text", "q")}));
    form["x"] = std::move(doc);
    onlyProblem(load(form), "", "load.too_deep");
}

TEST_CASE("a form text over 8 MiB is refused before it is parsed", "[loader][limits]") {
    const std::string text = "{\"id\":\"big\",\"x\":\"" + std::string(kMaxFormBytes, 'x') + "\"}";
    const LoadResult r = loadForm(text);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems.front().key == "load.too_large");
    CHECK(r.problems.front().message(Lang::En) == "the file is over 8 MiB");
}
