// Checks a screenshot: right size, not blank, and text drawn on it (many dark, anti-aliased pixels).
#include "app/png.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: png_check FILE WIDTH HEIGHT\n");
        return 2;
    }
    int w = 0, h = 0;
    std::vector<std::uint8_t> rgba;
    if (!carnet::app::readPng(argv[1], w, h, rgba)) {
        std::fprintf(stderr, "%s: not a readable PNG\n", argv[1]);
        return 1;
    }
    if (w != std::atoi(argv[2]) || h != std::atoi(argv[3])) {
        std::fprintf(stderr, "%s: size %dx%d, expected %sx%s\n", argv[1], w, h, argv[2], argv[3]);
        return 1;
    }
    std::set<std::uint32_t> colours;
    std::size_t dark = 0;
    const std::size_t pixels = rgba.size() / 4;
    for (std::size_t i = 0; i < pixels; ++i) {
        const std::uint8_t r = rgba[i * 4], g = rgba[i * 4 + 1], b = rgba[i * 4 + 2];
        colours.insert((std::uint32_t{r} << 16) | (std::uint32_t{g} << 8) | b);
        if (r < 100 && g < 100 && b < 100) ++dark;
    }
    const double darkShare = static_cast<double>(dark) / static_cast<double>(pixels);
    std::printf("%s: %dx%d, %zu colours, %.2f%% dark pixels\n", argv[1], w, h, colours.size(), darkShare * 100.0);
    if (colours.size() < 16) {
        std::fprintf(stderr, "%s: blank (%zu colours)\n", argv[1], colours.size());
        return 1;
    }
    if (darkShare < 0.0005 || darkShare > 0.5) {
        std::fprintf(stderr, "%s: no text rendered (%.3f%% dark pixels)\n", argv[1], darkShare * 100.0);
        return 1;
    }
    return 0;
}
