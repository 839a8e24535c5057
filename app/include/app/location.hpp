#pragma once
// Where the device is, for geopoint, geotrace and geoshape questions: what the app asks of a
// positioning source. The loop gives it one (app/main.cpp: a fixed position given with --location on
// a desktop, which has no receiver); tests give theirs. Without one, points are typed.

#include <optional>
#include <string>

namespace carnet::app {

/// A position fix, as ODK stores a point: degrees, metres above the ellipsoid, accuracy in metres.
struct Position {
    double latitude = 0, longitude = 0, altitude = 0, accuracy = 0;
};

/// A source of positions (a GNSS receiver, the platform's location service).
class LocationSource {
public:
    virtual ~LocationSource() = default;
    /// The latest fix; none when the source has none yet (no signal).
    virtual std::optional<Position> current() = 0;
};

/// `p` in ODK's text format: "lat lon alt accuracy" (latitude and longitude to 1e-7 degree, about a
/// centimetre; altitude and accuracy to 0.1 m; no trailing zeros).
[[nodiscard]] std::string odkPoint(const Position& p);

/// A fixed position (`--location "LAT LON [ALT [ACC]]"`), for a desktop without a receiver.
class FixedLocation final : public LocationSource {
public:
    explicit FixedLocation(Position p)
        : m_position(p) {}
    std::optional<Position> current() override { return m_position; }

private:
    Position m_position;
};

/// Reads "LAT LON [ALT [ACC]]" (latitude -90..90, longitude -180..180); none when it is not that.
[[nodiscard]] std::optional<Position> parsePosition(const std::string& text);

} // namespace carnet::app
