// libFuzzer target: XLSForm import. An input starting with "PK" is read as an .xlsx file (zip, XML
// parts, cells); any other input is a workbook written as text, so that the fuzzer reaches the
// importer's logic without having to forge zips: sheets separated by '\f' (survey, choices,
// settings), rows by '\n', cells by '\t'. Whatever comes in, the import either yields a form the
// loader accepts or says why, with translated messages.
#include "core/i18n.hpp"
#include "forms/loader.hpp"
#include "fuzz_expect.hpp"
#include "xlsform/import.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace carnet::xlsform;

using carnet::fuzz::expect;

namespace {

Workbook textWorkbook(std::string_view text) {
    static const char* const kNames[] = {"survey", "choices", "settings", "extra"};
    Workbook wb;
    std::size_t sheetIndex = 0;
    while (sheetIndex < 4) {
        const auto end = std::min(text.find('\f'), text.size());
        Sheet sheet;
        sheet.name = kNames[sheetIndex];
        std::string_view body = text.substr(0, end);
        int row = 1;
        while (!body.empty() && row < 1000) {
            const auto nl = std::min(body.find('\n'), body.size());
            std::string_view line = body.substr(0, nl);
            int col = 1;
            while (col < 64) {
                const auto tab = std::min(line.find('\t'), line.size());
                if (tab > 0) sheet.rows[row][col] = std::string(line.substr(0, tab));
                if (tab == line.size()) break;
                line.remove_prefix(tab + 1);
                ++col;
            }
            body.remove_prefix(std::min(nl + 1, body.size()));
            ++row;
        }
        wb.sheets.push_back(std::move(sheet));
        ++sheetIndex;
        if (end == text.size()) break;
        text.remove_prefix(end + 1);
    }
    return wb;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const ImportResult r =
        bytes.substr(0, 2) == "PK" ? importXlsform(bytes, "fuzz") : importWorkbook(textWorkbook(bytes), "fuzz");
    for (const auto& m : r.messages) {
        expect(carnet::hasTranslation(m.key));
        expect(!m.format("fuzz.xlsx", carnet::Lang::Fr).empty());
        expect(!m.format("fuzz.xlsx", carnet::Lang::En).empty());
    }
    if (r.ok()) {
        expect(r.count(Severity::Error) == 0);
        // What the importer produced is what `carnet-forms check` will read.
        expect(carnet::forms::loadForm(r.json.dump()).ok());
    } else {
        expect(r.count(Severity::Error) > 0);
    }
    return 0;
}
