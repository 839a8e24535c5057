#include "app/fonts.hpp"

#include "app/theme.hpp"

#include <imgui.h>

namespace carnet::app {

const unsigned short* frenchGlyphRanges() {
    static const unsigned short kRanges[] = {
        0x0020, 0x00FF, // Basic Latin + Latin-1: é è à ç ê ë î ï ô û ù ü ÿ « » °
        0x0152, 0x0153, // Œ œ
        0x0178, 0x0178, // Ÿ
        0x02B3, 0x02B3, // ʳ (1ʳᵉ)
        0x1D49, 0x1D49, // ᵉ (3ᵉ étage, 2ᵉ arrondissement)
        0x2010, 0x2027, // dashes, ’ “ ” … ·
        0x2039, 0x203A, // ‹ ›
        0x202F, 0x202F, // narrow no-break space
        0x2080, 0x2089, // subscript digits: CO₂
        0x20AC, 0x20AC, // €
        0x2212, 0x2212, // − (the range question's minus button)
        0x232B, 0x232B, // ⌫ (the keypad's backspace key)
        0x26A0, 0x26A0, // ⚠ (a record the server holds or has in conflict)
        0x2713, 0x2713, // ✓
        0,
    };
    return kRanges;
}

std::string loadFonts(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    const std::span<const unsigned char> font = embeddedFont();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.FontDataOwnedByAtlas = false; // static bytes in the binary: the atlas must not free them
    // ImGui takes a non-const pointer but only reads the data when it does not own it.
    void* data = const_cast<unsigned char*>(font.data());
    const int size = static_cast<int>(font.size());
    ImFont* body = io.Fonts->AddFontFromMemoryTTF(data, size, theme::kFontSize * scale, &cfg, frenchGlyphRanges());
    ImFont* big = io.Fonts->AddFontFromMemoryTTF(data, size, theme::kTitleSize * scale, &cfg, frenchGlyphRanges());
    if (body && big) return "DejaVu Sans";
    io.Fonts->Clear();
    ImFontConfig fallback;
    fallback.SizePixels = theme::kFontSize * scale;
    io.Fonts->AddFontDefault(&fallback);
    return {};
}

} // namespace carnet::app
