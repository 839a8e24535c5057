#pragma once
// Parsing JSON text with errors that a person can act on (line and column, not a byte offset).

#include "core/result.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace carnet {

/// What was wrong with JSON text that could not be read.
enum class JsonProblem {
    Syntax,   ///< not JSON
    TooLarge, ///< over JsonLimits::maxBytes
    TooDeep,  ///< arrays and objects nested deeper than JsonLimits::maxDepth
};

/// A JSON syntax error located in the text.
struct JsonSyntaxError {
    int line = 0;   ///< 1-based
    int column = 0; ///< 1-based, in bytes
    std::string message;
    JsonProblem problem = JsonProblem::Syntax;
    std::string pointer; ///< TooDeep: the JSON pointer of the container nested one level too deep
};

/// Bounds on JSON read from outside (a request body, a form file). Deeper nesting than any document of
/// ours needs is refused before parsing, so that no recursive walk of the tree (dump, compare, copy) can
/// exhaust a thread's stack.
struct JsonLimits {
    std::size_t maxBytes = 8u << 20; ///< text size
    int maxDepth = 64;               ///< arrays and objects inside one another
};

/// Parses `text` within `limits`; on failure fills `error` (line and column of a syntax error; the
/// pointer of the container past the depth limit) and returns false.
[[nodiscard]] bool parseJsonText(std::string_view text, nlohmann::json& out, JsonSyntaxError& error,
                                 const JsonLimits& limits = {});

/// Where `text` first nests arrays and objects deeper than `maxDepth`: the byte offset of the opening
/// bracket and its JSON pointer (keys and indices as far as the text is valid JSON), or nullopt. Linear,
/// no recursion.
struct JsonDepthExcess {
    std::size_t offset = 0;
    std::string pointer;
};
[[nodiscard]] std::optional<JsonDepthExcess> findJsonDepthExcess(std::string_view text, int maxDepth);

/// Whether a parsed document nests arrays and objects deeper than `maxDepth` (iterative).
[[nodiscard]] bool jsonDeeperThan(const nlohmann::json& doc, int maxDepth);

/// Reads a whole file into a string; an Io error names the file.
[[nodiscard]] Result<std::string> readTextFile(const std::filesystem::path& path);

/// Line and column (1-based) of a byte offset in `text`.
[[nodiscard]] std::pair<int, int> lineColumnAt(std::string_view text, std::size_t offset);

/// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
[[nodiscard]] std::string jsonPointerToken(std::string_view token);

} // namespace carnet
