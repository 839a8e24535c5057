#include "forms/normalize.hpp"

#include "core/strings.hpp"

#include <array>
#include <cstdio>

namespace carnet::forms {

namespace {

// French overseas departments use their own country codes in E.164 even when dialled as 0X.
struct Overseas {
    std::string_view prefix; // national prefix after the leading 0
    std::string_view country;
};
constexpr std::array kOverseas{
    Overseas{"590", "590"}, Overseas{"690", "590"}, Overseas{"691", "590"}, // Guadeloupe, St-Martin, St-Barth
    Overseas{"594", "594"}, Overseas{"694", "594"},                         // Guyane
    Overseas{"596", "596"}, Overseas{"696", "596"}, Overseas{"697", "596"}, // Martinique
    Overseas{"262", "262"}, Overseas{"692", "262"}, Overseas{"693", "262"}, // La Réunion
    Overseas{"269", "262"}, Overseas{"639", "262"},                         // Mayotte
};

} // namespace

std::optional<std::string> normalizePhone(std::string_view input) {
    std::string digits;
    bool plus = false;
    std::string_view s = trim(input);
    // "+33 (0)6 12 34 56 78": the "(0)" is a national trunk prefix, dropped.
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c == '+' && digits.empty() && !plus) {
            plus = true;
        } else if (c == '(' && i + 2 < s.size() && s[i + 1] == '0' && s[i + 2] == ')') {
            i += 2;
        } else if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '/') {
            continue;
        } else {
            return std::nullopt;
        }
    }
    if (!plus && digits.rfind("00", 0) == 0) {
        plus = true;
        digits.erase(0, 2);
    }
    if (!plus) {
        // A French national number: 0 followed by 9 digits, the first of them not 0.
        if (digits.size() != 10 || digits[0] != '0' || digits[1] == '0') return std::nullopt;
        const std::string national = digits.substr(1);
        for (const auto& o : kOverseas)
            if (national.rfind(o.prefix, 0) == 0) return std::string("+").append(o.country).append(national);
        return "+33" + national;
    }
    if (digits.rfind("33", 0) == 0) {
        std::string national = digits.substr(2);
        if (national.size() == 10 && national[0] == '0') national.erase(0, 1); // "+33 06..." typed by habit
        if (national.size() != 9 || national[0] == '0') return std::nullopt;
        return "+33" + national;
    }
    if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return std::nullopt;
    return "+" + digits;
}

bool isEmail(std::string_view input) {
    const std::string_view s = trim(input);
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const std::string_view domain = s.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
    if (domain.find("..") != std::string_view::npos) return false;
    for (char c : s)
        if (c == ' ' || c == '\t' || c == ',' || c == ';' || c == '<' || c == '>') return false;
    return true;
}

std::optional<std::string> normalizeGeopoint(std::string_view input) {
    const auto parts = splitWhitespace(input);
    if (parts.size() < 2 || parts.size() > 4) return std::nullopt;
    std::array<double, 4> v{};
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (!parseDecimal(parts[i], v[i])) return std::nullopt;
    if (v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180) return std::nullopt;
    if (parts.size() == 4 && v[3] < 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += ' ';
        out += formatNumber(v[i]);
    }
    return out;
}

} // namespace carnet::forms
