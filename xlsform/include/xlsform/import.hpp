#pragma once
// XLSForm (.xlsx) -> Carnet form JSON. Every row the importer cannot carry over is reported with its
// sheet, row and column; the JSON it produces is then checked by the forms loader, whose problems are
// mapped back to the spreadsheet cell they come from. See docs/xlsform.md.

#include "core/i18n.hpp"
#include "forms/loader.hpp"
#include "xlsform/xlsx.hpp"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::xlsform {

/// Where a message points in the workbook. Empty sheet: the file as a whole; row 0: the sheet.
struct Location {
    std::string sheet;
    int row = 0;        ///< 1-based spreadsheet row, 0 when the message is about the whole sheet
    std::string column; ///< column letters ("D"), empty when the column does not exist in the sheet
    std::string header; ///< the column's header ("constraint", "label::English (en)"), may be empty
};

/// How serious a message is: warnings leave a usable form, errors do not.
enum class Severity { Warning, Error };

/// One thing the importer (or the loader, on the produced JSON) has to say about the workbook.
struct Message {
    Severity severity = Severity::Error;
    Location where;
    std::string key; ///< translation key
    std::vector<std::string> args;
    std::optional<forms::Problem> loaderProblem; ///< set when the message comes from the forms loader
    /// The message in `lang`, without location.
    [[nodiscard]] std::string text(Lang lang) const;
    /// "FILE: survey, row 5, column D (constraint): error: ..." in `lang`.
    [[nodiscard]] std::string format(std::string_view file, Lang lang) const;
};

/// The outcome of an import: the form JSON and the loaded form when there is no error.
struct ImportResult {
    nlohmann::ordered_json json;             ///< the Carnet form (null when there are errors)
    std::shared_ptr<const forms::Form> form; ///< the form as the loader built it (null when there are errors)
    std::vector<Message> messages;           ///< warnings and errors, in sheet and row order
    /// True when there is no error (warnings allowed).
    [[nodiscard]] bool ok() const { return form != nullptr; }
    /// Number of messages of `severity`.
    [[nodiscard]] int count(Severity severity) const;
};

/// Imports an XLSForm from an already read workbook; `fallbackId` is the form id when settings has none.
[[nodiscard]] ImportResult importWorkbook(const Workbook& workbook, std::string_view fallbackId);
/// Imports an XLSForm from the bytes of an .xlsx file.
[[nodiscard]] ImportResult importXlsform(std::string_view bytes, std::string_view fallbackId);
/// Imports an .xlsx file; its stem (made a valid name) is the fallback form id.
[[nodiscard]] ImportResult importXlsformFile(const std::filesystem::path& path);

} // namespace carnet::xlsform
