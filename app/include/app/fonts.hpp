#pragma once
// Fonts from Debian packages, loaded at run time with glyphs covering French fully.

#include <string>
#include <vector>

namespace carnet::app {

/// Candidate font files, in order of preference (DejaVu Sans, then Noto, Liberation).
[[nodiscard]] std::vector<std::string> fontCandidates();
/// Code point ranges (pairs, zero-terminated) for French: Latin-1, Latin Extended-A (œ),
/// general punctuation (’ … « »), the euro sign.
[[nodiscard]] const unsigned short* frenchGlyphRanges();
/// Loads the body and title fonts into ImGui's atlas at `scale`; returns the file used ("" = ImGui's
/// built-in font, which lacks some French glyphs).
std::string loadFonts(float scale);

} // namespace carnet::app
