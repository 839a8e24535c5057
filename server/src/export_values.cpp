#include "export_values.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

namespace carnet::server::exports {

using nlohmann::json;

namespace {

// A number written in full ("43.4553", "-12", "1e3"), finite; nullopt for
// anything else.
std::optional<double> numberOf(std::string_view text) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    const std::string s(text);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// `n` digits of `s` at `at`, as a number.
bool readDigits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (s.size() < at + n) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Excel's day number of "YYYY-MM-DD" (days since 1899-12-30); nullopt when it
// is not a real date from 1900-03-01 on (Excel counts a 29 February 1900 that
// never was).
std::optional<double> excelDay(std::string_view s) {
    int y = 0, m = 0, d = 0;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !readDigits(s, 0, 4, y) || !readDigits(s, 5, 2, m) ||
        !readDigits(s, 8, 2, d) || m < 1 || m > 12 || d < 1)
        return std::nullopt;
    constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
    const std::int64_t serial = daysFromCivil(y, m, d) + 25569;
    if (serial < 61) return std::nullopt;
    return static_cast<double>(serial);
}

// The fraction of a day of "HH:MM[:SS[.fff]]", followed by nothing or a UTC
// offset (Z, ±HH:MM), which is dropped: a time is shown as the device wrote it,
// its local time.
std::optional<double> excelTime(std::string_view s) {
    int h = 0, m = 0, sec = 0;
    if (!readDigits(s, 0, 2, h) || s.size() < 5 || s[2] != ':' || !readDigits(s, 3, 2, m) || h > 23 || m > 59)
        return std::nullopt;
    std::size_t at = 5;
    double fraction = 0;
    if (at < s.size() && s[at] == ':') {
        if (!readDigits(s, at + 1, 2, sec) || sec > 59) return std::nullopt;
        at += 3;
        if (at < s.size() && s[at] == '.') {
            double scale = 0.1;
            std::size_t digits = 0;
            for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits, scale /= 10)
                fraction += (s[at] - '0') * scale;
            if (digits == 0 || digits > 9) return std::nullopt;
        }
    }
    const std::string_view zone = s.substr(at);
    int zh = 0, zm = 0;
    if (!zone.empty() && zone != "Z" &&
        !(zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && readDigits(zone, 1, 2, zh) && zone[3] == ':' &&
          readDigits(zone, 4, 2, zm)))
        return std::nullopt;
    return (h * 3600 + m * 60 + sec + fraction) / 86400.0;
}

} // namespace

std::string choiceLabel(const forms::Form& form, const forms::Item& item, const std::string& code,
                        std::string_view lang) {
    if (item.choiceList < 0 || static_cast<std::size_t>(item.choiceList) >= form.choiceLists.size()) return code;
    const auto& list = form.choiceLists[static_cast<std::size_t>(item.choiceList)];
    const int at = list.find(code);
    if (at < 0) return code;
    return list.choices[static_cast<std::size_t>(at)].label.get(lang, form.defaultLanguage);
}

// The choice codes of a select_multiple answer: an array, or codes separated by
// spaces.
std::vector<std::string> selectedCodes(const json& v) {
    std::vector<std::string> out;
    if (v.is_array()) {
        for (const auto& c : v)
            if (c.is_string()) out.push_back(c.get<std::string>());
    } else if (v.is_string()) {
        std::istringstream in(v.get<std::string>());
        for (std::string c; in >> c;)
            out.push_back(c);
    }
    return out;
}

Cell cellOf(const forms::Form& form, const forms::Item& item, const json& v, const ExportOptions& o) {
    if (v.is_null()) return {};
    if (item.type == forms::ItemType::Repeat) return {std::to_string(v.is_array() ? v.size() : 0), CellKind::Number};
    if (v.is_number()) return {v.dump(), CellKind::Number};
    if (v.is_boolean()) return {v.get<bool>() ? "1" : "0", CellKind::Number};
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (o.labels && item.type == forms::ItemType::SelectOne) return {choiceLabel(form, item, s, o.lang)};
        switch (item.type) {
        case forms::ItemType::Date:
            return {s, CellKind::Date};
        case forms::ItemType::DateTime:
            return {s, CellKind::DateTime};
        case forms::ItemType::Time:
            return {s, CellKind::Time};
        default:
            return {s};
        }
    }
    if (v.is_array() && item.type == forms::ItemType::SelectMultiple) {
        std::string out;
        for (const auto& c : selectedCodes(v)) {
            if (!out.empty()) out += o.labels ? " ; " : " ";
            out += o.labels ? choiceLabel(form, item, c, o.lang) : c;
        }
        return {out};
    }
    if (v.is_object() && item.type == forms::ItemType::Geopoint && v.contains("lat") && v.contains("lon"))
        return {v["lat"].dump() + " " + v["lon"].dump(), CellKind::Plain};
    return {v.dump(-1, ' ', false, json::error_handler_t::replace)};
}

// The four numbers of a geopoint answer ("lat lon [alt [accuracy]]" or an
// object with lat, lon, alt, accuracy); nullopt when it is not a point.
std::optional<std::array<std::optional<double>, 4>> geopointOf(const json& v) {
    std::array<std::optional<double>, 4> out;
    if (v.is_object()) {
        const std::array<const char*, 4> keys{"lat", "lon", "alt", "accuracy"};
        for (std::size_t i = 0; i < keys.size(); ++i) {
            auto it = v.find(keys[i]);
            if (it == v.end() || it->is_null()) continue;
            if (it->is_number())
                out[i] = it->get<double>();
            else if (it->is_string())
                out[i] = numberOf(it->get<std::string>());
            if (!out[i]) return std::nullopt;
        }
    } else if (v.is_string()) {
        std::istringstream in(v.get<std::string>());
        std::size_t n = 0;
        for (std::string word; in >> word; ++n) {
            if (n >= out.size()) return std::nullopt;
            out[n] = numberOf(word);
            if (!out[n]) return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    if (!out[0] || !out[1] || *out[0] < -90 || *out[0] > 90 || *out[1] < -180 || *out[1] > 180) return std::nullopt;
    return out;
}

// One column of a split answer: a geopoint's number, or whether a choice is
// selected (1 or 0).
Cell partOf(const json& v, const Column& c) {
    if (v.is_null()) return {};
    if (c.part == Part::Choice) {
        const auto codes = selectedCodes(v);
        return {std::find(codes.begin(), codes.end(), c.choice) != codes.end() ? "1" : "0", CellKind::Number};
    }
    const auto point = geopointOf(v);
    if (!point) return {};
    const auto& n = (*point)[static_cast<std::size_t>(c.part) - static_cast<std::size_t>(Part::Latitude)];
    if (!n) return {};
    return {json(*n).dump(), CellKind::Number};
}

// An answer as a typed JSON value (GeoJSON properties): numbers as numbers, an
// acknowledgement as a boolean, a select_multiple as an array of codes (or
// labels), a repeat as its number of instances.
json typedOf(const forms::Form& form, const forms::Item& item, const json& v, const ExportOptions& o) {
    switch (item.type) {
    case forms::ItemType::Repeat:
        return json(v.is_array() ? v.size() : std::size_t{0});
    case forms::ItemType::SelectMultiple: {
        json out = json::array();
        for (const auto& c : selectedCodes(v))
            out.push_back(o.labels ? choiceLabel(form, item, c, o.lang) : c);
        return out;
    }
    case forms::ItemType::SelectOne:
        if (o.labels && v.is_string()) return choiceLabel(form, item, v.get<std::string>(), o.lang);
        return v;
    case forms::ItemType::Integer:
    case forms::ItemType::Decimal:
    case forms::ItemType::Range:
        if (auto n = v.is_string() ? numberOf(v.get<std::string>()) : std::nullopt) {
            if (item.type == forms::ItemType::Integer && *n == std::floor(*n) && std::fabs(*n) < 9e15)
                return static_cast<std::int64_t>(*n);
            return *n;
        }
        return v;
    case forms::ItemType::Acknowledge:
        if (v.is_string()) {
            const auto s = v.get<std::string>();
            if (s == "true" || s == "1" || s == "OK") return true;
            if (s == "false" || s == "0") return false;
        }
        return v;
    default:
        return v;
    }
}

// Excel's serial number of a date, date-time or time cell; nullopt when the
// text is not one (it is then written as text, never lost).
std::optional<double> excelSerial(const Cell& c) {
    const std::string_view s = c.text;
    switch (c.kind) {
    case CellKind::Date:
        return excelDay(s);
    case CellKind::Time:
        return excelTime(s);
    case CellKind::DateTime: {
        if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ')) return std::nullopt;
        auto day = excelDay(s.substr(0, 10));
        auto time = excelTime(s.substr(11));
        if (!day || !time) return std::nullopt;
        return *day + *time;
    }
    default:
        return std::nullopt;
    }
}

} // namespace carnet::server::exports
