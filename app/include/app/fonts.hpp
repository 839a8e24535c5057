#pragma once
// The app's font, embedded in the binary at build time from Debian's fonts-dejavu-core (never read
// from a system path at run time: Android, iOS and Windows have no /usr/share/fonts), with glyphs
// covering French fully.

#include <span>
#include <string>

namespace carnet::app {

/// DejaVu Sans (DejaVuSans.ttf), as built in (app/CMakeLists.txt, cmake/EmbedBytes.cmake).
[[nodiscard]] std::span<const unsigned char> embeddedFont();
/// Code point ranges (pairs, zero-terminated) for French: Latin-1, Latin Extended-A (œ),
/// general punctuation (’ … « »), superscript ʳ ᵉ (3ᵉ), the euro sign, − and ⌫ (tests/app/font_test.cpp
/// checks every character of the translations, the forms and the screens against the atlas).
[[nodiscard]] const unsigned short* frenchGlyphRanges();
/// Loads the body and title fonts into ImGui's atlas at `scale` from the embedded font; returns its
/// name ("" = ImGui's built-in font, which lacks some French glyphs, if the embedded one failed).
std::string loadFonts(float scale);

} // namespace carnet::app
