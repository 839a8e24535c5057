#include "app/location.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace carnet::app {

namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

} // namespace

std::string odkPoint(const Position& p) {
    return fixed(p.latitude, 7) + " " + fixed(p.longitude, 7) + " " + fixed(p.altitude, 1) + " " + fixed(p.accuracy, 1);
}

std::optional<Position> parsePosition(const std::string& text) {
    std::istringstream in(text);
    Position p;
    if (!(in >> p.latitude >> p.longitude)) return std::nullopt;
    if (in >> p.altitude) in >> p.accuracy;
    if (!std::isfinite(p.latitude) || !std::isfinite(p.longitude) || !std::isfinite(p.altitude) ||
        !std::isfinite(p.accuracy) || std::fabs(p.latitude) > 90 || std::fabs(p.longitude) > 180 || p.accuracy < 0)
        return std::nullopt;
    return p;
}

} // namespace carnet::app
