#include "core/json_text.hpp"

#include <fstream>
#include <sstream>
#include <vector>

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

std::optional<JsonDepthExcess> findJsonDepthExcess(std::string_view text, int maxDepth) {
    // One frame per open array or object: the position inside it, for the pointer.
    struct Frame {
        bool array = false;
        std::size_t index = 0;
        std::string key;
        bool expectKey = false;
    };
    std::vector<Frame> stack;
    bool inString = false, escaped = false, capturing = false;
    std::string key;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
                if (capturing) {
                    stack.back().key = std::move(key);
                    stack.back().expectKey = false;
                }
                capturing = false;
                continue;
            }
            if (capturing) key += c;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            capturing = !stack.empty() && !stack.back().array && stack.back().expectKey;
            key.clear();
            break;
        case '[':
        case '{':
            if (stack.size() >= static_cast<std::size_t>(maxDepth < 0 ? 0 : maxDepth)) {
                JsonDepthExcess e;
                e.offset = i;
                for (const auto& f : stack)
                    e.pointer += "/" + (f.array ? std::to_string(f.index) : jsonPointerToken(f.key));
                return e;
            }
            stack.push_back(Frame{c == '[', 0, {}, c == '{'});
            break;
        case ']':
        case '}':
            if (!stack.empty()) stack.pop_back();
            break;
        case ',':
            if (!stack.empty()) {
                if (stack.back().array)
                    ++stack.back().index;
                else
                    stack.back().expectKey = true;
            }
            break;
        default:
            break;
        }
    }
    return std::nullopt;
}

bool jsonDeeperThan(const nlohmann::json& doc, int maxDepth) {
    std::vector<std::pair<const nlohmann::json*, int>> todo;
    if (doc.is_structured()) todo.emplace_back(&doc, 1);
    while (!todo.empty()) {
        auto [node, depth] = todo.back();
        todo.pop_back();
        if (depth > maxDepth) return true;
        for (const auto& child : *node)
            if (child.is_structured()) todo.emplace_back(&child, depth + 1);
    }
    return false;
}

bool parseJsonText(std::string_view text, nlohmann::json& out, JsonSyntaxError& error, const JsonLimits& limits) {
    if (text.size() > limits.maxBytes) {
        error.problem = JsonProblem::TooLarge;
        error.line = 1;
        error.column = 1;
        error.message = "the text is over " + std::to_string(limits.maxBytes) + " bytes";
        return false;
    }
    if (auto excess = findJsonDepthExcess(text, limits.maxDepth)) {
        auto [line, column] = lineColumnAt(text, excess->offset);
        error.problem = JsonProblem::TooDeep;
        error.line = line;
        error.column = column;
        error.pointer = std::move(excess->pointer);
        error.message = "arrays and objects nested deeper than " + std::to_string(limits.maxDepth) + " levels";
        return false;
    }
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
