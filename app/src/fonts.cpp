#include "app/fonts.hpp"

#include "app/theme.hpp"

#include <filesystem>
#include <imgui.h>

namespace carnet::app {

std::vector<std::string> fontCandidates() {
    return {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    };
}

const unsigned short* frenchGlyphRanges() {
    static const unsigned short kRanges[] = {
        0x0020, 0x00FF, // Basic Latin + Latin-1: é è à ç ê ë î ï ô û ù ü ÿ « » °
        0x0152, 0x0153, // Œ œ
        0x0178, 0x0178, // Ÿ
        0x2010, 0x2027, // dashes, ’ “ ” … ·
        0x2039, 0x203A, // ‹ ›
        0x202F, 0x202F, // narrow no-break space
        0x2080, 0x2089, // subscript digits: CO₂
        0x20AC, 0x20AC, // €
        0x2713, 0x2713, // ✓
        0,
    };
    return kRanges;
}

std::string loadFonts(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    for (const auto& path : fontCandidates()) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;
        ImFontConfig cfg;
        cfg.OversampleH = 2;
        ImFont* body = io.Fonts->AddFontFromFileTTF(path.c_str(), theme::kFontSize * scale, &cfg, frenchGlyphRanges());
        ImFont* big = io.Fonts->AddFontFromFileTTF(path.c_str(), theme::kTitleSize * scale, &cfg, frenchGlyphRanges());
        if (body && big) return path;
        io.Fonts->Clear();
    }
    ImFontConfig cfg;
    cfg.SizePixels = theme::kFontSize * scale;
    io.Fonts->AddFontDefault(&cfg);
    return {};
}

} // namespace carnet::app
