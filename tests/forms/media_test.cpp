// A form's media files (docs/form-format.md, "Media files"): CSV files the form declares in `media`,
// read by selects with `choice_file` (XLSForm's select_one_from_file and search()) and by pulldata().
// The CSV files are small ones written by the tests; a file that is not there is named, never replaced
// by an empty or placeholder list.
#include "forms/bundle.hpp"
#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using namespace carnet::forms;
using carnet::Lang;
using nlohmann::json;

namespace {

// A one-page form over media: a region, a district filtered by region (both from CSV), a fruit price
// read with pulldata().
json mediaForm() {
    return json::parse(R"J({
      "id": "plots", "version": "1", "title": "Plots", "default_language": "en", "languages": ["en", "sw"],
      "media": ["regions.csv", "districts.csv", "fruits.csv"],
      "pages": [{"type": "page", "name": "p", "label": "Plot", "children": [
        {"type": "select_one", "name": "region", "label": "Region", "choice_file": {"file": "regions.csv"}},
        {"type": "select_one", "name": "district", "label": "District", "required": true,
         "choice_file": {"file": "districts.csv", "value": "district_id", "label": "district_name"},
         "choice_filter": "region_id = ${region}"},
        {"type": "text", "name": "fruit", "label": "Fruit"},
        {"type": "calculate", "name": "price", "calculation": "pulldata('fruits', 'price', 'name', ${fruit})"}
      ]}]})J");
}

const char* kRegions = "\xEF\xBB\xBFname,label,label::Swahili (sw)\r\n"
                       "dar,Dar es Salaam,Dar\r\n"
                       "\"aru\",\"Arusha, north\",Arusha\r\n";
const char* kDistricts = "district_id,district_name,region_id\n"
                         "kin,Kinondoni,dar\n"
                         "ila,Ilala,dar\n"
                         "mer,Meru,aru\n";
const char* kFruits = "name,price\nmango,\"1,5\"\napple,2\n";

std::vector<std::string> choiceValues(const FormView& v, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& item : v.pages.at(0).items)
        if (item.name == name)
            for (const auto& c : item.choices)
                out.push_back(c.value);
    return out;
}

const ItemView* itemView(const FormView& v, const std::string& name) {
    for (const auto& item : v.pages.at(0).items)
        if (item.name == name) return &item;
    return nullptr;
}

} // namespace

TEST_CASE("CSV media: quotes, doubled quotes, CRLF, a byte order mark, short rows, an unclosed quote is refused",
          "[media]") {
    auto t = parseCsv("\xEF\xBB\xBF"
                      "name, label \r\n"
                      "a,\"say \"\"hi\"\", twice\"\r\n"
                      "\"multi\nline\",x\n"
                      "short\n"
                      "\n",
                      Lang::En);
    REQUIRE(t.ok());
    CHECK(t->header == std::vector<std::string>{"name", "label"});
    REQUIRE(t->rows.size() == 3);
    CHECK(t->rows[0] == std::vector<std::string>{"a", "say \"hi\", twice"});
    CHECK(t->rows[1][0] == "multi\nline");
    CHECK(t->rows[2] == std::vector<std::string>{"short", ""});
    CHECK(t->column("label") == 1);

    auto bad = parseCsv("name,label\nx,\"never closed\ny,z\n", Lang::En);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "quote opened on line 2 is never closed");
    CHECK_FALSE(parseCsv("", Lang::En).ok());
}

TEST_CASE("the loader: media are declared plain file names, and choice_file and pulldata() name declared ones",
          "[media][loader]") {
    const LoadResult ok = loadFormJson(mediaForm());
    INFO((ok.problems.empty() ? "" : ok.problems[0].format("f", Lang::En)));
    REQUIRE(ok.ok());
    CHECK(ok.form->media == std::vector<std::string>{"regions.csv", "districts.csv", "fruits.csv"});
    CHECK(ok.form->missingMedia().size() == 3);

    json doc = mediaForm();
    doc["media"] = {"regions.csv", "../etc/passwd.csv", "a\\b.csv", "regions.csv", "notes.txt"};
    const LoadResult r = loadFormJson(doc);
    std::vector<std::string> keys;
    for (const auto& p : r.problems)
        keys.push_back(p.pointer + " " + p.key);
    CHECK(keys == std::vector<std::string>{"/media/1 load.bad_media", "/media/2 load.bad_media",
                                           "/media/3 load.duplicate_media",
                                           "/pages/0/children/1/choice_file/file load.undeclared_media",
                                           "/pages/0/children/3/calculation load.undeclared_media"});

    json both = mediaForm();
    both["pages"][0]["children"][0]["choice_list"] = "x";
    CHECK(loadFormJson(both).problems.at(0).key == "load.choices_both");
}

TEST_CASE("a question's and a choice's media name declared image and audio files, per language", "[media][loader]") {
    json doc = mediaForm();
    doc["media"] = {"regions.csv", "districts.csv", "fruits.csv", "fruit.png", "fruit_sw.jpg", "ask.ogg"};
    doc["pages"][0]["children"][2]["media"] = {{"image", {{"en", "fruit.png"}, {"sw", "fruit_sw.jpg"}}},
                                               {"audio", "ask.ogg"}};
    doc["pages"][0]["children"][2]["type"] = "select_one";
    doc["pages"][0]["children"][2]["choices"] = {
        {{"value", "mango"}, {"label", "Mango"}, {"media", {{"image", "fruit.png"}}}}};
    const LoadResult ok = loadFormJson(doc);
    INFO((ok.problems.empty() ? "" : ok.problems[0].format("f", Lang::En)));
    REQUIRE(ok.ok());
    SessionOptions options;
    options.language = "sw";
    Session s(ok.form, options);
    const ItemView* fruit = nullptr;
    const FormView view = s.view();
    for (const auto& v : view.pages[0].items)
        if (v.name == "fruit") fruit = &v;
    REQUIRE(fruit);
    CHECK(fruit->image == "fruit_sw.jpg");
    CHECK(fruit->audio == "ask.ogg");
    REQUIRE(fruit->choices.size() == 1);
    CHECK(fruit->choices[0].image == "fruit.png");
    CHECK(fruit->choices[0].audio.empty());
    CHECK(ok.form->find("fruit")->media.image.get("en", "en") == "fruit.png");

    // A file the form does not declare, a file of another kind, an unknown key: refused where they are.
    doc["pages"][0]["children"][2]["media"] = {{"image", "ask.ogg"}, {"audio", "nope.mp3"}, {"video", "x.mp4"}};
    doc["pages"][0]["children"][2]["choices"][0]["media"] = "fruit.png";
    std::vector<std::string> keys;
    for (const auto& p : loadFormJson(doc).problems)
        keys.push_back(p.pointer + " " + p.key);
    CHECK(keys == std::vector<std::string>{"/pages/0/children/2/media/video load.unknown_property",
                                           "/pages/0/children/2/media/image load.label_media_type",
                                           "/pages/0/children/2/media/audio load.undeclared_label_media",
                                           "/pages/0/children/2/choices/0/media load.expect_object"});
}

TEST_CASE("choices from a CSV file beside the form, filtered by its columns, pulldata() reads a row",
          "[media][session]") {
    carnet::test::TempDir dir;
    for (const auto& [file, text] : {std::pair{"regions.csv", kRegions}, std::pair{"districts.csv", kDistricts},
                                     std::pair{"fruits.csv", kFruits}}) {
        std::ofstream out(dir.path() / file, std::ios::binary);
        out << text;
    }
    const LoadResult loaded = loadFormJson(mediaForm());
    REQUIRE(loaded.ok());
    auto form = attachMediaFromDir(*loaded.form, dir.path(), Lang::En);
    REQUIRE(form.ok());
    CHECK((*form)->missingMedia().empty());

    SessionOptions sw;
    sw.language = "sw";
    Session s(*form, sw);
    FormView v = s.view();
    CHECK(v.missingMedia.empty());
    CHECK(choiceValues(v, "region") == std::vector<std::string>{"dar", "aru"});
    CHECK(itemView(v, "region")->choices[1].label == "Arusha"); // the label::Swahili (sw) column
    CHECK(choiceValues(v, "district").empty());                 // choice_filter over the CSV's region_id
    REQUIRE(s.setAnswer("region", "dar").ok());
    CHECK(choiceValues(s.view(), "district") == std::vector<std::string>{"kin", "ila"});
    CHECK_FALSE(s.setAnswer("district", "mer").ok()); // Meru is in Arusha
    REQUIRE(s.setAnswer("district", "ila").ok());
    REQUIRE(s.setAnswer("fruit", "mango").ok());
    CHECK(s.record()["price"] == "1,5");
    REQUIRE(s.setAnswer("fruit", "kiwi").ok());
    CHECK_FALSE(s.record().contains("price")); // no row: empty, as ODK's pulldata()
    CHECK(s.complete());

    Session en(*form);
    CHECK(itemView(en.view(), "region")->choices[1].label == "Arusha, north");
}

TEST_CASE("a missing media file is named: no choices offered as if they were all, and the answer is refused",
          "[media][session]") {
    const LoadResult loaded = loadFormJson(mediaForm());
    REQUIRE(loaded.ok());
    auto form = attachMedia(*loaded.form, {{"regions.csv", kRegions}}, Lang::En);
    REQUIRE(form.ok());
    CHECK((*form)->missingMedia() == std::vector<std::string>{"districts.csv", "fruits.csv"});
    Session s(*form);
    REQUIRE(s.setAnswer("region", "dar").ok());
    const FormView v = s.view();
    CHECK(v.missingMedia == std::vector<std::string>{"districts.csv", "fruits.csv"});
    CHECK(itemView(v, "district")->error == "File 'districts.csv' is missing: its choices cannot be offered.");
    const auto r = s.setAnswer("district", "kin");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "File 'districts.csv' is missing: its choices cannot be offered.");
    CHECK_FALSE(s.complete());

    // A file without the column a select reads is an error naming the file, the column and the question.
    auto bad = attachMedia(*loaded.form, {{"districts.csv", "id,district_name\nkin,Kinondoni\n"}}, Lang::En);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "file 'districts.csv': no column 'district_id' for the choices of 'district'");
}

TEST_CASE("a media select's equality filter offers exactly what filtering every row offers", "[media][session]") {
    // `num = ${n}` compares numbers when ${n} is a number ("4", "4.0" and "04" all equal 4) and texts when
    // it is a text; an `or` cannot use the rows by column, and is evaluated on every row.
    json doc = json::parse(R"J({
      "id": "idx", "version": "1", "title": "Index", "default_language": "en", "languages": ["en"],
      "media": ["rows.csv"],
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "text", "name": "t", "label": "T"},
        {"type": "select_one", "name": "by_number", "label": "A", "choice_file": {"file": "rows.csv"},
         "choice_filter": "num = ${n} and starts-with(label, 'r')"},
        {"type": "select_one", "name": "by_text", "label": "B", "choice_file": {"file": "rows.csv"},
         "choice_filter": "${t} = num"},
        {"type": "select_one", "name": "either", "label": "C", "choice_file": {"file": "rows.csv"},
         "choice_filter": "num = ${n} or num = 5"}]}]})J");
    const LoadResult loaded = loadFormJson(doc);
    REQUIRE(loaded.ok());
    auto form = attachMedia(*loaded.form, {{"rows.csv", "name,label,num\na,ra,4\nb,rb,4.0\nc,rc,04\nd,xd,4\ne,re,5\n"}},
                            Lang::En);
    REQUIRE(form.ok());
    CHECK((*form)->find("by_number")->choiceIndex != nullptr);
    CHECK((*form)->find("by_text")->choiceIndex != nullptr);
    CHECK((*form)->find("either")->choiceIndex == nullptr);
    Session s(*form);
    CHECK(choiceValues(s.view(), "by_number").empty()); // ${n} empty: NaN equals nothing
    CHECK(choiceValues(s.view(), "by_text").empty());   // '' = num: no row has an empty num
    REQUIRE(s.setAnswer("n", 4).ok());
    REQUIRE(s.setAnswer("t", "04").ok());
    const FormView v = s.view();
    CHECK(choiceValues(v, "by_number") == std::vector<std::string>{"a", "b", "c"});
    CHECK(choiceValues(v, "by_text") == std::vector<std::string>{"c"});
    CHECK(choiceValues(v, "either") == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("a bundled form's manifest lists each media file with its type, sha256 and size", "[media][bundle]") {
    // The bundle (docs/form-format.md, "Media files"): bundleForm fills the manifest from the files, the
    // loader reads it back, verifyMedia refuses a file that differs or is missing, naming it.
    json doc = mediaForm();
    doc["media"].push_back("logo.png");
    const std::string districts = "district_id,district_name,region_id\nkin,Kinondoni,dar\nmer,Meru,aru\n";
    MediaContents files{{"regions.csv", kRegions},
                        {"districts.csv", districts},
                        {"fruits.csv", "name,price\nmango,3\n"},
                        {"logo.png", std::string("\x89PNG\r\n\x1a\n", 8)}};
    auto missing = bundleForm(doc.dump(), {{"regions.csv", kRegions}}, Lang::En);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "media file 'districts.csv' is missing: it must be beside the form");

    auto text = bundleForm(doc.dump(), files, Lang::En);
    REQUIRE(text.ok());
    const LoadResult loaded = loadForm(*text);
    REQUIRE(loaded.ok());
    REQUIRE(loaded.form->mediaFiles.size() == 4);
    const MediaFile& d = loaded.form->mediaFiles[1];
    CHECK(d.file == "districts.csv");
    CHECK(d.type == "csv");
    CHECK(d.sha256 == mediaSha256(districts));
    CHECK(d.size == static_cast<std::int64_t>(districts.size()));
    CHECK(loaded.form->mediaFiles[3].type == "image");
    CHECK(verifyMedia(*loaded.form, files, Lang::En).ok());
    // Bundling a bundle again checks it: the same files give the same text.
    auto again = bundleForm(*text, files, Lang::En);
    REQUIRE(again.ok());
    CHECK(*again == *text);

    MediaContents tampered = files;
    tampered["districts.csv"] += "zzz,Zzz,dar\n";
    auto refused = verifyMedia(*loaded.form, tampered, Lang::En);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.rfind(
              "media file 'districts.csv' does not match the form's manifest (sha256 " + d.sha256 + " expected", 0) ==
          0);
    auto rebundled = bundleForm(*text, tampered, Lang::En);
    REQUIRE_FALSE(rebundled.ok());
    CHECK(rebundled.error().message.find("'districts.csv' does not match") != std::string::npos);
    tampered.erase("logo.png");
    tampered["districts.csv"] = districts;
    CHECK(verifyMedia(*loaded.form, tampered, Lang::En).error().message ==
          "media file 'logo.png' is missing: it must be beside the form");

    // Attached, the CSV files are read and the image is present (carried, not read by the engine).
    auto form = attachMedia(*loaded.form, files, Lang::En);
    REQUIRE(form.ok());
    CHECK((*form)->missingMedia().empty());
}

TEST_CASE("a media manifest entry is checked: name, type, sha256 and size", "[media][bundle]") {
    auto problems = [](const json& media) {
        json doc = json::parse(R"J({"id": "m", "version": "1", "title": "M", "default_language": "en",
          "languages": ["en"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
          {"type": "text", "name": "t", "label": "T"}]}]})J");
        doc["media"] = media;
        std::string out;
        for (const auto& p : loadFormJson(doc).problems)
            out += p.pointer + " " + p.message(Lang::En) + "\n";
        return out;
    };
    const std::string sha(64, 'a');
    CHECK(problems(json::array({json{{"file", "a.csv"}, {"type", "csv"}, {"sha256", sha}, {"size", 3}}})).empty());
    CHECK(problems(json::array({"../etc/passwd"})).find("/media/0 invalid media file '../etc/passwd'") !=
          std::string::npos);
    CHECK(problems(json::array({json{{"file", "a.csv"}, {"sha256", "ABC"}, {"size", 3}}}))
              .find("/media/0/sha256 invalid sha256 'ABC'") != std::string::npos);
    CHECK(problems(json::array({json{{"file", "a.csv"}, {"sha256", sha}}})).find("/media/0 'sha256' and 'size'") !=
          std::string::npos);
    CHECK(problems(json::array({json{{"file", "a.png"}, {"type", "csv"}}}))
              .find("/media/0/type type 'csv' is wrong for 'a.png'") != std::string::npos);
    CHECK(problems(json::array({json{{"file", "a.csv"}, {"path", "x"}}})).find("/media/0/path") != std::string::npos);
    json many = json::array();
    for (int i = 0; i <= 100; ++i)
        many.push_back("f" + std::to_string(i) + ".csv");
    CHECK(problems(many).find("more than 100 media files") != std::string::npos);
}
