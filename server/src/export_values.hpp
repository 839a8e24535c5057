#pragma once
// The cells of an export: an answer as the text of a CSV cell or the typed cell
// of a worksheet (a number, a date), a split answer's parts (a geopoint's
// numbers, a choice's 0/1), and an answer as a typed JSON value for GeoJSON.
// Private to the server library (export_service.cpp).

#include "forms/form.hpp"
#include "server/export_service.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server::exports {

/// What a cell holds. Numbers are written as numbers in XLSX, dates and times
/// as date cells (a number of days with a date format); in CSV all are text.
enum class CellKind {
    Text,
    Number,
    Plain, ///< text written by us from numbers (a point): never taken for a
           ///< formula
    Date,
    DateTime,
    Time,
};
/// One cell of a row.
struct Cell {
    std::string text;
    CellKind kind = CellKind::Text;
};
/// One row of a table.
using Row = std::vector<Cell>;

/// What one column shows of its question's answer.
enum class Part { Whole, Latitude, Longitude, Altitude, Accuracy, Choice };
/// One column of a table: a question (by its index in the table's items) and
/// its part.
struct Column {
    std::size_t item = 0;    ///< index in the table's items
    Part part = Part::Whole; ///< the whole answer, a geopoint's number or one choice
    std::string choice;      ///< Part::Choice: the choice's value
};

/// The label of choice `code` of a select question in `lang` (the form's
/// default language when it lacks it); the code itself when the question has no
/// such choice.
std::string choiceLabel(const forms::Form& form, const forms::Item& item, const std::string& code,
                        std::string_view lang);
/// The choice codes of a select_multiple answer: an array, or codes separated
/// by spaces.
std::vector<std::string> selectedCodes(const nlohmann::json& v);
/// The whole answer as one cell.
Cell cellOf(const forms::Form& form, const forms::Item& item, const nlohmann::json& v, const ExportOptions& o);
/// The four numbers of a geopoint answer ("lat lon [alt [accuracy]]" or an
/// object with lat, lon, alt, accuracy); nullopt when it is not a point.
std::optional<std::array<std::optional<double>, 4>> geopointOf(const nlohmann::json& v);
/// One column of a split answer: a geopoint's number, or whether a choice is
/// selected (1 or 0).
Cell partOf(const nlohmann::json& v, const Column& c);
/// An answer as a typed JSON value (GeoJSON properties): numbers as numbers, an
/// acknowledgement as a boolean, a select_multiple as an array of codes (or
/// labels), a repeat as its number of instances.
nlohmann::json typedOf(const forms::Form& form, const forms::Item& item, const nlohmann::json& v,
                       const ExportOptions& o);
/// Excel's serial number of a date, date-time or time cell (days since
/// 1899-12-30, the time of day as a fraction); nullopt when the text is not one
/// (it is then written as text, never lost).
std::optional<double> excelSerial(const Cell& c);

} // namespace carnet::server::exports
