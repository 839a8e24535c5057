// Every character the app can show is in the font it embeds: the translation table (French and
// English), every string of the sample and built-in forms (assets/forms), and the screens' own string
// literals. A character missing from the atlas is drawn as "?" ("3? étage", the keypad's "?" key).
#include "app/fonts.hpp"
#include "core/i18n.hpp"
#include "headless_imgui.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <imgui.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace carnet;
namespace fs = std::filesystem;

namespace {

// UTF-8 to code points (the sources and the table are valid UTF-8; a bad byte reads as U+FFFD).
std::vector<unsigned> codePoints(const std::string& s) {
    std::vector<unsigned> out;
    for (std::size_t k = 0; k < s.size();) {
        const auto c = static_cast<unsigned char>(s[k]);
        const int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || k + static_cast<std::size_t>(n) > s.size()) {
            out.push_back(0xFFFD);
            ++k;
            continue;
        }
        unsigned cp = n == 1 ? c : c & (0x7Fu >> n);
        for (int j = 1; j < n; ++j)
            cp = (cp << 6) | (static_cast<unsigned char>(s[k + static_cast<std::size_t>(j)]) & 0x3Fu);
        out.push_back(cp);
        k += static_cast<std::size_t>(n);
    }
    return out;
}

void jsonStrings(const nlohmann::json& j, std::vector<std::string>& out) {
    if (j.is_string()) out.push_back(j.get<std::string>());
    for (const auto& x : j)
        if (j.is_structured()) jsonStrings(x, out);
}

// The string literals of a C++ source, outside comments (enough for the screens' own texts).
void literals(const fs::path& file, std::vector<std::string>& out) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line.compare(first, 2, "//") == 0) continue;
        bool inString = false;
        std::string current;
        for (std::size_t k = 0; k < line.size(); ++k) {
            const char c = line[k];
            if (!inString && c == '/' && k + 1 < line.size() && line[k + 1] == '/') break;
            if (c == '\\' && inString && k + 1 < line.size()) {
                current += line[++k];
                continue;
            }
            if (c == '"') {
                if (inString) out.push_back(current);
                current.clear();
                inString = !inString;
                continue;
            }
            if (inString) current += c;
        }
    }
}

} // namespace

TEST_CASE("every character of the translations, the forms and the screens is in the embedded font", "[app][font]") {
    test::HeadlessImGui ui(800, 1280);
    REQUIRE(ui.fontFile == "DejaVu Sans");
    const ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    std::map<std::string, std::vector<std::string>> texts; // where -> strings
    for (const auto key : translationKeys())
        for (Lang lang : {Lang::Fr, Lang::En})
            texts["i18n " + std::string(key)].push_back(tr(key, lang));
    const fs::path src = CARNET_SOURCE_DIR;
    for (const auto& e : fs::directory_iterator(src / "assets" / "forms")) {
        if (e.path().extension() != ".json") continue;
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        jsonStrings(nlohmann::json::parse(text.str()), texts[e.path().filename().string()]);
    }
    for (const auto& e : fs::recursive_directory_iterator(src / "app"))
        if (e.path().extension() == ".cpp") literals(e.path(), texts[e.path().filename().string()]);
    REQUIRE(texts.size() > 100);

    std::map<unsigned, std::string> missing; // code point -> first place it is used
    int checked = 0;
    for (const auto& [where, strings] : texts)
        for (const auto& s : strings)
            for (unsigned cp : codePoints(s)) {
                if (cp < 0x20) continue; // \n, \t: layout, not glyphs
                ++checked;
                if (cp > 0xFFFF || font->FindGlyphNoFallback(static_cast<ImWchar>(cp)) == nullptr)
                    missing.emplace(cp, where + ": " + s);
            }
    CHECK(checked > 10000);
    for (const auto& [cp, where] : missing) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", cp);
        UNSCOPED_INFO(hex << " in " << where);
    }
    CHECK(missing.empty());
}
