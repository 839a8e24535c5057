#include "core/clock.hpp"

#include "core/platform.hpp"

#include <cstdio>
#include <ctime>

namespace carnet::clock {

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long daysFromCivil(long long y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool parseDate(const std::string& text, int& y, int& m, int& d) {
    char tail = 0;
    return text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
           m <= 12 && d >= 1 && d <= 31;
}

std::string format(const std::tm& tm, const char* fmt) {
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
    return std::string(buf, n);
}

} // namespace

Instant systemNow() {
    return std::chrono::system_clock::now();
}

Source fixedAt(Instant at) {
    return [at] { return at; };
}

std::optional<Instant> parseIsoUtc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char z = 0, tail = 0;
    if (text.size() != 20 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &s, &z, &tail) != 7 ||
        z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    const long long days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return Instant(std::chrono::seconds(days * 86400 + h * 3600 + mi * 60 + s));
}

std::string isoUtc(Instant at) {
    return format(platform::utcTime(std::chrono::system_clock::to_time_t(at)), "%Y-%m-%dT%H:%M:%SZ");
}

std::string localDate(Instant at) {
    return localFormat(at, "%Y-%m-%d");
}

std::string localFormat(Instant at, const char* fmt) {
    return format(platform::localTime(std::chrono::system_clock::to_time_t(at)), fmt);
}

double localDays(Instant at) {
    const std::tm tm = platform::localTime(std::chrono::system_clock::to_time_t(at));
    const long long days =
        daysFromCivil(tm.tm_year + 1900LL, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
    return static_cast<double>(days) + (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) / 86400.0;
}

Instant onLocalDate(Instant at, const std::string& date) {
    int y = 0, m = 0, d = 0;
    if (!parseDate(date, y, m, d)) return at;
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm = platform::localTime(t);
    const long long shift =
        daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) -
        daysFromCivil(tm.tm_year + 1900LL, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
    // Same local time of day, `shift` days away: mktime normalises the day and finds the right offset
    // on either side of a daylight-saving change.
    tm.tm_mday += static_cast<int>(shift);
    tm.tm_isdst = -1;
    const std::time_t moved = std::mktime(&tm);
    if (moved == static_cast<std::time_t>(-1)) return at;
    return at + std::chrono::seconds(static_cast<long long>(moved) - static_cast<long long>(t));
}

} // namespace carnet::clock
