#include "core/json_text.hpp"

#include <fstream>
#include <sstream>

namespace carnet {

std::pair<int, int> lineColumnAt(std::string_view text, std::size_t offset) {
    int line = 1, column = 1;
    const std::size_t end = offset < text.size() ? offset : text.size();
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

bool parseJsonText(std::string_view text, nlohmann::json& out, JsonSyntaxError& error) {
    try {
        out = nlohmann::json::parse(text.begin(), text.end());
        return true;
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann reports the byte just past the offending token (1-based); point at the token itself.
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        auto [line, column] = lineColumnAt(text, at);
        error.line = line;
        error.column = column;
        std::string what = e.what();
        // Keep only the human part: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
        if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
        error.message = what;
        return false;
    }
}

Result<std::string> readTextFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::Io, path.string() + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return makeError(ErrorCode::Io, path.string() + ": read error");
    return ss.str();
}

std::string jsonPointerToken(std::string_view token) {
    std::string out;
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

} // namespace carnet
