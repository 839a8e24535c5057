// The XLSForm corpus (../shared/xlsform-corpus/, workbooks written by others: deployed OpenStreetMap
// field forms and pyxform's examples, sources in SOURCES.tsv): every workbook is imported and its
// outcome compared with tests/forms/xlsform_corpus.tsv, kept in the repository. An imported form must
// load again from its JSON (what `carnet-forms check` does); a refused one must be refused with the
// recorded message, named by its translation key and first argument.
#include "forms/loader.hpp"
#include "xlsform/import.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

using namespace carnet::xlsform;

namespace {

const std::filesystem::path kSource(CARNET_SOURCE_DIR);

struct Expected {
    std::string outcome; ///< "imported" or "refused"
    std::string errors;  ///< refused: number of errors
    std::string detail;  ///< refused: "key arg0" of the first error
};

std::map<std::string, Expected> readTable() {
    std::map<std::string, Expected> table;
    std::ifstream in(kSource / "tests/forms/xlsform_corpus.tsv");
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file;
        Expected e;
        std::getline(fields, file, '\t');
        std::getline(fields, e.outcome, '\t');
        std::getline(fields, e.errors, '\t');
        std::getline(fields, e.detail, '\t');
        table[file] = e;
    }
    return table;
}

} // namespace

TEST_CASE("every corpus workbook imports, or is refused as the table says", "[xlsform][corpus]") {
    const std::filesystem::path corpus = kSource / "../shared/xlsform-corpus";
    if (!std::filesystem::is_directory(corpus)) {
        WARN("no corpus at " << corpus.string() << ": nothing to check");
        return;
    }
    const auto table = readTable();
    int seen = 0, imported = 0;
    for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
        if (entry.path().extension() != ".xlsx") continue;
        const std::string file = entry.path().filename().string();
        INFO(file);
        ++seen;
        const ImportResult r = importXlsformFile(entry.path());
        std::string first;
        for (const auto& m : r.messages) {
            if (m.severity != Severity::Error) continue;
            INFO(m.format(file, carnet::Lang::En));
            if (first.empty()) first = m.key + " " + (m.args.empty() ? std::string() : m.args[0]);
        }
        // CARNET_CORPUS_PRINT=1 prints today's outcomes as table lines, to update the table.
        if (std::getenv("CARNET_CORPUS_PRINT"))
            std::cout << file << '\t' << (r.ok() ? "imported" : "refused") << '\t'
                      << (r.ok() ? "" : std::to_string(r.count(Severity::Error))) << '\t' << first << '\n';
        auto it = table.find(file);
        CHECK(it != table.end());
        if (it == table.end()) continue;
        const Expected& want = it->second;
        if (want.outcome == "imported") {
            CHECK(r.ok());
            if (!r.ok()) continue;
            ++imported;
            // What `carnet-forms check` does on the file the importer writes.
            const auto again = carnet::forms::loadForm(r.json.dump(2));
            CHECK(again.ok());
        } else {
            REQUIRE(want.outcome == "refused");
            CHECK_FALSE(r.ok());
            CHECK(first == want.detail);
            CHECK(std::to_string(r.count(Severity::Error)) == want.errors);
        }
    }
    CHECK(seen == static_cast<int>(table.size()));
    WARN("corpus: " << imported << " of " << seen << " workbooks imported");
}
