// XLSForm import: real .xlsx files, built here with libzip from sheet XML or read from the workbooks
// that scripts/make-xlsform-samples.py writes, imported, checked by the loader and filled in a session.
#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"
#include "temp_dir.hpp"
#include "xlsform/import.hpp"
#include "xlsform/xlsx.hpp"
#include "xlsx_writer.hpp"

#include <catch2/catch.hpp>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace carnet::xlsform;
using carnet::Lang;
using nlohmann::json;

namespace {

const std::filesystem::path kSource(CARNET_SOURCE_DIR);

using carnet::test::kMainNs;
using carnet::test::kRelNs;
using carnet::test::Parts;
using carnet::test::Rows;
using carnet::test::rowsXml;
using carnet::test::workbookParts;
using carnet::test::xlsx;
using carnet::test::zipBytes;

const Rows kSettings{{"form_id", "version"}, {"essai", "1"}};

ImportResult importRows(const Rows& survey, const Rows& choices = {}, const Rows& settings = kSettings) {
    return importXlsform(xlsx(survey, choices, settings), "essai");
}

std::string report(const ImportResult& r, Lang lang = Lang::En) {
    std::string out;
    for (const auto& m : r.messages)
        out += m.format("f.xlsx", lang) + "\n";
    return out;
}

std::string readFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The ids of the items directly in a JSON container.
std::vector<std::string> childNames(const nlohmann::ordered_json& container) {
    std::vector<std::string> out;
    for (const auto& c : container["children"])
        out.push_back(c["name"].get<std::string>());
    return out;
}

} // namespace

// ------------------------------------------------------------------ reading .xlsx

TEST_CASE("cell references: letters to columns and back", "[xlsx]") {
    CHECK(parseCellRef("A1")->column == 1);
    CHECK(parseCellRef("A1")->row == 1);
    CHECK(parseCellRef("Z9")->column == 26);
    CHECK(parseCellRef("AA10")->column == 27);
    CHECK(parseCellRef("AB12")->column == 28);
    CHECK(parseCellRef("AB12")->row == 12);
    CHECK(parseCellRef("XFD1048576")->column == 16384);
    CHECK(parseCellRef("XFD1048576")->row == 1048576);
    for (const char* bad : {"", "A", "1", "A0", "1A", "a1", "$A$1", "A1B", "XFE1", "A1048577", "AAAA1"})
        CHECK_FALSE(parseCellRef(bad).has_value());
    for (int c = 1; c <= 16384; ++c) {
        const auto ref = parseCellRef(columnLetters(c) + "7");
        REQUIRE(ref.has_value());
        REQUIRE(ref->column == c);
    }
    CHECK(columnLetters(703) == "AAA");
}

TEST_CASE("a workbook: shared, rich and inline strings, numbers, booleans, formulas, missing references", "[xlsx]") {
    const std::string sst = std::string("<sst xmlns=\"") + kMainNs +
                            "\"><si><t>type</t></si><si><r><t>na</t></r><r><rPr/><t>me</t></r>"
                            "<rPh><t>ignored</t></rPh></si><si><t xml:space=\"preserve\"> Prénom </t></si></sst>";
    // Row 1 with shared strings, row 3 with no "r" on its cells, then a row without "r" (row 4), a
    // namespaced row (row 7) and a row of empty cells.
    const std::string sheet1 = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
                               "<row r=\"3\"><c t=\"s\"><v>2</v></c><c><v>42.5</v></c><c t=\"b\"><v>1</v></c>"
                               "<c t=\"str\"><f>A1</f><v>calc</v></c><c t=\"e\"><v>#N/A</v></c></row>"
                               "<row><c r=\"B4\" t=\"inlineStr\"><is><t>en ligne</t></is></c></row>"
                               "<x:row r=\"7\" xmlns:x=\"http://x\"><x:c r=\"AB7\"><x:v>7</x:v></x:c></x:row>"
                               "<row r=\"9\"><c r=\"A9\"/><c r=\"B9\" t=\"s\"/></row>";
    Parts parts{
        {"xl/workbook.xml", std::string("<workbook xmlns=\"") + kMainNs + "\" xmlns:r=\"" + kRelNs +
                                "\"><sheets><sheet name=\"Survey\" sheetId=\"5\" r:id=\"rIdB\"/>"
                                "<sheet name=\"vide\" sheetId=\"1\" r:id=\"rIdA\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rIdA\" Target=\"/xl/worksheets/empty.xml\"/>"
         "<Relationship Id=\"rIdB\" Target=\"./worksheets/../worksheets/data.xml\"/></Relationships>"},
        {"xl/sharedStrings.xml", sst},
        {"xl/worksheets/data.xml",
         std::string("<worksheet xmlns=\"") + kMainNs + "\"><sheetData>" + sheet1 + "</sheetData></worksheet>"},
        {"xl/worksheets/empty.xml", std::string("<worksheet xmlns=\"") + kMainNs + "\"><sheetData/></worksheet>"},
    };
    Workbook wb;
    XlsxError err;
    REQUIRE(readWorkbook(zipBytes(parts), wb, err));
    REQUIRE(wb.sheets.size() == 2);
    CHECK(wb.sheets[0].name == "Survey");
    CHECK(wb.sheets[1].name == "vide");
    CHECK(wb.sheets[1].rows.empty());
    REQUIRE(wb.find("survey") == &wb.sheets[0]);
    const Sheet& s = wb.sheets[0];
    CHECK(s.cell(1, 1) == "type");
    CHECK(s.cell(1, 2).empty());
    CHECK(s.cell(1, 3) == "name");
    CHECK(s.cell(3, 1) == " Prénom ");
    CHECK(s.cell(3, 2) == "42.5");
    CHECK(s.cell(3, 3) == "TRUE");
    CHECK(s.cell(3, 4) == "calc");
    CHECK(s.cell(3, 5) == "#N/A");
    CHECK(s.cell(4, 2) == "en ligne");
    CHECK(s.cell(7, 28) == "7");
    CHECK(s.rows.count(2) == 0);
    CHECK(s.rows.count(9) == 0);
}

TEST_CASE("unreadable workbooks are refused with the part and the reason", "[xlsx]") {
    Workbook wb;
    XlsxError err;
    CHECK_FALSE(readWorkbook("this is not a zip file at all", wb, err));
    CHECK(err.key == "xlsform.not_zip");

    CHECK_FALSE(readWorkbook(zipBytes({{"hello.txt", "hi"}}), wb, err));
    CHECK(err.key == "xlsform.missing_part");
    CHECK(err.args.at(0) == "xl/workbook.xml");

    auto parts = workbookParts({{"survey", rowsXml({{"type"}})}});
    parts[0].second = "<worksheet><sheetData><row></sheetData>";
    CHECK_FALSE(readWorkbook(zipBytes(parts), wb, err));
    CHECK(err.key == "xlsform.bad_xml");
    CHECK(err.args.at(0) == "xl/worksheets/sheet1.xml");

    parts = workbookParts({{"survey", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>3</v></c></row>"}});
    CHECK_FALSE(readWorkbook(zipBytes(parts), wb, err));
    CHECK(err.key == "xlsform.bad_shared_string");
    CHECK(err.args.at(1) == "A1");

    parts = workbookParts({{"survey", "<row r=\"2\"><c r=\"A3\"><v>1</v></c></row>"}});
    CHECK_FALSE(readWorkbook(zipBytes(parts), wb, err));
    CHECK(err.key == "xlsform.bad_cell_ref");
    CHECK(err.args.at(1) == "A3");

    const ImportResult r = importXlsform("PK\x03\x04 truncated", "x");
    REQUIRE(r.messages.size() == 1);
    CHECK_FALSE(r.ok());
    CHECK(r.messages[0].format("x.xlsx", Lang::En).rfind("x.xlsx: error: this file is not a readable .xlsx", 0) == 0);
}

// ------------------------------------------------------------------ the sample workbooks

TEST_CASE("the French door-to-door mobility interview imports, loads and fills in", "[xlsform][sample]") {
    const ImportResult r = importXlsformFile(kSource / "assets" / "xlsform" / "enquete_mobilite.xlsx");
    INFO(report(r));
    REQUIRE(r.ok());
    // Its start, end and today metadata rows are captured as calculations, without a word.
    CHECK(r.messages.empty());
    const auto& j = r.json;
    CHECK(j["id"] == "enquete_mobilite");
    CHECK(j["version"] == "2026112601"); // a number cell, kept as written
    CHECK(j["title"] == "Enquête mobilité porte-à-porte");
    CHECK(j["default_language"] == "fr");
    CHECK(j["languages"] == json::array({"fr", "en"}));
    CHECK(j["settings"]["instance_name"] == "concat(${commune}, ' – ', ${adresse})");
    // Top-level groups are pages; the top-level repeat gets a page of its own, titled by the form.
    REQUIRE(j["pages"].size() == 3);
    CHECK(j["pages"][0]["name"] == "p_logement");
    CHECK(j["pages"][0]["label"]["en"] == "The household");
    // The metadata calculations (start, end, today, named debut, fin, jour) join the first page.
    CHECK(childNames(j["pages"][0]) == std::vector<std::string>{"debut", "fin", "jour", "commune", "quartier",
                                                                "adresse", "nb_personnes", "nb_voitures", "a_velo"});
    CHECK(j["pages"][0]["children"][0]["calculation"] == "carnet:property('start')");
    CHECK(j["pages"][0]["children"][1]["calculation"] == "now()");
    CHECK(j["pages"][1]["name"] == "page_1");
    CHECK(j["pages"][1]["label"] == "Enquête mobilité porte-à-porte");
    CHECK(childNames(j["pages"][1]) == std::vector<std::string>{"membres"});
    const auto& membres = j["pages"][1]["children"][0];
    CHECK(membres["repeat_count"] == "${nb_personnes}");
    CHECK(childNames(membres) ==
          std::vector<std::string>{"rang", "prenom", "age", "mode_principal", "autres_modes", "distance_km"});
    const auto& quartier = j["pages"][0]["children"][4];
    CHECK(quartier["choice_list"] == "quartier");
    CHECK(quartier["choice_filter"] == "commune = ${commune}");
    CHECK(quartier["required"] == true);
    CHECK(j["choice_lists"]["quartier"][0] ==
          nlohmann::ordered_json::parse(
              R"({"value": "aix_centre", "label": {"fr": "Centre-ville", "en": "Town centre"}, "commune": "aix"})"));
    const auto& nbPersonnes = j["pages"][0]["children"][6];
    CHECK(nbPersonnes["constraint_message"]["en"] == "Between 1 and 20 people.");
    CHECK(j["pages"][0]["children"][7]["default"] == "0");
    const auto& fin = j["pages"][2];
    CHECK(fin["children"][1]["type"] == "range");
    CHECK(fin["children"][1]["end"] == 10);
    CHECK(fin["children"][4]["type"] == "photo");

    // The same JSON text loads with the plain loader (what `carnet-forms check` does).
    const auto reloaded = carnet::forms::loadForm(r.json.dump());
    REQUIRE(reloaded.ok());

    // Filling it in: the cascading select offers only the quartiers of the commune, the repeat follows
    // nb_personnes, and a constraint message comes out in English.
    carnet::forms::SessionOptions opts;
    opts.language = "en";
    carnet::forms::Session s(r.form, opts);
    REQUIRE(s.setAnswer("commune", "aix").ok());
    CHECK_FALSE(s.setAnswer("quartier", "mrs_noailles").ok());
    REQUIRE(s.setAnswer("quartier", "aix_duranne").ok());
    CHECK_FALSE(s.setAnswer("nb_personnes", 25).ok());
    const auto problems = s.loadAnswers(json::parse(R"({
        "commune": "aix", "quartier": "aix_duranne", "adresse": "3 rue des Lilas", "nb_personnes": 25,
        "nb_voitures": 1, "a_velo": "oui",
        "membres": [{"prenom": "Léa", "age": 34, "mode_principal": "velo", "distance_km": "4,5"},
                    {"prenom": "Noé", "age": 4}],
        "satisfaction": 7, "recontact": true})"));
    CHECK(problems.empty());
    const auto issues = s.issues();
    REQUIRE(!issues.empty());
    CHECK(issues[0].path == "nb_personnes");
    CHECK(issues[0].message == "Between 1 and 20 people.");
    REQUIRE(s.setAnswer("nb_personnes", 2).ok());
    CHECK(s.complete());
    const json rec = s.record();
    CHECK(rec["membres"][0]["distance_km"] == 4.5);
    CHECK(rec["membres"][1]["rang"] == 2);
    CHECK_FALSE(rec["membres"][1].contains("mode_principal"));
    CHECK(rec["nb_membres"] == 2);
}

TEST_CASE("an XLSForm as ODK's documentation writes it: plain labels, cascading selects on two columns",
          "[xlsform][sample]") {
    const ImportResult r = importXlsformFile(kSource / "tests" / "forms" / "xlsform" / "odk_cascading.xlsx");
    INFO(report(r));
    REQUIRE(r.ok());
    // No settings sheet: the id comes from the file name, the version is reported.
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].key == "xlsform.no_version");
    CHECK(r.messages[0].format("odk.xlsx", Lang::En) ==
          "odk.xlsx: settings, column 'version' (absent): warning: no 'version' in the settings sheet: "
          "version '1' used");
    const auto& j = r.json;
    CHECK(j["id"] == "odk_cascading");
    // Plain English labels and no default_language: the form is English (guessed from its words).
    CHECK(j["languages"] == json::array({"en"}));
    REQUIRE(j["pages"].size() == 2);
    CHECK(childNames(j["pages"][0]) == std::vector<std::string>{"state", "county", "city", "place"});
    CHECK(j["pages"][0]["children"][0]["required"] == true); // a TRUE boolean cell
    CHECK(j["pages"][1]["name"] == "household");
    CHECK_FALSE(j["pages"][1].contains("appearance")); // field-list is what a page is
    CHECK(j["choice_lists"]["cities"][5]["county"] == "king");

    carnet::forms::Session s(r.form);
    REQUIRE(s.setAnswer("state", "washington").ok());
    REQUIRE(s.setAnswer("county", "king").ok());
    CHECK_FALSE(s.setAnswer("city", "tacoma").ok());
    REQUIRE(s.setAnswer("city", "redmond").ok());
    CHECK(s.valueAt("place") == "redmond, washington");
}

TEST_CASE("an XLSForm as KoboToolbox exports it: two languages, $kuid columns, repeat in a group",
          "[xlsform][sample]") {
    const ImportResult r = importXlsformFile(kSource / "tests" / "forms" / "xlsform" / "kobo_household.xlsx");
    INFO(report(r));
    REQUIRE(r.ok());
    const std::string text = report(r);
    CHECK(text.find("f.xlsx: survey, row 1, column O ($kuid): warning: column '$kuid' is not supported") !=
          std::string::npos);
    CHECK(text.find("f.xlsx: choices, row 1, column E ($kuid): warning:") != std::string::npos);
    // The two $kuid columns; its start and end rows are captured, without a word.
    CHECK(r.count(Severity::Warning) == 2);
    CHECK(r.count(Severity::Error) == 0);
    const auto& j = r.json;
    CHECK(j["default_language"] == "en");
    CHECK(j["languages"] == json::array({"en", "fr"}));
    CHECK(j["version"] == "vX7pN2");
    REQUIRE(j["pages"].size() == 1);
    const auto& page = j["pages"][0];
    CHECK(childNames(page) == std::vector<std::string>{"start", "end", "full_name", "age", "water", "trust",
                                                       "children_grp", "adult", "signature", "visit_time"});
    CHECK(page["children"][0]["calculation"] == "carnet:property('start')");
    CHECK(page["children"][5]["start"] == 1);
    CHECK(page["children"][5]["end"] == 5);
    CHECK(page["children"][6]["type"] == "group");
    CHECK(page["children"][6]["children"][0]["type"] == "repeat");
    CHECK(page["children"][8]["type"] == "signature");
    CHECK(page["children"][9]["read_only"] == true);
    CHECK(page["children"][3]["constraint_message"]["fr"] == "La personne doit être majeure.");
    CHECK_FALSE(j["choice_lists"]["water"][0].contains("$kuid"));
    carnet::forms::Session s(r.form);
    REQUIRE(s.setAnswer("age", 30).ok());
    CHECK(s.valueAt("adult") == "yes");
    CHECK(s.addRepeat("child").ok());
}

// ------------------------------------------------------------------ structure and mapping

TEST_CASE("top-level questions are wrapped in pages, loose calculations join a neighbouring page", "[xlsform]") {
    const ImportResult r = importRows({
        {"type", "name", "label", "calculation", "relevant"},
        {"calculate", "c0", "", "1 + 1"},
        {"begin group", "g1", "G1"},
        {"text", "a", "A"},
        {"end group"},
        {"calculate", "c1", "", "${c0} * 2"},
        {"begin_group", "g2", "", "", "${c0} > 10"},
        {"text", "b", "B"},
        {"end_group"},
        {"calculate", "c2", "", "3"},
        {"integer", "page_1", "N"},
        {"begin repeat", "rep", "R"},
        {"text", "x", "X"},
        {"end repeat"},
    });
    INFO(report(r));
    REQUIRE(r.ok());
    const auto& pages = r.json["pages"];
    REQUIRE(pages.size() == 3);
    CHECK(childNames(pages[0]) == std::vector<std::string>{"c0", "a", "c1"});
    // A page needs a label: an unlabelled top-level group is titled by its name, and that is reported.
    CHECK(pages[1]["label"] == "g2");
    CHECK(pages[1]["relevant"] == "${c0} > 10");
    CHECK(childNames(pages[1]) == std::vector<std::string>{"b"});
    // Mixed loose items get a page of their own, whose generated name avoids the form's names.
    CHECK(pages[2]["name"] == "page_2");
    CHECK(childNames(pages[2]) == std::vector<std::string>{"c2", "page_1", "rep"});
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].format("f.xlsx", Lang::En) ==
          "f.xlsx: survey, row 7, column C (label): warning: top-level group without a label: its name 'g2' is the "
          "page title");
}

TEST_CASE("columns: required and read_only spellings, languages, aliases, values a type does not use", "[xlsform]") {
    const ImportResult r = importRows(
        {
            {"type", "name", "Label", "label::Breton", "hint", "Required", "read only", "jr:constraintMsg",
             "constraint", "default", "notes", "empty_extra"},
            {"text", "a", "A", "A br", "", "TRUE()", "no"},
            {"integer", "b", "B", "", "", "${a} != ''", "${a} = 'x'", "Trop grand", ". < 5", "3", "un commentaire"},
            {"date", "c", "C", "", "", "", "", "", "", "today()"},
            {"begin group", "g", "G", "", "", "yes"},
            {"note", "n", "N"},
            {"end group"},
            {"", "", "", "", "", "", "", "", "", "", "orphan"},
            {"", "", "Sans type"},
        },
        {});
    INFO(report(r));
    REQUIRE(r.ok());
    const auto& kids = r.json["pages"][0]["children"];
    CHECK(kids[0]["required"] == true);
    CHECK_FALSE(kids[0].contains("read_only"));
    CHECK(kids[0]["label"] == nlohmann::ordered_json::parse(R"({"fr": "A", "breton": "A br"})"));
    CHECK(kids[1]["required"] == "${a} != ''");
    CHECK(kids[1]["read_only"] == "${a} = 'x'");
    CHECK(kids[1]["constraint_message"]["fr"] == "Trop grand");
    CHECK(kids[1]["default"] == "3");
    CHECK_FALSE(kids[2].contains("default"));
    CHECK(r.json["languages"] == json::array({"fr", "breton"}));
    const std::string text = report(r);
    CHECK(text.find("f.xlsx: survey, row 1, column D (label::Breton): warning: language 'Breton' has no code in "
                    "parentheses") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 1, column K (notes): warning: column 'notes' is not supported by Carnet") !=
          std::string::npos);
    CHECK(text.find("empty_extra") == std::string::npos); // an empty column is no news
    CHECK(text.find("f.xlsx: survey, row 4, column J (default): warning: computed default 'today()' is not "
                    "supported") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 5, column F (Required): warning: 'Required' has no effect on type 'begin "
                    "group': value ignored") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 9, column A (type): warning: row has values but no type: ignored") !=
          std::string::npos);
    // Row 8 holds a value only in the unsupported column, already reported at its header.
    CHECK(text.find("row 8") == std::string::npos);
}

TEST_CASE("metadata and unsupported types are reported, never silently dropped", "[xlsform]") {
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "appearance"},
            {"simserial", "sim"},
            {"uri:subscriberid", "sub"},
            {"select_one_from_file communes.xml", "commune", "Commune"},
            {"osm building_tags", "batiment", "Bâtiment"},
            {"select_one fruits", "fruit", "Fruit", "search(fruits)"},
        },
        {{"list_name", "name", "label"}, {"fruits", "name_key", "name"}});
    CHECK_FALSE(r.ok());
    const std::string text = report(r);
    INFO(text);
    CHECK(text.find("f.xlsx: survey, row 2, column A (type): warning: metadata 'simserial': Carnet has no such "
                    "value") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 3, column A (type): warning: metadata 'uri:subscriberid'") !=
          std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 4, column A (type): error: 'select_one_from_file communes.xml': only .csv "
                    "files are read") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 5, column A (type): error: question 'batiment' of type 'osm': it is edited "
                    "in OpenMapKit") != std::string::npos);
    // search() without a quoted file name: refused at its cell, the placeholder choice never imported alone.
    CHECK(text.find("f.xlsx: survey, row 6, column D (appearance): error: appearance 'search(fruits)': search() "
                    "needs a file name in quotes") != std::string::npos);
    CHECK(r.count(Severity::Error) == 3);
}

TEST_CASE("pyxform's spellings and rules import", "[xlsform]") {
    const ImportResult r = importRows(
        {
            {"type", "name", "label:English", "hint"},
            {"select one from yes_no", "q1", "Is it?"},
            {"select all that apply from yes_no or specify other", "q2", "Which?"},
            {"select_one yes_no or_other", "q3", "And?"},
            {"phone number", "tel", "Phone"},
            {"text", "nolabel", "", "a hint only"},
            {"begin group", "g1", "G1"},
            {"text", "same", "Same 1"},
            {"end group"},
            {"begin group", "g2", "G2"},
            {"text", "same", "Same 2"},
            {"end group"},
            {"begin loop over yes_no", "loop", "Loop"},
            {"integer", "count", "How many %(label)s?"},
            {"end loop"},
            {"barcode", "code", "Code"},
            {"geotrace", "trace", "Trace"},
            {"geoshape", "shape", "Shape"},
            {"audio", "sound", "Sound"},
            {"video", "film", "Film"},
        },
        {{"list name", "name", "label:English"}, {"yes_no", "yes", "Yes"}, {"yes_no", "no", "No"}},
        {{"form_id", "version"}, {"essai", "1"}});
    INFO(report(r));
    REQUIRE(r.ok());
    const auto& j = r.json;
    // label:English (one colon) is a language column; a plain hint joins it; no default_language: English.
    CHECK(j["default_language"] == "en");
    CHECK(j["languages"] == json::array({"en"}));
    const auto& kids = j["pages"][0]["children"];
    CHECK(kids[0]["type"] == "select_one");
    CHECK(kids[0]["choice_list"] == "yes_no");
    CHECK(kids[1]["type"] == "select_multiple");
    CHECK(kids[2]["name"] == "q2_other");
    CHECK(kids[2]["relevant"] == "selected(${q2}, 'other')");
    CHECK(kids[4]["name"] == "q3_other");
    CHECK(j["choice_lists"]["yes_no"].back()["value"] == "other");
    CHECK(kids[5]["type"] == "text");
    CHECK(kids[5]["regex"] == "[0-9]*");
    CHECK(kids[6]["label"]["en"] == "nolabel");
    CHECK(kids[6]["hint"]["en"] == "a hint only");
    const auto& pages = j["pages"];
    CHECK(pages[1]["children"][0]["name"] == "same");
    CHECK(pages[2]["children"][0]["name"] == "g2.same"); // the same name in another group: its path
    const auto& loop = pages[3];
    CHECK(loop["name"] == "loop");
    CHECK(loop["children"][0]["name"] == "loop.yes");
    CHECK(loop["children"][0]["children"][0]["name"] == "loop.yes.count");
    CHECK(loop["children"][1]["children"][0]["label"]["en"] == "How many No?");
    const auto& tail = pages[4]["children"];
    CHECK(tail[0]["type"] == "barcode");
    // Imported as a typed code, and said so at its type cell (issue 16: no scanner in the app yet).
    CHECK(report(r).find("column A (type): warning: barcode question 'code': the app cannot scan yet, the code is "
                         "typed in") != std::string::npos);
    CHECK(tail[1]["type"] == "geotrace");
    CHECK(tail[2]["type"] == "geoshape");
    CHECK(tail[3]["type"] == "audio");
    CHECK(tail[4]["type"] == "video");
    CHECK(r.form->find("loop.no.count") != nullptr);
}

TEST_CASE("a name used in two groups cannot be referenced", "[xlsform]") {
    const ImportResult r = importRows({
        {"type", "name", "label", "relevant"},
        {"begin_group", "g1", "G1"},
        {"text", "same", "Same 1"},
        {"end_group"},
        {"begin_group", "g2", "G2"},
        {"text", "same", "Same 2"},
        {"text", "after", "After", "${same} = 'x'"},
        {"end_group"},
    });
    CHECK_FALSE(r.ok());
    const std::string text = report(r);
    INFO(text);
    CHECK(text.find("f.xlsx: survey, row 7, column D (relevant): error: '${same}' is ambiguous") != std::string::npos);
}

TEST_CASE("English forms without default_language are English, media columns are not languages", "[xlsform]") {
    const ImportResult r = importRows({
        {"type", "name", "label", "media::image"},
        {"text", "name", "What is your name?", "face.png"},
    });
    INFO(report(r));
    REQUIRE(r.ok());
    CHECK(r.json["default_language"] == "en");
    const std::string text = report(r);
    CHECK(text.find("has no code") == std::string::npos);
    CHECK(text.find("column 'media::image' is not supported") == std::string::npos); // shown with the label
    // The file it names travels with the form in its bundle (docs/xlsform.md, "Media").
    CHECK(r.json["media"] == json::array({"face.png"}));
    CHECK(r.json["pages"][0]["children"][0]["media"] == json({{"image", "face.png"}}));
}

TEST_CASE("media::image and media::audio columns, per language, give questions and choices their label media",
          "[xlsform][media]") {
    const ImportResult r = importRows(
        {
            {"type", "name", "label::English (en)", "label::French (fr)", "media::image::English (en)",
             "media::image::French (fr)", "media::audio", "image::Wolof (wo)", "media::video"},
            {"select_one yn", "well", "A well?", "Un puits ?", "well_en.jpg", "well_fr.jpg", "well.ogg", "well_wo.png",
             "well.mp4"},
            {"note", "done", "Thanks", "Merci", "", "", "", "", ""},
        },
        {
            {"list_name", "name", "label::English (en)", "label::French (fr)", "media::image", "audio"},
            {"yn", "yes", "Yes", "Oui", "yes.png", "yes.wav"},
            {"yn", "no", "No", "Non", "", ""},
        });
    INFO(report(r));
    REQUIRE(r.ok());
    REQUIRE(r.form);
    CHECK(r.json["default_language"] == "fr");
    const auto& well = r.json["pages"][0]["children"][0];
    CHECK(well["media"]["image"].dump() == R"({"fr":"well_fr.jpg","en":"well_en.jpg"})"); // the default first
    CHECK(well["media"]["audio"] == "well.ogg");
    CHECK(r.json["choice_lists"]["yn"][0]["media"].dump() == R"({"image":"yes.png","audio":"yes.wav"})");
    CHECK_FALSE(r.json["choice_lists"]["yn"][0].contains("media::image")); // not a choice_filter column
    CHECK_FALSE(r.json["choice_lists"]["yn"][1].contains("media"));
    CHECK_FALSE(r.json["pages"][0]["children"][1].contains("media"));
    // The loaded form shows each language's file; a language the form has no text in is reported.
    const auto& item = *r.form->find("well");
    CHECK(item.media.image.get("en", "fr") == "well_en.jpg");
    CHECK(item.media.image.get("fr", "fr") == "well_fr.jpg");
    CHECK(item.media.audio.get("en", "fr") == "well.ogg");
    const std::string text = report(r);
    CHECK(text.find("'well_wo.png' is in language 'wo'") != std::string::npos);
    CHECK(text.find("column 'media::video' is not supported") != std::string::npos); // the app shows no video
    CHECK(text.find("media::image") == std::string::npos);
}

// ------------------------------------------------------------------ errors, each at its cell

TEST_CASE("structure errors name the sheet, the row and the column", "[xlsform][errors]") {
    const std::vector<std::string> header{"type", "name", "label", "calculation"};
    struct Case {
        Rows survey;
        std::string expected;
    };
    const std::vector<Case> cases{
        {{header, {"textarea", "a", "A"}}, "f.xlsx: survey, row 2, column A (type): error: unknown type 'textarea'"},
        {{header, {"integer extra", "a", "A"}}, "f.xlsx: survey, row 2, column A (type): error: unknown type"},
        {{header, {"begin_group", "g", "G"}, {"text", "a", "A"}},
         "f.xlsx: survey, row 2, column A (type): error: 'begin_group' is never closed by 'end_group'"},
        {{header, {"begin repeat", "r", "R"}, {"text", "a", "A"}},
         "f.xlsx: survey, row 2, column A (type): error: 'begin repeat' is never closed by 'end repeat'"},
        {{header, {"text", "a", "A"}, {"end_group"}},
         "f.xlsx: survey, row 3, column A (type): error: 'end_group' without an open 'begin_group'"},
        {{header, {"begin_repeat", "r", "R"}, {"text", "a", "A"}, {"end_group"}, {"end_repeat"}},
         "f.xlsx: survey, row 4, column A (type): error: 'end_group' closes a 'begin_repeat' (opened on row 2)"},
        {{header, {"select_one pays", "p", "Pays"}},
         "f.xlsx: survey, row 2, column A (type): error: choice list 'pays' is not in the choices sheet"},
        {{header, {"select_multiple", "p", "Pays"}},
         "f.xlsx: survey, row 2, column A (type): error: 'select_multiple' needs a choice list name"},
        {{header, {"text", "", "A"}}, "f.xlsx: survey, row 2, column B (name): error: missing name"},
        {{header, {"text", "a", "A"}, {"integer", "b", "B"}, {"date", "a", "A2"}},
         "f.xlsx: survey, row 4, column B (name): error: duplicate name 'a' (already used on row 2)"},
        {{header, {"calculate", "c", ""}},
         "f.xlsx: survey, row 2, column D (calculation): error: a 'calculate' question needs a 'calculation'"},
        {{{"type", "name", "label"}, {"calculate", "c", ""}},
         "f.xlsx: survey, row 2, column 'calculation' (absent): error: a 'calculate' question needs a 'calculation'"},
        {{{"name", "label"}, {"a", "A"}},
         "f.xlsx: survey, row 1, column 'type' (absent): error: required column "
         "'type' is missing"},
        {{{"type", "name", "label", "parameters"}, {"range", "r", "R", "start=0 end=dix"}},
         "f.xlsx: survey, row 2, column D (parameters): error: parameter 'end': 'dix' is not a number"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i);
        const ImportResult r = importRows(cases[i].survey, {{"list_name", "name", "label"}, {"oui_non", "oui", "O"}});
        const std::string text = report(r);
        INFO(text);
        CHECK_FALSE(r.ok());
        CHECK(r.json.is_null());
        CHECK(text.find(cases[i].expected) != std::string::npos);
    }
}

TEST_CASE("choices sheet errors name their row", "[xlsform][errors]") {
    const ImportResult r =
        importRows({{"type", "name", "label"}, {"select_one l", "q", "Q"}},
                   {{"list_name", "name", "label"}, {"l", "a", "A"}, {"", "b", "B"}, {"l", "", "C"}});
    const std::string text = report(r);
    INFO(text);
    CHECK_FALSE(r.ok());
    CHECK(text.find("f.xlsx: choices, row 3, column A (list_name): error: choice without a 'list_name'") !=
          std::string::npos);
    CHECK(text.find("f.xlsx: choices, row 4, column B (name): error: choice of list 'l' has no name") !=
          std::string::npos);

    const ImportResult noSurvey = importXlsform(zipBytes(workbookParts({{"feuille1", rowsXml({{"type"}})}})), "x");
    CHECK_FALSE(noSurvey.ok());
    REQUIRE(!noSurvey.messages.empty());
    CHECK(report(noSurvey).find("f.xlsx: error: no 'survey' sheet") != std::string::npos);
}

TEST_CASE("loader problems on the produced JSON are mapped back to the cell they come from", "[xlsform][errors]") {
    const std::vector<std::string> header{"type",     "name",      "label::Français (fr)", "label::English (en)",
                                          "relevant", "constraint"};
    struct Case {
        Rows survey;
        Rows choices;
        std::string expected;
    };
    const Rows choices{{"list_name", "name", "label"}, {"l", "a", "A"}};
    const std::vector<Case> cases{
        // Expressions: the position inside the cell is a character, the spreadsheet column a letter.
        {{header, {"integer", "n", "N", "N", "", "count(lenght(.)) > 3"}},
         choices,
         "f.xlsx: survey, row 2, column F (constraint): error: character 7: unknown function 'lenght'"},
        {{header, {"text", "a", "A", "A"}, {"text", "b", "B", "B", "${nope} = 1"}},
         choices,
         "f.xlsx: survey, row 3, column E (relevant): error: unknown field 'nope'"},
        {{header, {"begin_group", "g", "G", "G"}, {"text", "t", "T", "T", "${x} = 1 and"}, {"end_group"}},
         choices,
         "f.xlsx: survey, row 3, column E (relevant): error: character"},
        {{header, {"select_multiple l", "q", "Q", "Q"}},
         {{"list_name", "name", "label"}, {"l", "a b", "A"}},
         "f.xlsx: choices, row 2, column B (name): error:"},
        {{header, {"text", "t", "Voir ${nope}", "See"}},
         choices,
         "f.xlsx: survey, row 2, column C (label::Français (fr)): error: unknown field 'nope'"},
        {{header, {"text", "mon nom", "A", "A"}}, choices, "f.xlsx: survey, row 2, column B (name): error:"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i);
        const ImportResult r = importRows(cases[i].survey, cases[i].choices);
        const std::string text = report(r);
        INFO(text);
        CHECK_FALSE(r.ok());
        CHECK(text.find(cases[i].expected) != std::string::npos);
        for (const auto& m : r.messages)
            if (m.severity == Severity::Error) CHECK(m.loaderProblem.has_value());
    }

    // A form id that is no name (pyxform takes any) is made one, reported at its cell in settings.
    const ImportResult badId = importRows({{"type", "name", "label"}, {"text", "a", "A"}}, {},
                                          {{"version", "form_id"}, {"3", "mon formulaire"}});
    CHECK(report(badId).find("f.xlsx: settings, row 2, column B (form_id): warning: form_id 'mon formulaire' is not "
                             "a name: 'mon_formulaire' used") != std::string::npos);
}

TEST_CASE("messages are translated: French by default in the CLI, English on request", "[xlsform]") {
    const ImportResult r = importRows({{"type", "name", "label"}, {"textarea", "a", "A"}});
    CHECK(report(r, Lang::Fr).find("f.xlsx : survey, ligne 2, colonne A (type) : erreur : type inconnu « textarea »") !=
          std::string::npos);
    CHECK(report(r, Lang::En).find("f.xlsx: survey, row 2, column A (type): error: unknown type 'textarea'") !=
          std::string::npos);
}

TEST_CASE("the committed sample workbooks read as workbooks with a survey sheet", "[xlsform][sample]") {
    // (forms.xlsform_cli checks that they are byte for byte what scripts/make-xlsform-samples.py writes.)
    for (const auto& p : {kSource / "assets" / "xlsform" / "enquete_mobilite.xlsx",
                          kSource / "tests" / "forms" / "xlsform" / "odk_cascading.xlsx",
                          kSource / "tests" / "forms" / "xlsform" / "kobo_household.xlsx",
                          kSource / "tests" / "forms" / "xlsform" / "broken.xlsx"}) {
        INFO(p.string());
        Workbook wb;
        XlsxError err;
        REQUIRE(readWorkbook(readFile(p), wb, err));
        CHECK(wb.find("survey") != nullptr);
    }
}

TEST_CASE("text that is not UTF-8 and absurd nesting are refused at their cell", "[xlsform][errors]") {
    Workbook wb;
    Sheet survey;
    survey.name = "survey";
    survey.rows[1] = {{1, "type"}, {2, "name"}, {3, "label"}};
    survey.rows[2] = {{1, "text"}, {2, "a"}, {3, "caf\xE9"}}; // Latin-1, not UTF-8
    wb.sheets.push_back(survey);
    const ImportResult bad = importWorkbook(wb, "x");
    CHECK_FALSE(bad.ok());
    CHECK(report(bad) == "f.xlsx: survey, row 2, column C: error: invalid text (not UTF-8)\n");

    Rows deep{{"type", "name", "label"}};
    for (int i = 0; i < 40; ++i)
        deep.push_back({"begin_group", "g" + std::to_string(i), "G"});
    const ImportResult tooDeep = importRows(deep);
    CHECK_FALSE(tooDeep.ok());
    CHECK(report(tooDeep).find("f.xlsx: survey, row 34, column A (type): error: groups and repeats nested more than "
                               "32 levels deep") != std::string::npos);
}

TEST_CASE("other sheets, settings and shadowed texts are reported where they are", "[xlsform]") {
    std::vector<std::pair<std::string, std::string>> sheets{
        {"survey", rowsXml({{"type", "name", "label", "label::Français (fr)", "appearance", "parameters"},
                            {"begin_group", "p", "P", "", "table-list"},
                            {"text", "a", "Plain", "Français"},
                            {"range", "r", "R", "", "", "start=1 end=3 tick=2"},
                            {"end_group"}})},
        {"settings",
         rowsXml({{"form_id", "version", "style", "form_title"}, {"essai", "2", "pages", "Essai"}, {"autre", "3"}})},
        {"notes", rowsXml({{"Remarques de l’équipe"}})},
        {"vide", ""},
    };
    const ImportResult r = importXlsform(zipBytes(workbookParts(sheets)), "x");
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(r.json["version"] == "2");
    CHECK(r.json["title"] == "Essai");
    CHECK(r.json["pages"][0]["children"][0]["label"] == nlohmann::ordered_json::parse(R"({"fr": "Français"})"));
    CHECK(r.json["pages"][0]["children"][1]["end"] == 3);
    const std::vector<std::string> expected{
        "f.xlsx: survey, row 2, column E (appearance): warning: appearance 'table-list' has no effect on a page: "
        "ignored",
        "f.xlsx: survey, row 3, column C (label): warning: column 'label' ignored: the column for language 'fr' is "
        "filled in",
        "f.xlsx: survey, row 4, column F (parameters): warning: unsupported parameter 'tick=2'",
        "f.xlsx: settings, row 1, column C (style): warning: column 'style' is not supported by Carnet",
        "f.xlsx: settings, row 3, column A (form_id): warning: only the first row of settings counts",
        "f.xlsx: settings, row 3, column B (version): warning: only the first row of settings counts",
        "f.xlsx: sheet notes: warning: sheet 'notes' ignored (Carnet reads survey, choices and settings)",
    };
    for (const auto& line : expected) {
        INFO(line);
        CHECK(text.find(line) != std::string::npos);
    }
    CHECK(text.find("vide") == std::string::npos); // an empty sheet is no news
    CHECK(r.count(Severity::Warning) == static_cast<int>(expected.size()));
}

TEST_CASE("a choice without a label or twice in a list is kept and reported, as pyxform does", "[xlsform]") {
    const ImportResult r = importRows(
        {{"type", "name", "label", "choice_filter"}, {"select_one l", "q", "Q", "k = 'x'"}},
        {{"list_name", "name", "label", "k"}, {"l", "a", "A", "x"}, {"l", "a", "A", "y"}, {"l", "b", "", "x"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(text.find("f.xlsx: choices, row 3, column B (name): warning: value 'a' twice in list 'l'") !=
          std::string::npos);
    CHECK(text.find("f.xlsx: choices, row 4, column C (label): warning: choice 'b' without a label") !=
          std::string::npos);
    CHECK(r.json["settings"]["allow_choice_duplicates"] == true);
    CHECK(r.json["choice_lists"]["l"][2]["label"]["fr"] == "b");
}

TEST_CASE("a form_id that is no name (a spreadsheet date) gives way to the file name", "[xlsform]") {
    const ImportResult r = importRows({{"type", "name", "label"}, {"text", "t", "T"}}, {},
                                      {{"form_id", "version"}, {"44391.4952245146", "1"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(r.json["id"] == "essai");
    CHECK(text.find("f.xlsx: settings, row 2, column A (form_id): warning: form_id '44391.4952245146'") !=
          std::string::npos);
}

// ------------------------------------------------------------------ what pyxform accepts in deployed forms

TEST_CASE("smart quotes in expressions are straight quotes, as pyxform makes them, texts keep theirs", "[xlsform]") {
    // osm-fieldwork's buildings.xlsx: relevant ${building}=’commercial’ (a word processor's quotes).
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "relevant"},
            {"select_one kind", "building", "Building"},
            {"text", "shop", "L’enseigne", "${building}=\u2019commercial\u2019 or ${building}=\u201cretail\u201d"},
        },
        {{"list_name", "name", "label"}, {"kind", "commercial", "Commercial"}, {"kind", "retail", "Retail"}},
        {{"form_id", "version", "default_language"}, {"essai", "1", "fr"}});
    INFO(report(r));
    REQUIRE(r.ok());
    const auto& shop = r.json["pages"][0]["children"][1];
    CHECK(shop["relevant"] == "${building}='commercial' or ${building}=\"retail\"");
    CHECK(shop["label"]["fr"] == "L’enseigne");
    carnet::forms::Session s(r.form);
    auto shown = [&] {
        const auto paths = s.visiblePaths();
        return std::find(paths.begin(), paths.end(), "shop") != paths.end();
    };
    CHECK_FALSE(shown());
    REQUIRE(s.setAnswer("building", "retail").ok());
    CHECK(shown());
}

TEST_CASE("list names pyxform takes but Carnet cannot are renamed, select_one values may hold spaces", "[xlsform]") {
    // osm-fieldwork: "select_one building:material"; highways.xlsx: a barrier named "cattle grid".
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "default"},
            {"select_one building:material", "material", "Material", "wood"},
            {"select_one barrier", "barrier", "Barrier", "cattle grid"},
            {"select_multiple building_material", "other", "Other material"},
        },
        {{"list_name", "name", "label"},
         {"building:material", "wood", "Wood"},
         {"building:material", "brick", "Brick"},
         {"building_material", "stone", "Stone"},
         {"barrier", "cattle grid", "Cattle grid"},
         {"barrier", "gate", "Gate"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    // The renamed list does not take the name of another list of the sheet.
    CHECK(text.find("f.xlsx: choices, row 2, column A (list_name): warning: choice list 'building:material' named "
                    "'building_material_2'") != std::string::npos);
    const auto& kids = r.json["pages"][0]["children"];
    CHECK(kids[0]["choice_list"] == "building_material_2");
    CHECK(kids[0]["default"] == "wood");
    CHECK(kids[2]["choice_list"] == "building_material");
    CHECK(kids[1]["default"] == "cattle grid");
    carnet::forms::Session s(r.form);
    REQUIRE(s.setAnswer("barrier", "gate").ok());
    REQUIRE(s.setAnswer("barrier", "cattle grid").ok());
    CHECK(s.record()["barrier"] == "cattle grid");

    // A select_multiple cannot hold such a value (its answer is values separated by spaces): refused as
    // pyxform refuses it, at the choice's cell.
    const ImportResult multiple = importRows(
        {{"type", "name", "label"}, {"select_multiple barrier", "b", "B"}},
        {{"list_name", "name", "label"}, {"barrier", "cattle grid", "Cattle grid"}, {"barrier", "gate", "Gate"}});
    CHECK_FALSE(multiple.ok());
    CHECK(report(multiple).find("f.xlsx: choices, row 2, column B (name): error: choice value 'cattle grid' holds a "
                                "space") != std::string::npos);
}

TEST_CASE("a select default that is not a choice is dropped with a warning at its cell", "[xlsform]") {
    // camping.xlsx: default 'firepit' where the choice is camp_fire; waste_collection.xlsx: a "Fixme".
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "default"},
            {"select_multiple features", "features", "Features", "firepit grill"},
            {"select_one wards", "ward", "Ward", "Fixme: I need this list"},
            {"text", "note", "Note", "Fixme: a text default stays"},
        },
        {{"list_name", "name", "label"},
         {"features", "camp_fire", "Fire pit"},
         {"features", "grill", "Grill"},
         {"wards", "bunju", "Bunju"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(text.find("f.xlsx: survey, row 2, column D (default): warning: default 'firepit' is not a choice of list "
                    "'features'") != std::string::npos);
    CHECK(text.find("f.xlsx: survey, row 3, column D (default): warning: default 'Fixme: I need this list' is not a "
                    "choice of list 'wards'") != std::string::npos);
    const auto& kids = r.json["pages"][0]["children"];
    CHECK(kids[0]["default"] == "grill");
    CHECK_FALSE(kids[1].contains("default"));
    CHECK(kids[2]["default"] == "Fixme: a text default stays");
}

TEST_CASE("pyxform's specification workbook: another language's text, referenced metadata, an id with a space",
          "[xlsform]") {
    // pyxform's xlsform_spec_test.xlsx: label::english, hint::chinese only on a row, ${start} in a note,
    // form_id 'Spec test'.
    const ImportResult r = importRows(
        {
            {"type", "name", "label::english", "hint", "hint::chinese"},
            {"start", "start"},
            {"deviceid", "deviceid"},
            {"end", "end"},
            {"text", "address", "Enter an address", "", "ni hao"},
            {"note", "started", "Started at ${start} on ${deviceid}", "a note"},
        },
        {}, {{"form_id", "version"}, {"Spec test", "1"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(r.json["id"] == "Spec_test");
    CHECK(text.find("f.xlsx: settings, row 2, column A (form_id): warning: form_id 'Spec test' is not a name: "
                    "'Spec_test' used") != std::string::npos);
    // No default_language: the first language column's; a text only in Chinese shows the Chinese one.
    CHECK(r.json["default_language"] == "en");
    const auto& kids = r.json["pages"][0]["children"];
    CHECK(text.find("f.xlsx: survey, row 5, column E (hint::chinese): warning: hint has no text in the default "
                    "language 'en': the 'chinese' one is shown") != std::string::npos);
    // The metadata are calculations that capture them, end too although nothing uses it.
    CHECK(kids[0]["type"] == "calculate");
    CHECK(kids[0]["name"] == "start");
    CHECK(kids[0]["calculation"] == "carnet:property('start')");
    CHECK(kids[1]["calculation"] == "carnet:property('deviceid')");
    CHECK(kids[2]["name"] == "end");
    CHECK(kids[2]["calculation"] == "now()");
    CHECK(text.find("metadata") == std::string::npos);
    CHECK(kids[3]["hint"]["en"] == "ni hao");
    CHECK(kids[3]["hint"]["chinese"] == "ni hao");
    carnet::forms::SessionOptions opts;
    opts.now = [] { return 20777.5; }; // 2026-11-20 12:00
    // What the device store gives for the record (tests/store: the record's own values).
    opts.properties = {{"deviceid", "0f3a9c"}, {"start", "2026-11-20T09:15:00"}};
    carnet::forms::Session s(r.form, opts);
    INFO(s.record().dump());
    CHECK(s.valueAt("start") == "2026-11-20T09:15:00");
    CHECK(s.valueAt("end") == "2026-11-20T12:00:00");
    CHECK(s.valueAt("deviceid") == "0f3a9c");
    CHECK(s.record()["deviceid"] == "0f3a9c");
}

TEST_CASE("select_one_from_file, search() and pulldata() import as a form that declares its CSV media",
          "[xlsform][media]") {
    // pyxform accepts these with the CSV attached later as form media (UCL_Biomass_Plot_Form.xlsx,
    // search_and_select.xlsx, pull_data.xlsx).
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "appearance", "choice_filter", "calculation", "parameters"},
            {"select_one_from_file regions.csv", "region", "Region", "autocomplete"},
            {"select_one_from_file  districts.csv", "district", "District", "", "region_id=${region}", "",
             "value=district_id label=district_name"},
            {"select_one fruits", "fruit", "Fruit", "minimal search('fruits', 'startswith', 'name', ${region})"},
            {"calculate", "price", "", "", "", "pulldata('prices', 'price', 'name_key', ${fruit})"},
        },
        {{"list_name", "name", "label"}, {"fruits", "name_key", "name"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(r.json["media"] == json::array({"regions.csv", "districts.csv", "fruits.csv", "prices.csv"}));
    const json kids = json::parse(r.json["pages"][0]["children"].dump()); // compared whatever the key order
    CHECK(kids[0]["choice_file"] == json{{"file", "regions.csv"}});
    CHECK(kids[0]["appearance"] == "autocomplete");
    CHECK(kids[1]["choice_file"] ==
          json{{"file", "districts.csv"}, {"value", "district_id"}, {"label", "district_name"}});
    CHECK(kids[1]["choice_filter"] == "region_id=${region}");
    // search(): the list's one row names the CSV's value and label columns; its filter is a choice_filter;
    // the placeholder list is gone.
    CHECK(kids[2]["choice_file"] == json{{"file", "fruits.csv"}, {"value", "name_key"}, {"label", "name"}});
    CHECK(kids[2]["choice_filter"] == "starts-with(name, ${region})");
    CHECK(kids[2]["appearance"] == "minimal");
    CHECK_FALSE(kids[2].contains("choice_list"));
    CHECK_FALSE(r.json.contains("choice_lists"));
    CHECK(text.find("f.xlsx: survey, row 4, column D (appearance): warning: choices read from 'fruits.csv' (value: "
                    "column 'name_key', label: column 'name')") != std::string::npos);

    // With the CSV files (written here), the choices and pulldata() come from them.
    auto form = carnet::forms::attachMedia(*r.form,
                                           {{"regions.csv", "name,label\nma,Mara\nar,Arusha\n"},
                                            {"districts.csv", "district_id,district_name,region_id\nd1,Musoma,ma\n"
                                                              "d2,Meru,ar\n"},
                                            {"fruits.csv", "name_key,name\nmango,mango\nmarula,marula\napple,apple\n"},
                                            {"prices.csv", "name_key,price\nmarula,3\n"}},
                                           Lang::En);
    REQUIRE(form.ok());
    carnet::forms::Session s(*form);
    REQUIRE(s.setAnswer("region", "ma").ok());
    CHECK_FALSE(s.setAnswer("district", "d2").ok());
    REQUIRE(s.setAnswer("district", "d1").ok());
    const auto view = s.view();
    std::vector<std::string> fruits;
    for (const auto& c : view.pages[0].items[2].choices)
        fruits.push_back(c.value);
    CHECK(fruits == std::vector<std::string>{"mango", "marula"});
    REQUIRE(s.setAnswer("fruit", "marula").ok());
    CHECK(s.record()["price"] == "3");
}

TEST_CASE("the importer says which CSV files the form reads are not beside the workbook", "[xlsform][media]") {
    carnet::test::TempDir dir;
    {
        std::ofstream out(dir.path() / "form.xlsx", std::ios::binary);
        out << xlsx({{"type", "name", "label"},
                     {"select_one_from_file here.csv", "a", "A"},
                     {"select_one_from_file gone.csv", "b", "B"}},
                    {}, kSettings);
        std::ofstream csv(dir.path() / "here.csv", std::ios::binary);
        csv << "name,label\nx,X\n";
    }
    const ImportResult r = importXlsformFile(dir.path() / "form.xlsx");
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    CHECK(text.find("f.xlsx: warning: file 'gone.csv', which the form reads, is not beside the workbook") !=
          std::string::npos);
    CHECK(text.find("here.csv") == std::string::npos);
}

TEST_CASE("select parameters: randomize and seed, as pyxform takes them", "[xlsform]") {
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "parameters"},
            {"integer", "s", "Seed"},
            {"select_one yn", "q1", "Q1", "randomize=true seed=${s}"},
            {"select_one yn", "q2", "Q2", "randomize=false"},
            {"select_one yn", "q3", "Q3", "seed=3"},
            {"select_one yn", "q4", "Q4", "colour=red"},
        },
        {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}});
    const std::string text = report(r);
    INFO(text);
    REQUIRE(r.ok());
    const auto& kids = r.json["pages"][0]["children"];
    CHECK(kids[1]["randomize"] == true);
    CHECK(kids[1]["seed"] == "${s}");
    CHECK(kids[2]["randomize"] == false);
    CHECK_FALSE(kids[3].contains("seed"));
    CHECK(text.find("row 5, column D (parameters): warning: seed=3 without randomize=true") != std::string::npos);
    CHECK(text.find("row 6, column D (parameters): warning: parameter 'colour=red' is not supported") !=
          std::string::npos);
    REQUIRE(r.form);
    CHECK(r.form->find("q1")->randomizeChoices);
}

TEST_CASE("instance() over the workbook's choice lists, as pyxform writes it, imports and computes",
          "[xlsform][odk-spec]") {
    // Spec #fn:instance and #fn:current: pyxform makes each choice list a secondary instance; forms read
    // a choice's label or extra column with instance('list')/root/item[name = ...]/child.
    const ImportResult r = importRows(
        {
            {"type", "name", "label", "calculation"},
            {"select_one pays", "pays", "Pays"},
            {"calculate", "capitale", "", "instance('pays')/root/item[name = ${pays}]/capitale"},
            {"calculate", "nom", "", "instance('pays')/root/item[name = current()/../pays]/label"},
            {"calculate", "nb_villes", "", "count(instance('villes')/root/item[pays = ${pays}])"},
        },
        {
            {"list_name", "name", "label", "capitale", "pays"},
            {"pays", "sn", "Sénégal", "Dakar"},
            {"pays", "ml", "Mali", "Bamako"},
            {"villes", "thies", "Thiès", "", "sn"},
            {"villes", "kaolack", "Kaolack", "", "sn"},
            {"villes", "kayes", "Kayes", "", "ml"},
        });
    INFO(report(r));
    REQUIRE(r.ok());
    carnet::forms::Session s(r.form);
    REQUIRE(s.setAnswer("pays", "sn").ok());
    CHECK(s.valueAt("capitale") == "Dakar");
    CHECK(s.valueAt("nom") == "Sénégal");
    CHECK(s.valueAt("nb_villes") == 2);
    REQUIRE(s.setAnswer("pays", "ml").ok());
    CHECK(s.valueAt("capitale") == "Bamako");
    CHECK(s.valueAt("nb_villes") == 1);
}
