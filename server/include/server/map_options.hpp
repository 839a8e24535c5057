#pragma once
// The record page's map (docs/console.md, "Points on a map"): Leaflet from Debian's libjs-leaflet,
// served by the server from where the package installs it, and tiles from a URL the operator gives.

#include <filesystem>
#include <string>
#include <string_view>

namespace carnet::server {

/// Where Debian's libjs-leaflet installs Leaflet (scripts/install-deps.sh).
inline constexpr std::string_view kDefaultLeafletDir = "/usr/share/javascript/leaflet";
/// The longest tile URL template and attribution taken.
inline constexpr std::size_t kMaxTileUrlBytes = 512;
inline constexpr std::size_t kMaxMapAttributionBytes = 300;

/// What the console's map is made of (`serve --leaflet-dir`, `--map-tiles`, `--map-attribution`).
struct MapOptions {
    /// Leaflet's files (leaflet.js, leaflet.css, images/), served under /console/vendor/leaflet/ as
    /// they are on the disk at each request: a folder without them, and the page lists its points
    /// without a map.
    std::filesystem::path leafletDir = std::string(kDefaultLeafletDir);
    /// The tiles' URL template as Leaflet reads it ({s} subdomain, {z}/{x}/{y}); "" = no tiles: the
    /// points on a blank map (and always listed as text).
    std::string tiles;
    /// Shown in the map's corner (a tile server's licence may ask for it); plain text.
    std::string attribution;
};

/// The origin the console's Content-Security-Policy lets images come from for a tile URL template
/// ("https://{s}.tile.example.org/{z}/{x}/{y}.png" -> "https://*.tile.example.org"), or "" when `tiles`
/// is not one: http(s), a host name (optionally after "{s}.") and port, {z}, {x} and {y}, at most
/// kMaxTileUrlBytes, and none of the characters that would end a policy's source (space, ',', ';',
/// quotes).
[[nodiscard]] std::string tileOrigin(std::string_view tiles);

/// True for an attribution the page may show: at most kMaxMapAttributionBytes of UTF-8 without
/// control characters.
[[nodiscard]] bool isMapAttribution(std::string_view text);

} // namespace carnet::server
