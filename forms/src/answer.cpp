// Normalising answers by question type: what a person typed becomes the stored JSON value.
#include "core/strings.hpp"
#include "forms/normalize.hpp"
#include "forms/session.hpp"

#include <cmath>

namespace carnet::forms {

using nlohmann::json;

Lang uiLang(std::string_view formLanguage) {
    return parseLang(formLanguage).value_or(Lang::En);
}

namespace {

Error invalid(std::string message) {
    return makeError(ErrorCode::Invalid, std::move(message));
}

// A JSON scalar as text ("" for null), for types that accept typed-in text.
bool scalarText(const json& v, std::string& out) {
    if (v.is_string()) {
        out = v.get<std::string>();
        return true;
    }
    if (v.is_number_integer()) {
        out = std::to_string(v.get<long long>());
        return true;
    }
    if (v.is_number()) {
        out = formatNumber(v.get<double>());
        return true;
    }
    return false;
}

// Numbers may be typed the French way: "3,5".
bool numberFrom(const json& v, double& out) {
    if (v.is_number()) {
        out = v.get<double>();
        return std::isfinite(out);
    }
    if (!v.is_string()) return false;
    std::string s(trim(v.get<std::string>()));
    for (char& c : s)
        if (c == ',') c = '.';
    return parseDecimal(s, out);
}

// "25/11/2026" (as French people write it) becomes "2026-11-25".
std::string frenchDateToIso(std::string_view s) {
    if (s.size() == 10 && s[2] == '/' && s[5] == '/')
        return std::string(s.substr(6, 4)) + "-" + std::string(s.substr(3, 2)) + "-" + std::string(s.substr(0, 2));
    return std::string(s);
}

Result<json> normalizeChoice(const Form& form, const Item& item, const std::string& value, Lang lang) {
    if (item.choiceList < 0) return invalid(tr("forms.unknown_choice", lang, {value}));
    const ChoiceList& list = form.choiceLists[static_cast<std::size_t>(item.choiceList)];
    if (!item.choiceFile.empty() && !form.mediaTable(item.choiceFile))
        return invalid(tr("forms.media_missing", lang, {item.choiceFile}));
    if (list.find(value) < 0) return invalid(tr("forms.unknown_choice", lang, {value}));
    return json(value);
}

} // namespace

Result<json> normalizeAnswer(const Form& form, const Item& item, const json& value, Lang lang) {
    if (!isAnswerable(item.type)) return invalid(tr("forms.not_answerable", lang));
    if (value.is_null()) return json();
    if (value.is_string() && trim(value.get<std::string>()).empty()) return json();
    std::string text;
    switch (item.type) {
    case ItemType::Text:
    case ItemType::Barcode:
        if (value.is_boolean()) return invalid(tr("forms.not_text", lang));
        if (!scalarText(value, text)) return invalid(tr("forms.not_text", lang));
        return json(text);
    case ItemType::Integer: {
        if (value.is_number_integer()) return json(value.get<long long>());
        double d = 0;
        if (!numberFrom(value, d) || d != std::trunc(d) || std::fabs(d) > 9.0e15)
            return invalid(tr("forms.not_integer", lang));
        return json(static_cast<long long>(d));
    }
    case ItemType::Decimal: {
        double d = 0;
        if (!numberFrom(value, d)) return invalid(tr("forms.not_decimal", lang));
        if (d == std::trunc(d) && std::fabs(d) < 9.0e15) return json(static_cast<long long>(d));
        return json(d);
    }
    case ItemType::Range: {
        double d = 0;
        if (!numberFrom(value, d)) return invalid(tr("forms.not_decimal", lang));
        if (d < item.rangeStart || d > item.rangeEnd)
            return invalid(tr("forms.range", lang, {formatNumber(item.rangeStart), formatNumber(item.rangeEnd)}));
        const double steps = (d - item.rangeStart) / item.rangeStep;
        if (std::fabs(steps - std::round(steps)) > 1e-9)
            return invalid(tr("forms.range_step", lang, {formatNumber(item.rangeStep), formatNumber(item.rangeStart)}));
        if (d == std::trunc(d) && std::fabs(d) < 9.0e15) return json(static_cast<long long>(d));
        return json(d);
    }
    case ItemType::SelectOne:
        if (!scalarText(value, text)) return invalid(tr("forms.unknown_choice", lang, {value.dump()}));
        return normalizeChoice(form, item, std::string(trim(text)), lang);
    case ItemType::SelectMultiple: {
        std::vector<std::string> picked;
        if (value.is_array()) {
            for (const auto& v : value) {
                if (!scalarText(v, text)) return invalid(tr("forms.unknown_choice", lang, {v.dump()}));
                picked.emplace_back(trim(text));
            }
        } else if (scalarText(value, text)) {
            for (char& c : text)
                if (c == ',') c = ' ';
            picked = splitWhitespace(text);
        } else {
            return invalid(tr("forms.unknown_choice", lang, {value.dump()}));
        }
        json out = json::array();
        for (const auto& p : picked) {
            auto r = normalizeChoice(form, item, p, lang);
            if (!r.ok()) return r;
            if (std::find(out.begin(), out.end(), json(p)) == out.end()) out.push_back(p);
        }
        if (out.empty()) return json();
        return out;
    }
    case ItemType::Date: {
        double days = 0;
        if (!value.is_string()) return invalid(tr("forms.not_date", lang));
        const std::string iso = frenchDateToIso(trim(value.get<std::string>()));
        if (!parseIsoDate(iso, days)) return invalid(tr("forms.not_date", lang));
        return json(iso);
    }
    case ItemType::Time: {
        int secs = 0;
        if (!value.is_string()) return invalid(tr("forms.not_time", lang));
        std::string t(trim(value.get<std::string>()));
        if (t.size() == 4 && t[1] == ':') t = "0" + t; // "8:30"
        if (!parseIsoTime(t, secs)) return invalid(tr("forms.not_time", lang));
        return json(t);
    }
    case ItemType::DateTime: {
        double days = 0;
        if (!value.is_string()) return invalid(tr("forms.not_datetime", lang));
        std::string t(trim(value.get<std::string>()));
        // "06/12/2026 18:47" as French people write it, "2026-12-06 18:47" as the app shows it in English.
        if (t.size() >= 16 && t[2] == '/' && t[5] == '/' && t[10] == ' ')
            t = frenchDateToIso(t.substr(0, 10)) + "T" + t.substr(11);
        else if (t.size() >= 16 && t[4] == '-' && t[10] == ' ')
            t[10] = 'T';
        if (!parseIsoDateTime(t, days)) return invalid(tr("forms.not_datetime", lang));
        return json(t);
    }
    case ItemType::Phone: {
        if (!scalarText(value, text)) return invalid(tr("forms.bad_phone", lang));
        auto phone = normalizePhone(text);
        if (!phone) return invalid(tr("forms.bad_phone", lang));
        return json(*phone);
    }
    case ItemType::Email: {
        if (!value.is_string() || !isEmail(value.get<std::string>())) return invalid(tr("forms.bad_email", lang));
        return json(std::string(trim(value.get<std::string>())));
    }
    case ItemType::Acknowledge: {
        // Strictly as documented (docs/form-format.md): ticked is 1, true, oui or yes; unticked 0, false,
        // non or no. Anything else ("OK", 2, "peut-être") is refused rather than guessed.
        if (value.is_boolean()) return value.get<bool>() ? json(true) : json();
        if (value.is_number()) {
            const double d = value.get<double>();
            if (d == 1) return json(true);
            if (d == 0) return json();
        }
        if (value.is_string()) {
            std::string s(trim(value.get<std::string>()));
            for (char& c : s)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (s == "true" || s == "1" || s == "yes" || s == "oui") return json(true);
            if (s == "false" || s == "0" || s == "no" || s == "non") return json();
        }
        return invalid(tr("forms.not_answerable", lang));
    }
    case ItemType::Geopoint: {
        std::optional<std::string> point;
        if (value.is_string()) {
            point = normalizeGeopoint(value.get<std::string>());
        } else if (value.is_object() && value.contains("lat") && value.contains("lon") && value["lat"].is_number() &&
                   value["lon"].is_number()) {
            std::string s = formatNumber(value["lat"].get<double>()) + " " + formatNumber(value["lon"].get<double>());
            if (value.contains("alt") && value["alt"].is_number()) {
                s += " " + formatNumber(value["alt"].get<double>());
                if (value.contains("accuracy") && value["accuracy"].is_number())
                    s += " " + formatNumber(value["accuracy"].get<double>());
            }
            point = normalizeGeopoint(s);
        }
        if (!point) return invalid(tr("forms.bad_geopoint", lang));
        return json(*point);
    }
    case ItemType::Geotrace:
    case ItemType::Geoshape: {
        // ODK's text format: "lat lon alt accuracy;lat lon alt accuracy;..." (or a JSON array of points).
        std::vector<std::string> parts;
        if (value.is_array()) {
            for (const auto& p : value) {
                if (!p.is_string()) return invalid(tr("forms.bad_geotrace", lang));
                parts.push_back(p.get<std::string>());
            }
        } else if (value.is_string()) {
            std::string s = value.get<std::string>();
            for (std::size_t start = 0;;) {
                const auto semi = s.find(';', start);
                parts.push_back(s.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
                if (semi == std::string::npos) break;
                start = semi + 1;
            }
        } else {
            return invalid(tr("forms.bad_geotrace", lang));
        }
        std::vector<std::string> points;
        for (const auto& part : parts) {
            if (trim(part).empty()) continue;
            auto point = normalizeGeopoint(part);
            if (!point) return invalid(tr("forms.bad_geotrace", lang));
            points.push_back(*point);
        }
        const bool shape = item.type == ItemType::Geoshape;
        if (shape && !points.empty() && points.front() != points.back()) points.push_back(points.front());
        if (points.size() < (shape ? 4u : 2u))
            return invalid(tr(shape ? "forms.geoshape_points" : "forms.geotrace_points", lang));
        if (points.size() > 10000) return invalid(tr("forms.bad_geotrace", lang));
        std::string out;
        for (const auto& p : points)
            out += (out.empty() ? "" : ";") + p;
        return json(out);
    }
    case ItemType::Photo:
    case ItemType::Signature:
    case ItemType::Audio:
    case ItemType::Video: {
        if (!value.is_string()) return invalid(tr("forms.bad_attachment", lang));
        const std::string ref(trim(value.get<std::string>()));
        if (ref.size() > 255 || ref.find('/') != std::string::npos || ref.find('\\') != std::string::npos ||
            ref == "." || ref == "..")
            return invalid(tr("forms.bad_attachment", lang));
        return json(ref);
    }
    default:
        return invalid(tr("forms.not_answerable", lang));
    }
}

} // namespace carnet::forms
