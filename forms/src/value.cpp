#include "forms/value.hpp"

#include "core/strings.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace carnet::forms {

Value Value::string(std::string s) {
    Value v;
    v.m_kind = Kind::String;
    v.m_str = std::move(s);
    return v;
}
Value Value::number(double d) {
    Value v;
    v.m_kind = Kind::Number;
    v.m_num = d;
    return v;
}
Value Value::boolean(bool b) {
    Value v;
    v.m_kind = Kind::Bool;
    v.m_bool = b;
    return v;
}
Value Value::date(double days, std::string text) {
    Value v;
    v.m_kind = Kind::Date;
    v.m_num = days;
    v.m_str = std::move(text);
    return v;
}
Value Value::list(std::vector<Value> items) {
    Value v;
    v.m_kind = Kind::List;
    v.m_list = std::move(items);
    return v;
}

bool Value::isEmpty() const {
    switch (m_kind) {
    case Kind::String:
        return m_str.empty();
    case Kind::List:
        return m_list.empty();
    default:
        return false;
    }
}

std::string Value::toString() const {
    switch (m_kind) {
    case Kind::String:
    case Kind::Date:
        return m_str;
    case Kind::Number:
        // XPath 1.0 string(): never an exponent. Whole numbers up to 1e21 are written digit by digit
        // (string(pow(10, 15)) is "1000000000000000", not "1e+15"); past that JavaScript's and Java's
        // exponent forms differ anyway, so Carnet's shortest form stays.
        if (std::isfinite(m_num) && m_num == std::trunc(m_num) && std::fabs(m_num) < 1e21) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.0f", m_num == 0 ? 0.0 : m_num); // -0 is "0"
            return buf;
        }
        return formatNumber(m_num); // "NaN", "Infinity", "-Infinity", or the shortest decimal text
    case Kind::Bool:
        return m_bool ? "true" : "false";
    case Kind::List:
        return m_list.empty() ? std::string() : m_list.front().toString();
    }
    return {};
}

double Value::toNumber() const {
    switch (m_kind) {
    case Kind::Number:
    case Kind::Date:
        return m_num;
    case Kind::Bool:
        return m_bool ? 1.0 : 0.0;
    case Kind::String: {
        // XPath number(): an optional '-' only; "+5" is NaN.
        double d = 0;
        const std::string_view t = trim(m_str);
        if (!t.empty() && t[0] == '+') return std::numeric_limits<double>::quiet_NaN();
        return parseDecimal(m_str, d) ? d : std::numeric_limits<double>::quiet_NaN();
    }
    case Kind::List:
        return m_list.empty() ? std::numeric_limits<double>::quiet_NaN() : m_list.front().toNumber();
    }
    return std::numeric_limits<double>::quiet_NaN();
}

bool Value::toBool() const {
    switch (m_kind) {
    case Kind::Bool:
        return m_bool;
    case Kind::Number:
        return m_num != 0.0 && !std::isnan(m_num);
    case Kind::String:
        return !m_str.empty();
    case Kind::Date:
        return true;
    case Kind::List:
        return !m_list.empty();
    }
    return false;
}

std::vector<Value> Value::items() const {
    if (m_kind == Kind::List) return m_list;
    return {*this};
}

bool Value::same(const Value& other) const {
    if (m_kind != other.m_kind) return false;
    switch (m_kind) {
    case Kind::String:
        return m_str == other.m_str;
    case Kind::Number:
        return m_num == other.m_num || (std::isnan(m_num) && std::isnan(other.m_num));
    case Kind::Bool:
        return m_bool == other.m_bool;
    case Kind::Date:
        return m_str == other.m_str;
    case Kind::List:
        if (m_list.size() != other.m_list.size()) return false;
        for (std::size_t i = 0; i < m_list.size(); ++i)
            if (!m_list[i].same(other.m_list[i])) return false;
        return true;
    }
    return false;
}

namespace {

// Days from civil date (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
long long daysFromCivil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

bool validDate(int y, int m, int d) {
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int max = (m == 2 && leap) ? 29 : kDays[m - 1];
    return d <= max;
}

bool parseTimeAt(std::string_view s, std::size_t pos, std::size_t& end, double& seconds) {
    int h = 0, mi = 0, sec = 0;
    double fraction = 0; // of a second: format-date-time's %3 shows the milliseconds
    if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, mi)) return false;
    end = pos + 5;
    if (end < s.size() && s[end] == ':') {
        if (!digits(s, end + 1, 2, sec)) return false;
        end += 3;
        if (end < s.size() && s[end] == '.') {
            ++end;
            const std::size_t start = end;
            double scale = 0.1;
            while (end < s.size() && s[end] >= '0' && s[end] <= '9') {
                fraction += (s[end] - '0') * scale;
                scale /= 10;
                ++end;
            }
            if (end == start) return false;
        }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    seconds = h * 3600.0 + mi * 60.0 + sec + fraction;
    return true;
}

} // namespace

bool parseIsoDate(std::string_view s, double& days) {
    int y = 0, m = 0, d = 0;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d) || !validDate(y, m, d)) return false;
    days = static_cast<double>(daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
    return true;
}

bool parseIsoDateTime(std::string_view s, double& days) {
    if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ')) return false;
    if (!parseIsoDate(s.substr(0, 10), days)) return false;
    std::size_t end = 0;
    double seconds = 0;
    if (!parseTimeAt(s, 11, end, seconds)) return false;
    double offset = 0;
    if (end < s.size()) {
        if (s[end] == 'Z' && end + 1 == s.size()) {
            offset = 0;
        } else if ((s[end] == '+' || s[end] == '-') && s.size() == end + 6 && s[end + 3] == ':') {
            int oh = 0, om = 0;
            if (!digits(s, end + 1, 2, oh) || !digits(s, end + 4, 2, om) || oh > 14 || om > 59) return false;
            offset = (oh * 3600.0 + om * 60.0) * (s[end] == '+' ? 1 : -1);
        } else {
            return false;
        }
    }
    days += (seconds - offset) / 86400.0;
    return true;
}

bool parseIsoTime(std::string_view s, int& seconds) {
    std::size_t end = 0;
    double sec = 0;
    if (!parseTimeAt(s, 0, end, sec) || end != s.size()) return false;
    seconds = static_cast<int>(sec);
    return true;
}

std::string formatIsoDate(long long days) {
    // Inverse of daysFromCivil.
    days += 719468;
    const long long era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long y = static_cast<long long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", y + (m <= 2), m, d);
    return buf;
}

} // namespace carnet::forms
