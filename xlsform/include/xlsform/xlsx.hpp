#pragma once
// Reading the cells of an .xlsx workbook (Office Open XML spreadsheet): a zip of XML parts.
// Only what an XLSForm needs: sheet names and cell texts (shared and inline strings, numbers as
// written, booleans as TRUE/FALSE, formula results). Styles, dates and formulas are not interpreted.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::xlsform {

/// A cell position, 1-based: "AB12" is column 28, row 12.
struct CellRef {
    int column = 0;
    int row = 0;
};

/// Parses "A1" ... "XFD1048576" (letters then digits, no '$'); nullopt for anything else.
[[nodiscard]] std::optional<CellRef> parseCellRef(std::string_view ref);
/// The letters of a 1-based column: 1 -> "A", 28 -> "AB".
[[nodiscard]] std::string columnLetters(int column);

/// One worksheet: non-empty cells by row, then column (both 1-based).
struct Sheet {
    std::string name;
    std::map<int, std::map<int, std::string>> rows;
    /// The text of a cell, "" when it is empty.
    [[nodiscard]] const std::string& cell(int row, int column) const;
};

/// A workbook's sheets in workbook order.
struct Workbook {
    std::vector<Sheet> sheets;
    /// The sheet whose name matches `name` ignoring ASCII case, or nullptr.
    [[nodiscard]] const Sheet* find(std::string_view name) const;
};

/// Why a workbook could not be read: a translation key, its arguments and the part concerned.
struct XlsxError {
    std::string key; ///< xlsform.not_zip, xlsform.missing_part, xlsform.bad_xml, ...
    std::vector<std::string> args;
};

/// Parts larger than this (uncompressed) are refused: a zip bomb must not exhaust a tablet's memory.
inline constexpr std::uint64_t kMaxPartBytes = 64ull * 1024 * 1024;

/// Reads a workbook from the bytes of an .xlsx file. Returns false and fills `error` when the zip or
/// one of its parts is unreadable.
[[nodiscard]] bool readWorkbook(std::string_view bytes, Workbook& out, XlsxError& error);

} // namespace carnet::xlsform
