// The imported corpus forms really run (issue 16): every workbook of ../shared/xlsform-corpus/ that
// imports is filled in a forms Session, page by page, as a person would: first with nothing answered,
// then with a plausible answer in every visible question (the first choice, the number 1, the text
// 'a', a date, a point, a line, a shape...), adding one instance to every repeat, until nothing new
// appears. Every relevant, constraint, calculation, read_only, repeat_count and choice_filter is
// evaluated along the way; none may report an evaluation error (Session::evaluationErrors), throw, or
// leave the record unwritable as JSON. The sanitizers of the dev build watch the rest.
#include "forms/loader.hpp"
#include "forms/session.hpp"
#include "xlsform/import.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace carnet::forms;
using nlohmann::json;

namespace {

const std::filesystem::path kSource(CARNET_SOURCE_DIR);

// A plausible answer for a question, or null for one that takes a file (photo, audio...). Variant 0 is
// the first choice, 1 and 'a'; variant 1 the last choice, 0 (divisions by it) and a text beyond ASCII.
json plausible(const ItemView& v, int variant) {
    const bool first = variant == 0;
    switch (v.type) {
    case ItemType::Text:
    case ItemType::Barcode:
        return first ? "a" : "Élodie ñ 東京";
    case ItemType::Integer:
    case ItemType::Decimal:
        return first ? 1 : 0;
    case ItemType::Range:
        return first ? v.rangeStart + v.rangeStep : v.rangeEnd;
    case ItemType::SelectOne:
        if (v.choices.empty()) return json();
        return first ? v.choices.front().value : v.choices.back().value;
    case ItemType::SelectMultiple:
        if (v.choices.empty()) return json();
        if (first) return json::array({v.choices.front().value});
        return json::array({v.choices.front().value, v.choices.back().value});
    case ItemType::Date:
        return first ? "2026-11-25" : "1969-12-31";
    case ItemType::Time:
        return first ? "08:30" : "23:59";
    case ItemType::DateTime:
        return first ? "2026-11-25T08:30:00" : "2000-02-29T23:59:59";
    case ItemType::Phone:
        return "+221771234567";
    case ItemType::Email:
        return "a@example.org";
    case ItemType::Acknowledge:
        return true;
    case ItemType::Geopoint:
        return first ? "14.7167 -17.4677 12 5" : "-33.9 151.2";
    case ItemType::Geotrace:
        return "14.7167 -17.4677 12 5;14.7170 -17.4680 12 5";
    case ItemType::Geoshape:
        return "14.7167 -17.4677 12 5;14.7170 -17.4680 12 5;14.7175 -17.4670 12 5;14.7167 -17.4677 12 5";
    default:
        return json();
    }
}

struct Walk {
    Walk(Session& s, int v)
        : session(s)
        , variant(v) {}
    Session& session;
    int variant;
    int answered = 0;
    int refused = 0; ///< plausible answers the question refused (its type's own rules): allowed
    std::set<std::string> tried;
    bool changed = false;

    void items(const std::vector<ItemView>& list) {
        for (const ItemView& v : list) {
            if (v.type == ItemType::Repeat) {
                if (v.instances.empty() && v.canAdd && tried.insert(v.path + "+").second) {
                    auto added = session.addRepeat(v.path);
                    CHECK(added.ok());
                    changed = true;
                }
                for (const auto& inst : v.instances)
                    items(inst);
                continue;
            }
            items(v.children);
            if (v.readOnly || !v.value.is_null() || !tried.insert(v.path).second) continue;
            const json answer = plausible(v, variant);
            if (answer.is_null()) continue;
            INFO("question " << v.path << " <- " << answer.dump());
            const auto r = session.setAnswer(v.path, answer, Validation::Lenient);
            if (r.ok()) {
                ++answered;
                changed = true;
            } else {
                ++refused;
            }
        }
    }
};

void checkSound(const Session& s) {
    for (const auto& e : s.evaluationErrors())
        FAIL_CHECK("evaluation error at " << e.path << ": " << e.message);
    CHECK_NOTHROW(s.record().dump());
    CHECK_NOTHROW(s.answers().dump());
}

} // namespace

TEST_CASE("every imported corpus form runs: every page, empty and with plausible answers", "[xlsform][corpus]") {
    const std::filesystem::path corpus = kSource / "../shared/xlsform-corpus";
    if (!std::filesystem::is_directory(corpus)) {
        WARN("no corpus at " << corpus.string() << ": nothing to check");
        return;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(corpus))
        if (entry.path().extension() == ".xlsx") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    int ran = 0, answered = 0, refused = 0;
    for (const auto& path : files) {
        const std::string file = path.filename().string();
        INFO(file);
        const auto imported = carnet::xlsform::importXlsformFile(path);
        if (!imported.ok()) continue; // refusals are xlsform_corpus_test.cpp's table
        const LoadResult loaded = loadForm(imported.json.dump());
        REQUIRE(loaded.ok());
        ++ran;
        for (const std::string& language :
             loaded.form->languages.empty() ? std::vector<std::string>{""} : loaded.form->languages) {
            INFO("language '" << language << "'");
            for (int variant = 0; variant < 2; ++variant) {
                INFO("variant " << variant);
                SessionOptions options;
                options.language = language;
                options.now = [] { return 20417.5; }; // 2025-11-25 at noon
                Session s(loaded.form, options);
                // Nothing answered: every expression sees empty values.
                const FormView empty = s.view();
                CHECK_FALSE(empty.pages.empty());
                checkSound(s);
                // Plausible answers, page after page, until no new question or instance appears.
                Walk walk(s, variant);
                for (int round = 0; round < 8; ++round) {
                    walk.changed = false;
                    for (const PageView& page : s.view().pages)
                        walk.items(page.items);
                    if (!walk.changed) break;
                }
                CHECK_FALSE(walk.changed); // settled
                checkSound(s);
                answered += walk.answered;
                refused += walk.refused;
            }
        }
    }
    WARN("corpus run: " << ran << " forms filled, " << answered << " answers set, " << refused
                        << " plausible answers refused by their question");
    if (!files.empty()) CHECK(ran >= 32);
}
