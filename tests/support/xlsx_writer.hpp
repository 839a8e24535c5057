#pragma once
// Writes small .xlsx workbooks in memory (libzip) for tests: inline-string rows, named sheets.

#include "xlsform/xlsx.hpp"

#include <catch2/catch.hpp>
#include <zip.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carnet::test {

using Parts = std::vector<std::pair<std::string, std::string>>;

// A zip holding `parts`, written in memory with libzip.
inline std::string zipBytes(const Parts& parts) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &ze);
    REQUIRE(src != nullptr);
    zip_source_keep(src);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    REQUIRE(z != nullptr);
    for (const auto& [name, data] : parts) {
        zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
        REQUIRE(s != nullptr);
        REQUIRE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8) >= 0);
    }
    REQUIRE(zip_close(z) == 0);
    REQUIRE(zip_source_open(src) == 0);
    REQUIRE(zip_source_seek(src, 0, SEEK_END) == 0);
    const zip_int64_t size = zip_source_tell(src);
    REQUIRE(zip_source_seek(src, 0, SEEK_SET) == 0);
    std::string out(static_cast<std::size_t>(size), '\0');
    REQUIRE(zip_source_read(src, out.data(), out.size()) == size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

inline std::string xmlEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

inline const char* kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
inline const char* kRelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

// Workbook parts around the given sheet XML bodies (name, <sheetData> content).
inline Parts workbookParts(const std::vector<std::pair<std::string, std::string>>& sheets) {
    Parts parts;
    std::string wb =
        std::string("<?xml version=\"1.0\"?><workbook xmlns=\"") + kMainNs + "\" xmlns:r=\"" + kRelNs + "\"><sheets>";
    std::string rels = "<?xml version=\"1.0\"?><Relationships "
                       "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        wb += "<sheet name=\"" + xmlEscape(sheets[i].first) + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
        rels += "<Relationship Id=\"rId" + n + "\" Target=\"worksheets/sheet" + n + ".xml\"/>";
        parts.emplace_back("xl/worksheets/sheet" + n + ".xml", std::string("<worksheet xmlns=\"") + kMainNs +
                                                                   "\"><sheetData>" + sheets[i].second +
                                                                   "</sheetData></worksheet>");
    }
    parts.emplace_back("xl/workbook.xml", wb + "</sheets></workbook>");
    parts.emplace_back("xl/_rels/workbook.xml.rels", rels + "</Relationships>");
    return parts;
}

using Rows = std::vector<std::vector<std::string>>;

// Sheet XML for rows of inline strings; row i is spreadsheet row i + 1, "" cells are left out.
inline std::string rowsXml(const Rows& rows) {
    std::string out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out += "<row r=\"" + std::to_string(r + 1) + "\">";
        for (std::size_t c = 0; c < rows[r].size(); ++c) {
            if (rows[r][c].empty()) continue;
            out += "<c r=\"" + xlsform::columnLetters(static_cast<int>(c + 1)) + std::to_string(r + 1) +
                   "\" t=\"inlineStr\"><is><t>" + xmlEscape(rows[r][c]) + "</t></is></c>";
        }
        out += "</row>";
    }
    return out;
}

inline std::string xlsx(const Rows& survey, const Rows& choices = {}, const Rows& settings = {}) {
    std::vector<std::pair<std::string, std::string>> sheets{{"survey", rowsXml(survey)}};
    if (!choices.empty()) sheets.emplace_back("choices", rowsXml(choices));
    if (!settings.empty()) sheets.emplace_back("settings", rowsXml(settings));
    return zipBytes(workbookParts(sheets));
}

} // namespace carnet::test
