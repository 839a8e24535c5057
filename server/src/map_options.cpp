#include "server/map_options.hpp"

#include "core/strings.hpp"

#include <algorithm>

namespace carnet::server {

std::string tileOrigin(std::string_view tiles) {
    if (tiles.size() > kMaxTileUrlBytes) return {};
    std::string_view scheme;
    for (std::string_view s : {"https://", "http://"})
        if (tiles.rfind(s, 0) == 0) scheme = s;
    if (scheme.empty()) return {};
    for (std::string_view needed : {"{z}", "{x}", "{y}"})
        if (tiles.find(needed) == std::string_view::npos) return {};
    // A URL's characters but those a policy reads as the end of a source or a directive.
    const bool plain = std::all_of(tiles.begin(), tiles.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f && c != ',' && c != ';' && c != '\'' && c != '"' && c != '\\' && c != '<' &&
               c != '>' && c != '`';
    });
    if (!plain) return {};
    std::string_view rest = tiles.substr(scheme.size());
    std::string_view host = rest.substr(0, std::min(rest.find('/'), rest.size()));
    std::string origin(scheme);
    if (host.rfind("{s}.", 0) == 0) { // subdomains a, b, c...: any of them
        origin += "*.";
        host.remove_prefix(4);
    }
    const auto colon = host.find(':');
    const std::string_view name = host.substr(0, colon);
    const std::string_view port = colon == std::string_view::npos ? std::string_view() : host.substr(colon + 1);
    if (name.empty() || name.front() == '.' || name.front() == '-' ||
        !std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        }))
        return {};
    if (colon != std::string_view::npos &&
        (port.empty() || port.size() > 5 ||
         !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })))
        return {};
    origin += host;
    return origin;
}

bool isMapAttribution(std::string_view text) {
    if (text.size() > kMaxMapAttributionBytes || invalidUtf8At(text) != std::string_view::npos) return false;
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

} // namespace carnet::server
